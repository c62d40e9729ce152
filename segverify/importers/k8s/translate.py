"""Kubernetes importer: NetworkPolicy semantics as two layers of a model.

Kubernetes (and NCA) define: a pod selected by a policy with Ingress in its policyTypes is
isolated for ingress and admits the union of those policies' ingress rules; the same for egress;
a connection needs the source's egress and the destination's ingress. So the `egress` layer
holds, for each policy, one allow flow per egress rule from the pods it selects, and last a deny
of everything from the egress-isolated pods; the `ingress` layer the same towards the pods. A
layer's defaults allow: a pod no policy isolates is not restricted.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from segverify.importers.k8s.addresses import (
    atom_name,
    atom_networks,
    atoms,
    cidr_interval,
    namespace_blocks,
)
from segverify.importers.k8s.names import host_names
from segverify.importers.k8s.nodes import Warning_
from segverify.importers.k8s.objects import NetworkPolicy, Peer, PortRule, Rule, Selector, Workload
from segverify.importers.k8s.plan import FlowPlan, HostPlan, ModelPlan, ZonePlan
from segverify.importers.k8s.read import Cluster
from segverify.model.addresses import format_address, format_set
from segverify.model.intervals import IntervalSet


@dataclass(frozen=True, slots=True)
class Pod:
    """A workload placed in the model: its host name and the namespace labels it sees."""

    host: str
    workload: Workload
    namespace_labels: dict[str, str]


class Translator:
    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster
        self.warnings: list[Warning_] = []
        index = {(w.namespace, w.kind, w.name): w for w in cluster.workloads}
        workloads = [w for w in cluster.workloads if not owned_alike(w, index)]
        names = host_names(workloads)
        self.pods = [Pod(names[i], w, self._ns_labels(w.namespace)) for i, w in enumerate(workloads)]
        self.pods.sort(key=lambda p: p.host)
        self.blocks = self._ip_blocks()
        self.atoms = atoms(list(self.blocks.values()))

    def _ns_labels(self, ns: str) -> dict[str, str]:
        known = self.cluster.namespaces.get(ns)
        return known.labels if known else {"kubernetes.io/metadata.name": ns}

    def _ip_blocks(self) -> dict[tuple[str, tuple[str, ...]], IntervalSet]:
        out = {}
        for pol in self.cluster.policies:
            for rule in (pol.ingress or ()) + (pol.egress or ()):
                for peer in rule.peers or ():
                    b = peer.ip_block
                    if b is None or (b.cidr, b.excepts) in out:
                        continue
                    try:
                        s = cidr_interval(b.cidr)
                        for e in b.excepts:
                            s = s.difference(cidr_interval(e))
                    except ValueError:
                        self.warnings.append(
                            Warning_(peer.span, f"ipBlock '{b.cidr}' is no CIDR: it matches nothing", False)
                        )
                        s = IntervalSet()
                    out[(b.cidr, b.excepts)] = s
        return out

    def plan(self) -> ModelPlan:
        plan = ModelPlan()
        self._place(plan)
        for pol in sorted(self.cluster.policies, key=lambda p: (p.namespace, p.name)):
            self._policy(plan, pol)
        self._isolation(plan)
        return plan

    def _place(self, plan: ModelPlan) -> None:
        namespaces = {ns: 0 for ns in self.cluster.namespaces}
        for p in self.pods:
            namespaces[p.workload.namespace] = namespaces.get(p.workload.namespace, 0) + 1
        blocks = namespace_blocks(namespaces)
        used = dict.fromkeys(namespaces, 1)
        for ns, (first, _) in sorted(blocks.items()):
            if not namespaces[ns]:
                continue  # a namespace without workloads: no address in it, nothing to reach
            known = self.cluster.namespaces.get(ns)
            note = (
                f"{known.span.file}:{known.span.line} Namespace {ns}"
                if known
                else f"namespace {ns} (no Namespace object)"
            )
            # Exactly the pods' addresses: an unused address of the block is no pod, and a
            # policy `to: NAMESPACE` must not be answered by packets to nobody.
            pods = IntervalSet.span(first + 1, first + namespaces[ns])
            plan.zones.append(ZonePlan(ns, tuple(format_set(pods)), False, note))
        for p in self.pods:
            w = p.workload
            address = format_address(blocks[w.namespace][0] + used[w.namespace])
            used[w.namespace] += 1
            note = f"{w.span.file}:{w.span.line} {w.kind} {w.namespace}/{w.name}"
            plan.hosts.append(HostPlan(p.host, w.namespace, address, note, w.offered))
        for lo, hi in self.atoms:
            plan.zones.append(
                ZonePlan(
                    atom_name(lo, hi), atom_networks(lo, hi), True, "outside the cluster (ipBlock atoms)"
                )
            )

    def _isolation(self, plan: ModelPlan) -> None:
        """Last in each layer: an isolated pod gets nothing its policies did not allow."""
        for way, out in (("egress", plan.egress), ("ingress", plan.ingress)):
            hosts = sorted(
                {
                    p.host
                    for pol in self.cluster.policies
                    if getattr(pol, way) is not None
                    for p in self.selected(pol)
                }
            )
            if not hosts:
                continue
            ends = (tuple(hosts), ("any",)) if way == "egress" else (("any",), tuple(hosts))
            note = f"pods selected by a policy with {way.capitalize()} in policyTypes are isolated for {way}"
            out.append(FlowPlan(f"{way}-isolation", ends[0], ends[1], ("any",), "deny", note))

    def selected(self, pol: NetworkPolicy) -> list[Pod]:
        return [
            p
            for p in self.pods
            if p.workload.namespace == pol.namespace and pol.pod_selector.selects(p.workload.labels)
        ]

    def _policy(self, plan: ModelPlan, pol: NetworkPolicy) -> None:
        targets = self.selected(pol)
        if not targets:
            return
        for i, rule in enumerate(pol.ingress or ()):
            peers = self.peer_refs(pol, rule)
            for pods, services in self._by_services(rule, targets):
                self._flow(plan.ingress, pol, "ingress", i, rule, peers, [p.host for p in pods], services)
        for i, rule in enumerate(pol.egress or ()):
            from_hosts = [p.host for p in targets]
            peer_pods = self.peer_pods(pol, rule)
            for pods, services in self._by_services(rule, peer_pods):
                self._flow(plan.egress, pol, "egress", i, rule, from_hosts, [p.host for p in pods], services)
            ext = self.peer_atoms(rule)
            numeric = self.services(rule, None)
            if ext and numeric:
                self._flow(plan.egress, pol, "egress", i, rule, from_hosts, ext, numeric)

    def _flow(
        self,
        out: list[FlowPlan],
        pol: NetworkPolicy,
        way: str,
        i: int,
        rule: Rule,
        sources: list[str],
        destinations: list[str],
        services: tuple[str, ...],
    ) -> None:
        if not sources or not destinations or not services:
            return
        name = f"{pol.namespace}/{pol.name}/{way}-{i + 1}"
        if any(f.name.startswith(name) for f in out):
            name = f"{name}.{sum(f.name.startswith(name) for f in out) + 1}"
        note = (
            f"{rule.span.file}:{rule.span.line} NetworkPolicy {pol.namespace}/{pol.name} {way} rule {i + 1}"
        )
        out.append(FlowPlan(name, tuple(sources), tuple(destinations), services, "allow", note))

    def peer_refs(self, pol: NetworkPolicy, rule: Rule) -> list[str]:
        """Sources of an ingress rule: `any` when the rule names no peers."""
        if rule.peers is None:
            return ["any"]
        return [p.host for p in self.peer_pods(pol, rule)] + self.peer_atoms(rule)

    def peer_pods(self, pol: NetworkPolicy, rule: Rule) -> list[Pod]:
        if rule.peers is None:
            return list(self.pods)
        return [p for p in self.pods if any(self._peer_selects(pol, peer, p) for peer in rule.peers)]

    def peer_atoms(self, rule: Rule) -> list[str]:
        if rule.peers is None:
            return [atom_name(lo, hi) for lo, hi in self.atoms]
        blocks = [self.blocks[(p.ip_block.cidr, p.ip_block.excepts)] for p in rule.peers if p.ip_block]
        return [atom_name(lo, hi) for lo, hi in self.atoms if any(lo in b for b in blocks)]

    @staticmethod
    def _peer_selects(pol: NetworkPolicy, peer: Peer, pod: Pod) -> bool:
        if peer.ip_block is not None:
            return False
        if peer.namespaces is None:
            in_ns = pod.workload.namespace == pol.namespace
        else:
            in_ns = peer.namespaces.selects(pod.namespace_labels)
        pods = peer.pods if peer.pods is not None else Selector()
        return (
            in_ns
            and (peer.pods is not None or peer.namespaces is not None)
            and pods.selects(pod.workload.labels)
        )

    def _by_services(self, rule: Rule, pods: list[Pod]) -> list[tuple[list[Pod], tuple[str, ...]]]:
        """The pods grouped by what the rule's ports mean on each (named ports differ per pod)."""
        groups: dict[tuple[str, ...], list[Pod]] = {}
        for p in pods:
            groups.setdefault(self.services(rule, p.workload), []).append(p)
        return [(ps, svc) for svc, ps in sorted(groups.items()) if svc]

    @staticmethod
    def services(rule: Rule, dst: Workload | None) -> tuple[str, ...]:
        if rule.ports is None:
            return ("any",)
        return tuple(sorted({s for port in rule.ports for s in port_specs(port, dst)}))


def owned_alike(w: Workload, index: dict[tuple[str, str, str], Workload]) -> bool:
    """A Pod (or ReplicaSet, ...) owned, directly or through its owners, by another imported
    workload of its namespace with the same labels and ports is that workload's replica: it is
    the same host (same selectors match it, same named ports), so it is not listed again.
    Anything that differs keeps its own host: pods whose labels differ are never merged."""
    seen = set()
    todo = list(w.owners)
    while todo:
        kind, name = todo.pop()
        owner = index.get((w.namespace, kind, name))
        if owner is None or (kind, name) in seen:
            continue
        seen.add((kind, name))
        if owner.labels == w.labels and owner.ports == w.ports and owner.offered == w.offered:
            return True
        todo.extend(owner.owners)
    return False


def port_specs(port: PortRule, dst: Workload | None) -> Iterable[str]:
    proto = port.protocol.lower()
    if port.port is None:
        return [f"{proto}/0-65535"]
    if isinstance(port.port, str):  # named: the destination's container port of that name
        found = dst.ports.get(port.port) if dst is not None else None
        return [f"{proto}/{found[1]}"] if found and found[0] == port.protocol else []
    if port.end_port is not None and port.end_port >= port.port:
        return [f"{proto}/{port.port}-{port.end_port}"]
    return [f"{proto}/{port.port}"]
