"""Connectivity stage: the services allowed from each endpoint to each other, through all layers.

Exact, and fast on thousands of hosts: the address space is cut into segments at every boundary
of every rule, applies_to, zone and endpoint; addresses of one segment match the same rules, so
one segment's answer is every address's. Segments with the same rules and zone (a signature)
share one computation. Per pair of signatures each layer is a first match over port intervals:
what a rule takes is removed from what later rules and the defaults see. A fleet or zone lists
the services allowed from some of its addresses to some of the other's.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from segverify.connectivity.layers import Layer, Network
from segverify.model.addresses import V6_BASE
from segverify.model.intervals import IntervalSet
from segverify.model.ports import ALL_SERVICES

Signature = tuple[object, ...]


@dataclass(frozen=True, slots=True)
class Connection:
    src: str
    dst: str
    services: IntervalSet


class Segments:
    """The address space cut at every boundary; segment i is [starts[i], starts[i+1] - 1]."""

    def __init__(self, sets: list[IntervalSet]) -> None:
        cuts = {0}
        for s in sets:
            for lo, hi in s:
                cuts.add(lo)
                cuts.add(hi + 1)
        self.starts = sorted(cuts)

    def covering(self, s: IntervalSet) -> list[int]:
        """Indices of the segments inside s (s is a union of whole segments by construction)."""
        out: list[int] = []
        for lo, hi in s:
            out.extend(range(bisect_left(self.starts, lo), bisect_right(self.starts, hi)))
        return out


def _rule_sets(layers: tuple[Layer, ...], role: str) -> list[list[IntervalSet | None]]:
    out = []
    for layer in layers:
        sets: list[IntervalSet | None] = [r.sources if role == "src" else r.destinations for r in layer.rules]
        sets.append(layer.applies_from if role == "src" else layer.applies_to)
        out.append(sets)
    return out


class Connectivity:
    def __init__(self, network: Network) -> None:
        self.net = network
        sets: list[IntervalSet] = [e.addresses for e in network.endpoints]
        for layer in network.layers:
            sets += [r.sources for r in layer.rules] + [r.destinations for r in layer.rules]
            sets += [s for s in (layer.applies_from, layer.applies_to) if s is not None]
        sets += [IntervalSet.span(lo, hi) for lo, hi, _ in network.zone_cells]
        sets.append(IntervalSet.span(V6_BASE, V6_BASE))
        self.segments = Segments(sets)
        self.src_sig = self._signatures("src")
        self.dst_sig = self._signatures("dst")
        self.memo: dict[tuple[Signature, Signature], IntervalSet] = {}

    def _signatures(self, role: str) -> list[Signature]:
        n = len(self.segments.starts)
        marks: list[list[int]] = [[] for _ in range(n)]
        key = 0
        for sets in _rule_sets(self.net.layers, role):
            for s in sets:
                for i in self.segments.covering(s) if s is not None else range(n):
                    marks[i].append(key)
                key += 1
        zones = self._zones()
        return [(zones[i], self.segments.starts[i] >= V6_BASE, frozenset(marks[i])) for i in range(n)]

    def _zones(self) -> list[str | None]:
        out: list[str | None] = [None] * len(self.segments.starts)
        for lo, hi, zone in self.net.zone_cells:
            for i in self.segments.covering(IntervalSet.span(lo, hi)):
                out[i] = zone
        return out

    def pair(self, src: Signature, dst: Signature) -> IntervalSet:
        key = (src, dst)
        if key not in self.memo:
            self.memo[key] = self._decide(src, dst)
        return self.memo[key]

    def _decide(self, src: Signature, dst: Signature) -> IntervalSet:
        if src[1] != dst[1]:  # no network carries a packet between IPv4 and IPv6
            return IntervalSet()
        allowed = ALL_SERVICES
        key = 0
        src_marks, dst_marks = src[2], dst[2]
        assert isinstance(src_marks, frozenset) and isinstance(dst_marks, frozenset)
        for layer in self.net.layers:
            applies = key + len(layer.rules)
            if applies in src_marks and applies in dst_marks:
                same_zone = src[0] is not None and src[0] == dst[0]
                allowed = allowed.intersection(_first_match(layer, key, src_marks, dst_marks, same_zone))
            key = applies + 1
        return allowed

    def connections(self) -> list[Connection]:
        """Every ordered pair of distinct endpoints (not two external zones) that allows something.
        Endpoints whose segments have the same signatures are computed once, as a group."""
        src_groups: dict[frozenset[Signature], list[int]] = {}
        dst_groups: dict[frozenset[Signature], list[int]] = {}
        for i, e in enumerate(self.net.endpoints):
            src_groups.setdefault(self._sigs(e.addresses, self.src_sig), []).append(i)
            dst_groups.setdefault(self._sigs(e.addresses, self.dst_sig), []).append(i)
        out = []
        ends = self.net.endpoints
        for a_sigs, a_members in src_groups.items():
            for b_sigs, b_members in dst_groups.items():
                services = self._union(a_sigs, b_sigs)
                if not services:
                    continue
                for i in a_members:
                    for j in b_members:
                        if i != j and not (ends[i].external and ends[j].external):
                            out.append(Connection(ends[i].name, ends[j].name, services))
        return sorted(out, key=lambda c: (c.src, c.dst))

    def _union(self, a_sigs: frozenset[Signature], b_sigs: frozenset[Signature]) -> IntervalSet:
        services = IntervalSet()
        for s in a_sigs:
            for d in b_sigs:
                services = services.union(self.pair(s, d))
        return services

    def _sigs(self, addresses: IntervalSet, sigs: list[Signature]) -> frozenset[Signature]:
        return frozenset(sigs[i] for i in self.segments.covering(addresses))


def _first_match(
    layer: Layer, base: int, src: frozenset[object], dst: frozenset[object], same_zone: bool
) -> IntervalSet:
    remaining = ALL_SERVICES
    allowed = IntervalSet()
    for i, rule in enumerate(layer.rules):
        if base + i in src and base + i in dst:
            taken = remaining.intersection(rule.ports)
            if rule.allow:
                allowed = allowed.union(taken)
            remaining = remaining.difference(rule.ports)
            if not remaining:
                return allowed
    if layer.intra_allow if same_zone else layer.inter_allow:
        allowed = allowed.union(remaining)
    return allowed
