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
from typing import NamedTuple

from segverify.connectivity.layers import Layer, LayerRule, Network
from segverify.model.addresses import V6_BASE
from segverify.model.intervals import IntervalSet
from segverify.model.ports import ALL_SERVICES

Signature = tuple[object, ...]


class Connection(NamedTuple):
    """One allowed pair (a tuple: made for every pair, millions at 2,000 pods)."""

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
        # Bit k of a segment's mask: the k-th rule (or a layer's applies_to, after its rules)
        # matches the segment's addresses as a source (src) or destination (dst).
        self.bases = []
        key = 0
        for layer in network.layers:
            self.bases.append(key)
            key += len(layer.rules) + 1
        # Signatures are numbered: segment -> signature number, number -> signature.
        self.src_table: list[Signature] = []
        self.dst_table: list[Signature] = []
        self.src_sig = _numbered(self._signatures("src"), self.src_table)
        self.dst_sig = _numbered(self._signatures("dst"), self.dst_table)
        self.memo: dict[tuple[int, int], IntervalSet] = {}
        self.by_common: dict[tuple[int, bool], IntervalSet] = {}
        self.layer_memo: dict[tuple[int, int, bool], IntervalSet] = {}
        # Keyed by the ids of layer answers: each is kept alive in layer_memo, so ids stay unique.
        self.meet: dict[tuple[int, ...], IntervalSet] = {}

    def _signatures(self, role: str) -> list[Signature]:
        n = len(self.segments.starts)
        marks = [0] * n
        key = 0
        for sets in _rule_sets(self.net.layers, role):
            for s in sets:
                bit = 1 << key
                for i in self.segments.covering(s) if s is not None else range(n):
                    marks[i] |= bit
                key += 1
        zones = self._zones()
        return [(zones[i], self.segments.starts[i] >= V6_BASE, marks[i]) for i in range(n)]

    def _zones(self) -> list[str | None]:
        out: list[str | None] = [None] * len(self.segments.starts)
        for lo, hi, zone in self.net.zone_cells:
            for i in self.segments.covering(IntervalSet.span(lo, hi)):
                out[i] = zone
        return out

    def pair(self, src: int, dst: int) -> IntervalSet:
        key = (src, dst)
        found = self.memo.get(key)
        if found is None:
            found = self.memo[key] = self._decide(self.src_table[src], self.dst_table[dst])
        return found

    def _decide(self, src: Signature, dst: Signature) -> IntervalSet:
        if src[1] != dst[1]:  # no network carries a packet between IPv4 and IPv6
            return IntervalSet()
        src_marks, dst_marks = src[2], dst[2]
        assert isinstance(src_marks, int) and isinstance(dst_marks, int)
        common = src_marks & dst_marks  # the rules (and applies_to) matching both ends
        same_zone = src[0] is not None and src[0] == dst[0]
        # The answer is a function of these two alone: many pairs of signatures share them.
        found = self.by_common.get((common, same_zone))
        if found is None:
            found = self.by_common[common, same_zone] = self._through_layers(common, same_zone)
        return found

    def _through_layers(self, common: int, same_zone: bool) -> IntervalSet:
        answers = []
        for n, layer in enumerate(self.net.layers):
            size = len(layer.rules)
            bits = common >> self.bases[n]
            if bits >> size & 1:  # the layer applies to this pair
                answers.append(self._layer(n, bits & ((1 << size) - 1), same_zone))
        key = tuple(id(a) for a in answers)
        found = self.meet.get(key)
        if found is None:
            found = ALL_SERVICES
            for answer in answers:
                found = found.intersection(answer)
            self.meet[key] = found
        return found

    def _layer(self, n: int, matching: int, same_zone: bool) -> IntervalSet:
        """One layer's answer; many pairs of ends match the same rules, so it is kept per rule set."""
        key = (n, matching, same_zone)
        found = self.layer_memo.get(key)
        if found is None:
            layer = self.net.layers[n]
            rules = [r for i, r in enumerate(layer.rules) if matching >> i & 1]
            found = self.layer_memo[key] = _first_match(layer, rules, same_zone)
        return found

    def connections(self) -> list[Connection]:
        """Every ordered pair of distinct endpoints (not two external zones) that allows something,
        sorted by name. Endpoints whose segments have the same signatures share one row, and
        pairs with the same services share one IntervalSet (rendering encodes each once)."""
        ends = sorted(self.net.endpoints, key=lambda e: e.name)
        src_groups: dict[frozenset[int], list[int]] = {}
        dst_groups: dict[frozenset[int], list[int]] = {}
        for i, e in enumerate(ends):
            src_groups.setdefault(self._sigs(e.addresses, self.src_sig), []).append(i)
            dst_groups.setdefault(self._sigs(e.addresses, self.dst_sig), []).append(i)
        shared: dict[IntervalSet, IntervalSet] = {}
        dst_items = list(dst_groups.items())
        group_of = [0] * len(ends)  # endpoint -> its destination group
        for g, (_, b_members) in enumerate(dst_items):
            for j in b_members:
                group_of[j] = g
        rows: list[list[tuple[int, IntervalSet]]] = [[] for _ in ends]
        for a_sigs, a_members in src_groups.items():
            by_group = [self._union(a_sigs, b_sigs, shared) for b_sigs, _ in dst_items]
            row = [(j, services) for j, services in enumerate([by_group[g] for g in group_of]) if services]
            for i in a_members:
                rows[i] = row
        names = [e.name for e in ends]
        external = [e.external for e in ends]
        out: list[Connection] = []
        for i, row in enumerate(rows):
            src = names[i]
            if external[i]:
                out.extend(
                    Connection(src, names[j], services) for j, services in row if j != i and not external[j]
                )
            else:
                out.extend(Connection(src, names[j], services) for j, services in row if j != i)
        return out

    def _union(
        self, a_sigs: frozenset[int], b_sigs: frozenset[int], shared: dict[IntervalSet, IntervalSet]
    ) -> IntervalSet:
        """The union of every pair's services: a pair's own (memoised) set when one pair decides
        it, else one copy per distinct union (`shared`)."""
        found: IntervalSet | None = None
        for s in a_sigs:
            for d in b_sigs:
                services = self.pair(s, d)
                if services and services is not found:
                    found = services if found is None else found.union(services)
        if found is None:
            return _NOTHING
        if len(a_sigs) == 1 and len(b_sigs) == 1:
            return found
        return shared.setdefault(found, found)

    def _sigs(self, addresses: IntervalSet, sigs: list[int]) -> frozenset[int]:
        return frozenset(sigs[i] for i in self.segments.covering(addresses))


_NOTHING = IntervalSet()


def _numbered(signatures: list[Signature], table: list[Signature]) -> list[int]:
    numbers: dict[Signature, int] = {}
    out = []
    for sig in signatures:
        if sig not in numbers:
            numbers[sig] = len(table)
            table.append(sig)
        out.append(numbers[sig])
    return out


def _first_match(layer: Layer, rules: list[LayerRule], same_zone: bool) -> IntervalSet:
    """What the layer allows between two ends that `rules` (in order) match: first match over ports."""
    remaining = ALL_SERVICES
    allowed = IntervalSet()
    for rule in rules:
        taken = remaining.intersection(rule.ports)
        if rule.allow:
            allowed = allowed.union(taken)
        remaining = remaining.difference(rule.ports)
        if not remaining:
            return allowed
    if layer.intra_allow if same_zone else layer.inter_allow:
        allowed = allowed.union(remaining)
    return allowed
