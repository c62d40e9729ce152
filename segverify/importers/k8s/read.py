"""Kubernetes importer: files and folders (recursive) of manifests into parsed objects.

Multi-document files (`---`), `List` and the typed lists the API server returns (`PodList`, whose
items carry no `kind`) are all read; objects may come in any order.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from segverify.diagnostics import Diagnostic, Span
from segverify.errors import ModelError
from segverify.importers.k8s.nodes import Warning_, as_list, as_map, text
from segverify.importers.k8s.nodes import labels as read_labels
from segverify.importers.k8s.objects import WORKLOAD_KINDS, Namespace, NetworkPolicy, Parser, Workload
from segverify.model.yamlio import YMap, read_yaml_stream

SUFFIXES = (".yaml", ".yml", ".json")
# Kinds that carry no connectivity rule: read without a word.
QUIET_KINDS = frozenset(
    "Service ConfigMap Secret ServiceAccount Role RoleBinding ClusterRole ClusterRoleBinding "
    "Ingress PersistentVolumeClaim PersistentVolume HorizontalPodAutoscaler PodDisruptionBudget "
    "CustomResourceDefinition StorageClass Endpoints EndpointSlice".split()
)
# Policy kinds of other projects: their rules are not applied, which may narrow (a deny ignored
# widens, an allow ignored narrows).
FOREIGN_POLICIES = {
    "AdminNetworkPolicy": "a policy.networking.k8s.io AdminNetworkPolicy",
    "BaselineAdminNetworkPolicy": "a policy.networking.k8s.io BaselineAdminNetworkPolicy",
    "GlobalNetworkPolicy": "a Calico GlobalNetworkPolicy",
    "AuthorizationPolicy": "an Istio AuthorizationPolicy (L7)",
    "CiliumNetworkPolicy": "a Cilium policy",
    "CiliumClusterwideNetworkPolicy": "a Cilium policy",
}


@dataclass
class Cluster:
    workloads: list[Workload] = field(default_factory=list)
    namespaces: dict[str, Namespace] = field(default_factory=dict)
    policies: list[NetworkPolicy] = field(default_factory=list)
    warnings: list[Warning_] = field(default_factory=list)


def manifest_files(paths: Sequence[str]) -> list[str]:
    """Every manifest under the paths: a file as given, a folder walked recursively in sorted order."""
    out: list[str] = []
    missing = []
    for path in paths:
        if os.path.isdir(path):
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                out.extend(os.path.join(root, f) for f in sorted(files) if f.endswith(SUFFIXES))
        elif os.path.isfile(path):
            out.append(path)
        else:
            missing.append(
                Diagnostic("file-not-found", f"'{path}' is neither a file nor a folder", Span(path, 1, 1))
            )
    if missing:
        raise ModelError(missing)
    return out


def read_cluster(paths: Sequence[str]) -> Cluster:
    """Every object of the files, parsed; raises ModelError on unreadable YAML (with its place)."""
    parser = Parser()
    cluster = Cluster()
    for obj, kind in _objects(manifest_files(paths)):
        _add(cluster, parser, obj, kind)
    cluster.warnings.extend(parser.warnings)
    return cluster


def _objects(files: list[str]) -> Iterator[tuple[YMap, str]]:
    for path in files:
        for doc in read_yaml_stream(path):
            yield from _flatten(doc, "")


def _flatten(node: object, item_kind: str) -> Iterator[tuple[YMap, str]]:
    obj = as_map(node)  # type: ignore[arg-type]
    if obj is None:
        return
    kind = text(obj.get("kind"), item_kind)
    if kind == "List" or (kind.endswith("List") and obj.get("items") is not None):
        inner = "" if kind == "List" else kind[: -len("List")]
        for item in as_list(obj.get("items")):
            yield from _flatten(item, inner)
        return
    yield obj, kind


def _add(cluster: Cluster, parser: Parser, obj: YMap, kind: str) -> None:
    meta = as_map(obj.get("metadata"))
    namespace = text(meta.get("namespace") if meta else None, "default")
    name = text(meta.get("name") if meta else None)
    if kind == "Namespace":
        labels = {"kubernetes.io/metadata.name": name}
        labels.update(read_labels(meta.get("labels") if meta else None))
        cluster.namespaces[name] = Namespace(name, labels, obj.span)
    elif kind == "Pod" or kind in WORKLOAD_KINDS or kind == "CronJob":
        cluster.workloads.append(parser.workload(obj, kind, namespace))
    elif kind == "NetworkPolicy":
        api = text(obj.get("apiVersion"))
        if api != "networking.k8s.io/v1":
            parser.warn(
                obj.span, f"NetworkPolicy of apiVersion '{api}' (not networking.k8s.io/v1) is ignored", False
            )
            return
        cluster.policies.append(parser.policy(obj, namespace))
    elif kind in FOREIGN_POLICIES:
        parser.warn(obj.span, f"{FOREIGN_POLICIES[kind]} ({kind} {name}) is not imported", False)
    elif kind not in QUIET_KINDS:
        parser.warn(
            obj.span,
            f"a {kind or 'document without kind'} is not imported (it carries no NetworkPolicy rule)",
        )
