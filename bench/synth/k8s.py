"""Synthesis stage: random Kubernetes clusters (workloads, namespaces, NetworkPolicies) as manifests.

For the differential test against NCA and the bench: selectors with matchExpressions, several
namespaces with labels, ipBlocks with excepts, named and numeric ports, endPort, policy types,
and empty versus missing fields. The same seed always gives the same text.
"""

from __future__ import annotations

import json
import random
from typing import Any

KEYS = ("app", "tier", "env")
VALUES = ("a", "b", "c")
NAMED = ("http", "dns", "metrics")
CIDRS = ("10.0.0.0/8", "10.1.0.0/16", "192.168.0.0/16", "0.0.0.0/0", "172.16.0.0/12", "203.0.113.0/24")
EXCEPTS = {"10.0.0.0/8": "10.1.2.0/24", "0.0.0.0/0": "10.0.0.0/8", "192.168.0.0/16": "192.168.1.0/24"}


def _labels(rng: random.Random) -> dict[str, str]:
    return {k: rng.choice(VALUES) for k in KEYS if rng.random() < 0.6}


def _selector(rng: random.Random) -> dict[str, Any]:
    sel: dict[str, Any] = {}
    if rng.random() < 0.5:
        sel["matchLabels"] = {rng.choice(KEYS): rng.choice(VALUES)}
    if rng.random() < 0.4:
        op = rng.choice(("In", "NotIn", "Exists", "DoesNotExist"))
        expr: dict[str, Any] = {"key": rng.choice(KEYS), "operator": op}
        if op in ("In", "NotIn"):
            expr["values"] = sorted(rng.sample(VALUES, rng.randint(1, 2)))
        sel["matchExpressions"] = [expr]
    return sel


def _peer(rng: random.Random, nca_safe: bool) -> dict[str, Any]:
    r = rng.random()
    if r < 0.2:
        cidr = rng.choice(CIDRS)
        block: dict[str, Any] = {"cidr": cidr}
        if cidr in EXCEPTS and rng.random() < 0.6:
            block["except"] = [EXCEPTS[cidr]]
        return {"ipBlock": block}
    peer: dict[str, Any] = {}
    if r < 0.7:
        peer["podSelector"] = _selector(rng)
    if r >= 0.5:
        peer["namespaceSelector"] = _selector(rng)
    exprs = peer.get("podSelector", {}).get("matchExpressions", [])
    if (
        nca_safe
        and "namespaceSelector" in peer
        and exprs
        and exprs[0]["operator"] in ("Exists", "DoesNotExist")
    ):
        # NCA gets Exists and DoesNotExist wrong beside a namespaceSelector (docs/importers.md)
        exprs[0].update(operator="In", values=list(VALUES[:2]))
    return peer


def _port(rng: random.Random) -> dict[str, Any]:
    port: dict[str, Any] = {}
    if rng.random() < 0.7:
        port["protocol"] = rng.choice(("TCP", "UDP", "SCTP"))
    r = rng.random()
    if r < 0.3:
        port["port"] = rng.choice(NAMED)
    elif r < 0.85:
        port["port"] = rng.choice((53, 80, 443, 8080, 9090))
        if r < 0.5:
            port["endPort"] = port["port"] + rng.choice((0, 10, 100))
    return port


def _rule(rng: random.Random, peers_key: str, nca_safe: bool) -> dict[str, Any]:
    rule: dict[str, Any] = {}
    if rng.random() < 0.8:
        rule[peers_key] = [_peer(rng, nca_safe) for _ in range(rng.randint(0, 2))]
    if rng.random() < 0.7:
        rule["ports"] = [_port(rng) for _ in range(rng.randint(0, 2))]
    return rule


def _policy(rng: random.Random, i: int, ns: str, nca_safe: bool) -> dict[str, Any]:
    spec: dict[str, Any] = {"podSelector": _selector(rng)}
    types = rng.choice((None, ["Ingress"], ["Egress"], ["Ingress", "Egress"]))
    if types is not None:
        spec["policyTypes"] = types
    for way, key in (("ingress", "from"), ("egress", "to")):
        # NCA refuses a section its policyTypes leave out (Kubernetes ignores it): not generated.
        if rng.random() < 0.7 and (types is None or way.capitalize() in types):
            spec[way] = [_rule(rng, key, nca_safe) for _ in range(rng.randint(0, 2))]
    if types is None and spec.get("egress") == [] and nca_safe:
        del spec["egress"]  # NCA reads `egress: []` as Egress; Kubernetes does not (docs/importers.md)
    meta = {"name": f"pol-{i}", "namespace": ns}
    return {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": meta, "spec": spec}


def _containers(rng: random.Random) -> list[dict[str, Any]]:
    ports = [
        {
            "name": name,
            "containerPort": rng.choice((80, 8080, 53, 9100)),
            "protocol": rng.choice(("TCP", "UDP")),
        }
        for name in NAMED
        if rng.random() < 0.5
    ]
    return [{"name": "main", "image": "example/app:1", "ports": ports}]


def _workload(rng: random.Random, i: int, ns: str) -> dict[str, Any]:
    labels = _labels(rng) | {"id": f"w{i}"}  # distinct labels: NCA merges pods with equal ones
    spec = {"containers": _containers(rng)}
    meta = {"name": f"w{i}", "namespace": ns}
    if rng.random() < 0.5:
        return {"apiVersion": "v1", "kind": "Pod", "metadata": meta | {"labels": labels}, "spec": spec}
    template = {"metadata": {"labels": labels}, "spec": spec}
    body = {"selector": {"matchLabels": {"id": f"w{i}"}}, "template": template}
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": meta, "spec": body}


def generate_cluster(
    seed: int, pods: int = 6, policies: int = 3, namespaces: int = 2, nca_safe: bool = True
) -> str:
    """A cluster as one multi-document YAML text (JSON flow documents, which YAML reads);
    `nca_safe` leaves out the inputs on which NCA is known to be wrong (docs/importers.md)."""
    rng = random.Random(seed)
    names = [f"ns{i}" for i in range(namespaces)]
    docs: list[dict[str, Any]] = [
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": n, "labels": _labels(rng)}}
        for n in names
    ]
    docs += [_workload(rng, i, rng.choice(names)) for i in range(pods)]
    docs += [_policy(rng, i, rng.choice(names), nca_safe) for i in range(policies)]
    return "\n---\n".join(json.dumps(d, sort_keys=True) for d in docs) + "\n"
