"""Fix stage: the business flows a fix must keep, as boxes of packets that must stay allowed.

A `reachable` policy that holds is one box (all of it must stay allowed); a `matrix` policy's
`allow` cell keeps every packet the original model allows in it. Only rule changes (delete,
narrow, insert deny) can deny a packet, so only they are tested. Decided by the reference's
region sweep (semantics/regions.py), exactly, with no sampling.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from segverify.fix.apply import apply_changes
from segverify.fix.changes import Change
from segverify.model.intervals import IntervalSet
from segverify.model.ir import MatrixSpec, Model, Policy, ReachableSpec
from segverify.model.ports import ALL_SERVICES, service_ports
from segverify.model.refs import Resolver
from segverify.results import Packet
from segverify.semantics.regions import FlowTable

FLOW_KINDS = ("delete_rule", "narrow_rule", "insert_deny")


@dataclass(frozen=True, slots=True)
class Box:
    label: str  # the policy id whose flow it is
    src: IntervalSet
    dst: IntervalSet
    svc: IntervalSet


@dataclass(frozen=True, slots=True)
class Broken:
    label: str
    packet: Packet
    changes: frozenset[Change]  # a minimal subset of the chosen changes that denies it


def business_boxes(model: Model, held: Iterable[Policy]) -> tuple[Box, ...]:
    """The flows to keep: held `reachable` policies, and what each `matrix` cell allows now."""
    resolver = Resolver(model)
    out: list[Box] = []
    for p in held:
        if isinstance(p.spec, ReachableSpec):
            src, dst = resolver.addresses_of(p.spec.sources), resolver.addresses_of(p.spec.destinations)
            out.append(Box(p.id, src, dst, p.spec.ports))
    for p in model.policies:
        if isinstance(p.spec, MatrixSpec):
            out.extend(_matrix_boxes(p.id, p.spec, model, resolver))
    return tuple(out)


def _matrix_boxes(label: str, spec: MatrixSpec, model: Model, resolver: Resolver) -> list[Box]:
    """What each `allow` cell passes through rules the matrix does not fault.

    A rule that also opens something the matrix forbids (`migration-temp`: corp-it to
    production, `services: any`) is the violation, not a business flow: what it passes is kept
    only where a compliant rule below it would pass it too (`staff-to-portal`'s HTTPS). So the
    cells are read with the faulted rules taken out; what they allow, the original allows too.
    """
    faulted = _faulted_rules(spec, resolver, FlowTable(model, resolver))
    kept = tuple(f for f in model.flows if f.name not in faulted)
    compliant = replace(model, flows=tuple(replace(f, index=i) for i, f in enumerate(kept)))
    table = FlowTable(compliant, Resolver(compliant))
    out = []
    for cell in spec.allow:
        src, dst = resolver.zone_sets[cell.source], resolver.zone_sets[cell.destination]
        for c in table.cells(src, dst, cell.ports):
            if c.rule.action == "allow":
                out.append(Box(label, c.src, dst=c.dst, svc=c.svc))
    return out


def _faulted_rules(spec: MatrixSpec, resolver: Resolver, table: FlowTable) -> set[str]:
    """The rules that allow a packet between two listed zones outside the pair's `allow`."""
    out: set[str] = set()
    for a in spec.zones:
        for b in spec.zones:
            if a != b:
                outside = ALL_SERVICES.difference(spec.allowed_ports(a, b))
                src, dst = resolver.zone_sets[a], resolver.zone_sets[b]
                out.update(c.rule.name for c in table.cells(src, dst, outside) if c.rule.action == "allow")
    return out


def flow_changes(changes: Iterable[Change]) -> frozenset[Change]:
    return frozenset(c for c in changes if c.kind in FLOW_KINDS)


class Keeper:
    """Tells whether a set of changes denies a business flow, and which changes are to blame."""

    def __init__(self, model: Model, boxes: Sequence[Box]) -> None:
        self.model = model
        self.boxes = boxes
        self.resolver = Resolver(model)
        self._pairs: dict[tuple[str, str], list[tuple[Box, IntervalSet, IntervalSet]]] = {}

    def deny_hits(self, change: Change) -> tuple[Box, Packet] | None:
        """An inserted deny alone denies every packet it names (apply.deny_positions puts it
        above every rule that meets them): it breaks a flow exactly when it meets a box, and
        box and deny are interval sets, so no rule needs walking."""
        svc = service_ports(self.model, change.deny_service)
        for box, s, d in self._meeting(change.deny_source, change.target):
            v = box.svc.intersection(svc)
            if v:
                return box, Packet(s.first(), d.first(), v.first())
        return None

    def _meeting(self, source: str, destination: str) -> list[tuple[Box, IntervalSet, IntervalSet]]:
        """The boxes whose sources and destinations meet the deny's, in order, with the overlap:
        the same pair comes back with each service, so it is computed once per pair."""
        key = (source, destination)
        if key not in self._pairs:
            src, dst = self.resolver.addresses(source), self.resolver.addresses(destination)
            found = []
            for box in self.boxes:
                s = box.src.intersection(src)
                d = box.dst.intersection(dst) if s else s
                if s and d:
                    found.append((box, s, d))
            self._pairs[key] = found
        return self._pairs[key]

    def first_denied(self, changes: frozenset[Change]) -> tuple[Box, Packet] | None:
        if not self.boxes or not changes:
            return None
        changed = apply_changes(self.model, changes)
        table = FlowTable(changed, Resolver(changed))
        for box in self.boxes:
            found = table.find_packet(box.src, box.dst, box.svc, "deny")
            if found is not None:
                return box, found[0]
        return None

    def broken(self, chosen: frozenset[Change]) -> Broken | None:
        """None when every flow is kept; else a minimal culprit set (deletion-based shrinking)."""
        suspects = flow_changes(chosen)
        for c in sorted(suspects):
            hit = self.deny_hits(c) if c.kind == "insert_deny" else None
            if hit is not None:  # one deny alone: the smallest culprit there is
                return Broken(hit[0].label, hit[1], frozenset({c}))
        if all(c.kind == "insert_deny" for c in suspects):
            return None  # denies deny their own packets and nothing else: none hit, none break
        first = self.first_denied(suspects)
        if first is None:
            return None
        for c in sorted(suspects):
            if self.first_denied(suspects - {c}) is not None:
                suspects = suspects - {c}
        found = self.first_denied(suspects)
        assert found is not None
        return Broken(found[0].label, found[1], suspects)
