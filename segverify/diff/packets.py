"""Diff stage: every packet whose first-match decision differs between two versions, exactly.

Only packets matched by a changed rule can change (rules are matched across versions by name):
a packet no changed rule matches meets the same unchanged rules in the same order on both
sides, so the same one decides it, or the same default when zones and defaults are unchanged.
So the sweep covers each changed rule's box once (boxes already swept are masked out), and the
whole packet space only when zones or defaults differ. Each box is cut, as regions.py cuts a
region, by both versions' rules and zones at once, so first match on either side decides every
cell as a whole. Nothing is sampled.

With enforcement layers on either side (layers.py) the same holds layer by layer: the boxes are
each layer's changed rules, and the whole region of a layer added, removed, or whose defaults or
`applies_to` changed; each box is cut by every rule and `applies_to` of both versions, and the
reference decides one packet of each cell through every layer on each side.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from segverify.model.addresses import ALL_ADDRESSES
from segverify.model.intervals import IntervalSet, union_all
from segverify.model.ports import ALL_SERVICES
from segverify.results import Packet, RuleRef, default_ref
from segverify.semantics.firstmatch import CompiledLayer, Decision, compile_layers, decide_layers
from segverify.semantics.packets import CompiledFlow
from segverify.semantics.regions import FAMILIES, RESTRICTED_CUTS, FlowTable, Part, bits, cut

Box = tuple[IntervalSet, IntervalSet, IntervalSet]  # sources x destinations x services
WHOLE: Box = (ALL_ADDRESSES, ALL_ADDRESSES, ALL_SERVICES)
Keep = Callable[[RuleRef, RuleRef], bool]  # which (before, after) decisions a sweep reports
Decider = tuple[str, RuleRef]  # an enforcement layer ("" the implicit one) and its deciding rule


def differs(before: RuleRef, after: RuleRef) -> bool:
    return before.action != after.action


@dataclass(frozen=True, slots=True)
class ChangedCell:
    """A box of packets that one rule decides before and another, of the other action, after."""

    src: IntervalSet
    dst: IntervalSet
    svc: IntervalSet
    from_zone: str | None
    to_zone: str | None
    before: RuleRef
    after: RuleRef
    # With `layers:` on either side: each side's deciding rule of every applying layer, with the
    # layer's name ("" the implicit one); `before`/`after` are the rules a report cites first.
    rules_before: tuple[Decider, ...] = ()
    rules_after: tuple[Decider, ...] = ()


def _content(cf: CompiledFlow) -> tuple[object, ...]:
    return (cf.sources, cf.destinations, cf.ports, cf.rule.action)


def _box(cf: CompiledFlow) -> Box:
    return (cf.sources, cf.destinations, cf.ports)


def kept_in_order(before: Sequence[str], after: Sequence[str]) -> set[str]:
    """The largest set of names common to both lists whose relative order both keep (an LIS)."""
    position = {name: i for i, name in enumerate(after)}
    seq = [position[n] for n in before if n in position]
    tails: list[int] = []  # tails[k]: index into seq of the smallest tail of a run of length k+1
    parent = [-1] * len(seq)
    for i, value in enumerate(seq):
        lo, hi = 0, len(tails)
        while lo < hi:
            mid = (lo + hi) // 2
            if seq[tails[mid]] < value:
                lo = mid + 1
            else:
                hi = mid
        parent[i] = tails[lo - 1] if lo else -1
        tails[lo : lo + 1] = [i]
    kept, k = set(), tails[-1] if tails else -1
    while k >= 0:
        kept.add(after[seq[k]])
        k = parent[k]
    return kept


def _unique(flows: Sequence[CompiledFlow]) -> dict[str, CompiledFlow] | None:
    named = {cf.rule.name: cf for cf in flows}
    return named if len(named) == len(flows) else None


def changed_boxes(before: FlowTable, after: FlowTable) -> list[Box]:
    """Boxes that together hold every packet whose decision can differ (see the module doc)."""
    old_defaults, new_defaults = before.model.defaults, after.model.defaults
    decisions = (old_defaults.intra_zone, old_defaults.inter_zone) != (
        new_defaults.intra_zone,
        new_defaults.inter_zone,
    )
    if before.zones != after.zones or decisions:  # where they are written does not matter
        return [WHOLE]
    old, new = _unique(before.flows), _unique(after.flows)
    if old is None or new is None:  # names are unique in loaded models; IR built by hand may not be
        return [WHOLE]
    same = {n for n in old if n in new and _content(old[n]) == _content(new[n])}
    kept = kept_in_order([n for n in old if n in same], [n for n in new if n in same])
    boxes = [_box(cf) for cf in before.flows if cf.rule.name not in kept]
    boxes += [_box(cf) for cf in after.flows if cf.rule.name not in kept]
    return list(dict.fromkeys(b for b in boxes if all(b)))


def changed_cells(before: FlowTable, after: FlowTable) -> Iterator[ChangedCell]:
    """Every packet decided differently, as disjoint cells (each in exactly one)."""
    if layered(before, after):
        return cells_in(before, after, layered_boxes(before, after), differs)
    return cells_in(before, after, changed_boxes(before, after), differs)


def cells_in(before: FlowTable, after: FlowTable, boxes: Sequence[Box], keep: Keep) -> Iterator[ChangedCell]:
    """The packets of the boxes' union whose two decisions `keep` holds for, as disjoint cells."""
    sweep = LayeredPairSweep if layered(before, after) else PairSweep
    for k, box in enumerate(boxes):
        yield from sweep(before, after, box, boxes[:k], keep).cells()


# ---- enforcement layers ------------------------------------------------------------------------


def layered(before: FlowTable, after: FlowTable) -> bool:
    return bool(before.model.layers or after.model.layers)


def every_layer(table: FlowTable) -> tuple[CompiledLayer, ...]:
    """The version's layers as the reference compiles them (without `layers:`: the implicit one)."""
    return table.layers or compile_layers(table.model, table.resolver)


def deciders(table: FlowTable, packet: Packet) -> tuple[Decider, ...]:
    """The reference's decision, through every layer, with the layer of each deciding rule."""
    applying = [layer.name for layer in every_layer(table) if layer.applies(packet)]
    return tuple(zip(applying, table.decision(packet).rules, strict=True))


def cited(rules: tuple[Decider, ...]) -> RuleRef:
    """The rule a report cites (firstmatch.Decision.rule): the first denying one, else the first."""
    return Decision(tuple(r for _, r in rules)).rule


def _scope(layer: CompiledLayer) -> tuple[object, ...]:
    return (layer.sources, layer.destinations, layer.intra.action, layer.inter.action)


def _region(layer: CompiledLayer) -> Box:
    src = ALL_ADDRESSES if layer.sources is None else layer.sources
    dst = ALL_ADDRESSES if layer.destinations is None else layer.destinations
    return (src, dst, ALL_SERVICES)


def _deniable(layer: CompiledLayer | None) -> list[Box]:
    """Boxes holding every packet the layer denies. A packet it allows passes it as if it were not
    there, so a layer one side lacks changes only what it denies: with both defaults allow, what
    its deny rules match where it applies; else everything it applies to."""
    if layer is None:
        return []
    if (layer.intra.action, layer.inter.action) != ("allow", "allow"):
        return [_region(layer)]
    src, dst, _ = _region(layer)
    return [
        (cf.sources.intersection(src), cf.destinations.intersection(dst), cf.ports)
        for cf in layer.rules
        if cf.rule.action == "deny"
    ]


def _changed_rules(old: Sequence[CompiledFlow], new: Sequence[CompiledFlow]) -> list[Box] | None:
    """The boxes of one layer's rules not kept, in content and order, on both sides (None: names
    are not unique, so rules cannot be matched)."""
    a, b = _unique(old), _unique(new)
    if a is None or b is None:
        return None
    same = {n for n in a if n in b and _content(a[n]) == _content(b[n])}
    kept = kept_in_order([n for n in a if n in same], [n for n in b if n in same])
    return [_box(cf) for cf in (*old, *new) if cf.rule.name not in kept]


def layered_boxes(before: FlowTable, after: FlowTable) -> list[Box]:
    """Boxes that together hold every packet whose decision, through every layer, can differ.

    A packet outside them meets, in each layer of either side, the same `applies_to`, the same
    defaults and the same unchanged rules in the same order, or is allowed by a layer that only
    one side has (_deniable): each layer that both sides have decides it alike, the others let it
    pass, so the conjunction is the same.
    """
    if before.zones != after.zones:
        return [WHOLE]
    old = {layer.name: layer for layer in every_layer(before)}
    new = {layer.name: layer for layer in every_layer(after)}
    boxes: list[Box] = []
    for name in sorted(old.keys() | new.keys()):
        a, b = old.get(name), new.get(name)
        if a is None or b is None:  # a layer added or removed: what it may deny
            boxes += _deniable(a or b)
            continue
        rules = None if _scope(a) != _scope(b) else _changed_rules(a.rules, b.rules)
        if rules is None:  # rescoped, other defaults, or rules not matched by name: all it decides
            boxes += [_region(a), _region(b)]
        else:
            boxes += rules
    return list(dict.fromkeys(b for b in boxes if all(b)))


class LayeredPairSweep:
    """One box of a layered diff cut by the rules, `applies_to` sets and zones of both versions
    that meet it (and by the boxes in `done`, which are left out).

    A rule that does not meet the box matches none of its packets, so each side's layers keep only
    the rules that do. Inside a cell every packet matches the same rules, lies in the same
    `applies_to` sets and in the same zones on both sides: the reference's decide_layers on one
    packet of the cell decides all of it. Cells with the same memberships share that answer.
    """

    def __init__(
        self, before: FlowTable, after: FlowTable, box: Box, done: Sequence[Box], keep: Keep = differs
    ) -> None:
        self.tables = (before, after)
        self.keep = keep
        self.box = box
        self.done = [d for d in done if self._meets(d)]
        self.layers = tuple(self._restricted(t) for t in self.tables)
        rules = [cf for side in self.layers for layer in side for cf in layer.rules]
        scoped = [x for side in self.layers for x in side]
        zones = [s for t in self.tables for _, s in t.zones]
        # Every set's bit in a part's membership mask: done boxes, rules, applies_to, zones.
        self.sets = (
            [d[0] for d in self.done]
            + [cf.sources for cf in rules]
            + [x.sources for x in scoped if x.sources is not None]
            + zones,
            [d[1] for d in self.done]
            + [cf.destinations for cf in rules]
            + [x.destinations for x in scoped if x.destinations is not None]
            + zones,
            [d[2] for d in self.done] + [cf.ports for cf in rules],
        )
        self.done_bits = (1 << len(self.done)) - 1
        self.matching = (1 << (len(self.done) + len(rules))) - 1  # done boxes' and rules' bits
        self._dst_cuts: dict[int, list[Part]] = {}
        self._svc_cuts: dict[int, list[Part]] = {}
        self._decided: dict[tuple[int, int, int], tuple[tuple[Decider, ...], tuple[Decider, ...]]] = {}

    def _meets(self, other: Box) -> bool:
        return all(a.intersects(b) for a, b in zip(self.box, other, strict=True))

    def _restricted(self, table: FlowTable) -> tuple[CompiledLayer, ...]:
        """The side's layers with only the rules that can match a packet of the box."""
        return tuple(
            dataclasses.replace(layer, rules=tuple(cf for cf in layer.rules if self._meets(_box(cf))))
            for layer in every_layer(table)
        )

    def _zone(self, address: int) -> str | None:
        """A packet end's zone as reported: its zone in AFTER, else its zone in BEFORE."""
        before, after = (t.resolver.zone_of(address) for t in self.tables)
        return after if after is not None else before

    def _deciders(self, probe: Packet, key: tuple[int, int, int]) -> tuple[tuple[Decider, ...], ...]:
        if key not in self._decided:
            sides = []
            for table, layers in zip(self.tables, self.layers, strict=True):
                applying = [layer.name for layer in layers if layer.applies(probe)]
                decision = decide_layers(layers, table.resolver, probe)
                sides.append(tuple(zip(applying, decision.rules, strict=True)))
            self._decided[key] = (sides[0], sides[1])
        return self._decided[key]

    def cells(self) -> Iterator[ChangedCell]:
        if not all(self.box):
            return
        for spart in cut(self.box[0], self.sets[0], ()):
            for dpart in self._dst_parts(spart.flows & self.matching):
                for family in FAMILIES:  # a packet's two addresses are of one family
                    src, dst = spart.addrs.intersection(family), dpart.addrs.intersection(family)
                    if src and dst:
                        yield from self._cells(spart, dpart, src, dst)

    def _dst_parts(self, sources: int) -> list[Part]:
        """The destinations cut by the rules (and done boxes) whose sources hold a source class
        (`sources`, their bits), and by every applies_to set and zone: no other rule can match."""
        if sources not in self._dst_cuts:
            sets = [
                x if k >= self.matching.bit_length() or sources >> k & 1 else IntervalSet()
                for k, x in enumerate(self.sets[1])
            ]
            self._dst_cuts[sources] = cut(self.box[1], sets, ())
        return self._dst_cuts[sources]

    def _svc_parts(self, both: int) -> list[Part]:
        """The services cut by the rules (and done boxes) both ends of a class meet."""
        if both not in self._svc_cuts:
            sets = [x if both >> k & 1 else IntervalSet() for k, x in enumerate(self.sets[2])]
            self._svc_cuts[both] = cut(self.box[2], sets, ())
        return self._svc_cuts[both]

    def _cells(self, spart: Part, dpart: Part, src: IntervalSet, dst: IntervalSet) -> Iterator[ChangedCell]:
        both = spart.flows & dpart.flows & self.matching
        for piece in self._svc_parts(both):
            every = both & piece.flows
            if every & self.done_bits:
                continue  # the cut holds each done box whole or not at all: the cell was swept before
            probe = Packet(src.first(), dst.first(), piece.addrs.first())
            # what decides the cell: the rules it matches, and the source's and destination's
            # memberships in applies_to sets and zones
            key = (every, spart.flows & ~self.matching, dpart.flows & ~self.matching)
            old, new = self._deciders(probe, key)
            before, after = cited(old), cited(new)
            if self.keep(before, after):
                zones = (self._zone(probe.src), self._zone(probe.dst))
                yield ChangedCell(src, dst, piece.addrs, *zones, before, after, old, new)


class PairSweep:
    """One box cut by both versions' rules and zones; the boxes in `done` are left out."""

    def __init__(
        self, before: FlowTable, after: FlowTable, box: Box, done: Sequence[Box], keep: Keep = differs
    ) -> None:
        self.tables = (before, after)
        self.keep = keep
        self.box = box
        done = [d for d in done if self._meets(d)]
        old = [_box(cf) for cf in before.flows if self._meets(_box(cf))]
        new = [_box(cf) for cf in after.flows if self._meets(_box(cf))]
        self.rules = (
            [cf.rule for cf in before.flows if self._meets(_box(cf))],
            [cf.rule for cf in after.flows if self._meets(_box(cf))],
        )
        self.sets: list[Box] = [*done, *old, *new]
        self.offsets = (len(done), len(done) + len(old), len(self.sets))
        self.zone_names = [name for t in (before, after) for name, _ in t.zones]
        self.zone_split = len(before.zones)
        self.tags = [s for t in (before, after) for _, s in t.zones]
        self._dst_cuts: dict[int, list[Part]] = {}
        self._fine: list[Part] | None = None
        self._walks: dict[tuple[int, bool, bool], list[tuple[IntervalSet, RuleRef, RuleRef]]] = {}

    def _meets(self, other: Box) -> bool:
        return all(a.intersects(b) for a, b in zip(self.box, other, strict=True))

    def _zones(self, tags: int) -> tuple[str | None, str | None]:
        """The part's zone in each version (zones of one version are disjoint: one bit at most)."""
        old, new = tags & ((1 << self.zone_split) - 1), tags >> self.zone_split
        return (
            self.zone_names[old.bit_length() - 1] if old else None,
            self.zone_names[self.zone_split + new.bit_length() - 1] if new else None,
        )

    def _dst_parts(self, src_flows: int) -> list[Part]:
        # As regions.Sweep.dst_parts: a few source classes get their own cut, the rest share one.
        if src_flows in self._dst_cuts:
            return self._dst_cuts[src_flows]
        if len(self._dst_cuts) >= RESTRICTED_CUTS:
            if self._fine is None:
                self._fine = cut(self.box[1], [b[1] for b in self.sets], (), self.tags)
            return self._fine
        sets = [b[1] if src_flows >> i & 1 else IntervalSet() for i, b in enumerate(self.sets)]
        self._dst_cuts[src_flows] = cut(self.box[1], sets, (), self.tags)
        return self._dst_cuts[src_flows]

    def _walk_side(
        self, side: int, flows: int, svc: IntervalSet, intra: bool
    ) -> list[tuple[IntervalSet, RuleRef]]:
        """First match of one version over a class's services (as regions.Sweep.walk)."""
        lo, hi = self.offsets[side], self.offsets[side + 1]
        out, rest = [], svc
        for i in bits(flows >> lo & ((1 << (hi - lo)) - 1)):
            hit = rest.intersection(self.sets[lo + i][2])
            if hit:
                out.append((hit, self.rules[side][i]))
                rest = rest.difference(self.sets[lo + i][2])
                if not rest:
                    break
        if rest:
            out.append((rest, default_ref(self.tables[side].model.defaults, intra)))
        return out

    def _walk(self, flows: int, intra: tuple[bool, bool]) -> list[tuple[IntervalSet, RuleRef, RuleRef]]:
        """The services of a class whose decision differs, with the rule deciding each side."""
        key = (flows, *intra)
        if key not in self._walks:
            masked = [self.sets[i][2] for i in bits(flows & ((1 << self.offsets[0]) - 1))]
            rest = self.box[2].difference(union_all(masked))
            out = []
            for svc, old in self._walk_side(0, flows, rest, intra[0]):
                for piece, new in self._walk_side(1, flows, svc, intra[1]):
                    if self.keep(old, new):
                        out.append((piece, old, new))
            self._walks[key] = out
        return self._walks[key]

    def cells(self) -> Iterator[ChangedCell]:
        if not all(self.box):
            return
        for part in cut(self.box[0], [b[0] for b in self.sets], (), self.tags):
            yield from self._cells_of(part)

    def _cells_of(self, part: Part) -> Iterator[ChangedCell]:
        src_zones = self._zones(part.tags)
        src_sides = [(s, f) for f in FAMILIES if (s := part.addrs.intersection(f))]
        for dpart in self._dst_parts(part.flows):
            dst_zones = self._zones(dpart.tags)
            intra = tuple(a is not None and a == b for a, b in zip(src_zones, dst_zones, strict=True))
            changed = self._walk(part.flows & dpart.flows, (intra[0], intra[1]))
            if not changed:
                continue
            # A packet's two addresses are of one family (as regions.Sweep.cells_of).
            sides = [(s, d) for s, f in src_sides if (d := dpart.addrs.intersection(f))]
            for svc, old, new in changed:
                for s, d in sides:
                    yield ChangedCell(s, d, svc, _zone(src_zones), _zone(dst_zones), old, new)


def _zone(zones: tuple[str | None, str | None]) -> str | None:
    """A packet end's zone as reported: its zone in AFTER, else its zone in BEFORE."""
    return zones[1] if zones[1] is not None else zones[0]
