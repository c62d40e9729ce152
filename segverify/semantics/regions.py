"""Semantics stage: exact questions over a region of packets (sources x destinations x services).

The region is cut into cells that no rule, zone or region boundary crosses, so first match
decides each cell as a whole. Sources are cut first; each source class then cuts destinations
only by the rules it can meet, and the services of a (source, destination) class are walked
through those rules in order. Nothing is sampled: every answer holds for every packet.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

from segverify.model.addresses import IPV4_ALL, IPV6_ALL, V6_BASE, cidr_set, pick_address
from segverify.model.intervals import Interval, IntervalSet
from segverify.model.ir import Model
from segverify.model.ports import pick_svc
from segverify.model.refs import Resolver
from segverify.results import Packet, RuleRef, default_ref
from segverify.semantics.firstmatch import Decision, compile_layers, decide_layers
from segverify.semantics.packets import CompiledFlow, compile_flows, decide_compiled

Want = Literal["allow", "deny"]
RESTRICTED_CUTS = 4  # source classes that get their own destination cut before one shared cut


@dataclass(frozen=True, slots=True)
class Part:
    """One class of a cut: addresses that every rule, zone and caller set treats alike."""

    addrs: IntervalSet
    flows: int  # bitmask over the sweep's active rules whose side contains these addresses
    zone: str | None
    tags: int  # bitmask over the caller's sets that contain these addresses


@dataclass(frozen=True, slots=True)
class Cell:
    """A box of packets that one rule (or default) decides as a whole."""

    src: IntervalSet
    dst: IntervalSet
    svc: IntervalSet
    rule: RuleRef
    src_tags: int = 0
    dst_tags: int = 0
    rules: tuple[RuleRef, ...] = ()  # with `layers:`, the deciding rule of every layer that applies

    @property
    def deciders(self) -> tuple[RuleRef, ...]:
        """Every rule that decides the cell in some layer (without layers: `rule`)."""
        return self.rules or (self.rule,)

    def packet(self) -> Packet:
        """A readable member of the cell."""
        dst = readable_address(self.dst)
        return Packet(readable_source(self.src, dst), dst, pick_svc(self.svc))


FAMILIES = (IPV4_ALL, IPV6_ALL)


class DstClass:
    """A destination part of one cut, numbered within its sweep, with its share of each family.

    The number names the part for the sweep's life: two cells from one (number, family) share the
    same destination set, which callers use to skip repeats without hashing or comparing intervals.
    """

    __slots__ = ("part", "number", "_shares")

    def __init__(self, part: Part, number: int) -> None:
        self.part = part
        self.number = number
        self._shares: list[IntervalSet | None] = [None] * len(FAMILIES)

    def share(self, family: int) -> IntervalSet:
        # Every source class meets the same destination parts; a part of a hundred thousand
        # host addresses is split by family once, not once per source class.
        found = self._shares[family]
        if found is None:
            found = self._shares[family] = self.part.addrs.intersection(FAMILIES[family])
        return found


# (destination key, service key, cell): the keys name the cell's destination share and service
# piece within its sweep; equal keys, equal sets (the sets of unequal keys may still be equal).
# A plain tuple: one is made per cell, and a frozen dataclass costs more to build.
KeyedCell = tuple[int, int, Cell]


# Documentation ranges (RFC 5737, RFC 3849): an "internet" witness reads as an example address.
_DOC_RANGES = tuple(
    cidr_set(c) for c in ("203.0.113.0/24", "198.51.100.0/24", "192.0.2.0/24", "2001:db8::/32")
)


def readable_address(addrs: IntervalSet) -> int:
    """A deterministic member; from a documentation range when the set reaches one."""
    for doc in _DOC_RANGES:
        hit = addrs.intersection(doc)
        if hit:
            return pick_address(hit)
    return pick_address(addrs)


def readable_source(addrs: IntervalSet, dst: int) -> int:
    """A source for a packet to `dst`, of the same family when the set has one.

    Packets may mix families (the decided semantics), but a witness that does reads as nonsense.
    """
    same = addrs.intersection(IPV6_ALL if dst >= V6_BASE else IPV4_ALL)
    return readable_address(same or addrs)


def bits(mask: int) -> Iterator[int]:
    """The set bits of a mask, lowest first (rule masks: list order)."""
    while mask:
        low = mask & -mask
        yield low.bit_length() - 1
        mask ^= low


def _flip_points(events: dict[int, int], sets: Sequence[IntervalSet], shift: int, hull: Interval) -> None:
    """Each set's bit flips where the set starts and one past where it ends.

    Intervals outside the region's hull cannot change any in-region segment and are skipped;
    the rest need no clipping, since only segments inside the region are kept.
    """
    first, last = hull
    for k, s in enumerate(sets):
        bit = 1 << (shift + k)
        for lo, hi in s:
            if hi < first or lo > last:
                continue
            events[lo] = events.get(lo, 0) ^ bit
            events[hi + 1] = events.get(hi + 1, 0) ^ bit


def _segments(region: IntervalSet, events: dict[int, int], width: int) -> dict[int, list[Interval]]:
    """Walk the flip points in order; collect each in-region segment under its membership key."""
    region_bit = 1 << width
    _flip_points(events, (region,), width, _hull(region))
    groups: dict[int, list[Interval]] = {}
    points = sorted(events)
    mask = 0
    for here, nxt in zip(points, points[1:], strict=False):
        mask ^= events[here]
        if mask & region_bit:
            groups.setdefault(mask ^ region_bit, []).append((here, nxt - 1))
    return groups


def _hull(region: IntervalSet) -> Interval:
    return (region.intervals[0][0], region.intervals[-1][1]) if region else (1, 0)


def cut(
    region: IntervalSet,
    flow_sets: Sequence[IntervalSet],
    zones: Sequence[tuple[str, IntervalSet]],
    tags: Sequence[IntervalSet] = (),
) -> list[Part]:
    """Partition `region` by membership in every flow set, zone and tag set (sorted by first address)."""
    n, t = len(flow_sets), len(tags)
    events: dict[int, int] = {}
    hull = _hull(region)
    _flip_points(events, flow_sets, 0, hull)
    _flip_points(events, tags, n, hull)
    _flip_points(events, [s for _, s in zones], n + t, hull)
    parts = []
    for key, intervals in _segments(region, events, n + t + len(zones)).items():
        zone_bits = key >> (n + t)
        zone = zones[zone_bits.bit_length() - 1][0] if zone_bits else None
        parts.append(Part(IntervalSet.of(intervals), key & ((1 << n) - 1), zone, (key >> n) & ((1 << t) - 1)))
    return sorted(parts, key=lambda p: p.addrs.first())


class Sweep:
    """One region cut into cells; optional tag sets let callers map cells back to hosts."""

    def __init__(
        self,
        table: FlowTable,
        region: tuple[IntervalSet, IntervalSet, IntervalSet],
        src_tags: Sequence[IntervalSet] = (),
        dst_tags: Sequence[IntervalSet] = (),
        candidates: Sequence[CompiledFlow] | None = None,
        zones: Sequence[tuple[str, IntervalSet]] | None = None,
    ) -> None:
        self.table = table
        self.src, self.dst, self.svc = region
        self.src_tags, self.dst_tags = src_tags, dst_tags
        self.empty = not (self.src and self.dst and self.svc)
        # A caller that indexed the rules or zones (lint) may name, in list order, a superset of
        # the rules that meet the region (`candidates`) and the zones that meet it (`zones`; none
        # when no default can decide a packet of the region), instead of a scan of all per region.
        pool = table.flows if candidates is None else candidates
        self.active: list[CompiledFlow] = [] if self.empty else [cf for cf in pool if self._meets(cf)]
        self.zones = table.zones if zones is None else tuple(zones)
        self._dst_cuts: dict[int, list[DstClass]] = {}
        self._fine: list[DstClass] | None = None
        self._classes = 0  # destination classes numbered so far
        self._walks: dict[tuple[int, bool], list[tuple[int, IntervalSet, RuleRef]]] = {}
        self._pieces = 0  # service pieces numbered so far

    def _meets(self, cf: CompiledFlow) -> bool:
        # A rule that cannot meet the region never decides any of it: slice it away first.
        return (
            cf.sources.intersects(self.src)
            and cf.destinations.intersects(self.dst)
            and cf.ports.intersects(self.svc)
        )

    def src_parts(self) -> list[Part]:
        if self.empty:
            return []
        return cut(self.src, [cf.sources for cf in self.active], self.zones, self.src_tags)

    def dst_classes(self, src_flows: int) -> list[DstClass]:
        """The destination cut for a source class.

        For the first few source classes, only the rules a class meets split its destinations
        (fewer, larger cells). Past that, one cut by every rule serves all classes: cells_of
        masks each part by the class's rules, so the answer is the same and the cost is one cut.
        """
        if src_flows in self._dst_cuts:
            return self._dst_cuts[src_flows]
        if len(self._dst_cuts) >= RESTRICTED_CUTS:
            if self._fine is None:
                self._fine = self._numbered([cf.destinations for cf in self.active])
            return self._fine
        sets = [cf.destinations if src_flows >> i & 1 else IntervalSet() for i, cf in enumerate(self.active)]
        self._dst_cuts[src_flows] = self._numbered(sets)
        return self._dst_cuts[src_flows]

    def _numbered(self, sets: list[IntervalSet]) -> list[DstClass]:
        parts = cut(self.dst, sets, self.zones, self.dst_tags)
        start, self._classes = self._classes, self._classes + len(parts)
        return [DstClass(part, start + i) for i, part in enumerate(parts)]

    def walk(self, flows: int, intra: bool) -> list[tuple[int, IntervalSet, RuleRef]]:
        """The services of one (source, destination) class, split by first match in rule order."""
        key = (flows, intra)
        if key not in self._walks:
            out, rest = [], self.svc
            for i in bits(flows):
                cf = self.active[i]
                hit = rest.intersection(cf.ports)
                if hit:
                    out.append((self._piece(), hit, cf.rule))
                    rest = rest.difference(cf.ports)
                    if not rest:
                        break
            if rest:
                out.append((self._piece(), rest, default_ref(self.table.model.defaults, intra)))
            self._walks[key] = out
        return self._walks[key]

    def _piece(self) -> int:
        self._pieces += 1
        return self._pieces - 1

    def keyed_cells_of(self, part: Part) -> Iterator[KeyedCell]:
        # A packet's two addresses are of one family: IPv4 to IPv4, IPv6 to IPv6. The source's
        # share of each family is the same for every destination class: split it once.
        src_sides = [(part.addrs.intersection(f), k) for k, f in enumerate(FAMILIES)]
        src_sides = [(s, k) for s, k in src_sides if s]
        for dclass in self.dst_classes(part.flows):
            dpart = dclass.part
            intra = part.zone is not None and part.zone == dpart.zone
            sides = [
                (s, d, dclass.number * len(FAMILIES) + k) for s, k in src_sides if (d := dclass.share(k))
            ]
            if not sides:
                continue
            for piece, svc, rule in self.walk(part.flows & dpart.flows, intra):
                for s, d, dst_key in sides:
                    yield dst_key, piece, Cell(s, d, svc, rule, part.tags, dpart.tags)

    def cells_of(self, part: Part) -> Iterator[Cell]:
        return (cell for _, _, cell in self.keyed_cells_of(part))

    def keyed_cells(self) -> Iterator[KeyedCell]:
        for part in self.src_parts():
            yield from self.keyed_cells_of(part)

    def cells(self) -> Iterator[Cell]:
        return (cell for _, _, cell in self.keyed_cells())


class LayeredSweep:
    """A region of a layered model cut into cells that no rule of any layer, no `applies_to`
    and no zone boundary crosses; one packet of each cell is decided by firstmatch, which then
    holds for the whole cell. Plain and exact; it favours being obviously right over speed."""

    def __init__(
        self,
        table: FlowTable,
        region: tuple[IntervalSet, IntervalSet, IntervalSet],
        src_tags: Sequence[IntervalSet] = (),
        dst_tags: Sequence[IntervalSet] = (),
    ) -> None:
        self.table = table
        self.src, self.dst, self.svc = region
        self.src_tags, self.dst_tags = src_tags, dst_tags
        # A rule that meets no packet of the region matches none of its probes: each layer keeps
        # the others, in their order (first match over them is first match over all).
        self.layers = tuple(
            dataclasses.replace(layer, rules=tuple(cf for cf in layer.rules if self._meets(cf)))
            for layer in table.layers
        )

        src, dst, svc = self._sides()
        self.empty = not (self.src and self.dst and self.svc)
        self._src_sets = src
        # Cells hand out the same destination and service objects for as long as the sweep lives
        # (callers may tell them apart by identity, as with Sweep).
        self._services = [] if self.empty else cut(self.svc, svc, ())
        dparts = [] if self.empty else cut(self.dst, dst, table.zones, dst_tags)
        self._dst = [
            (dpart, family, share)
            for dpart in dparts
            for family in FAMILIES
            if (share := dpart.addrs.intersection(family))
        ]

    def _meets(self, cf: CompiledFlow) -> bool:
        src, dst, svc = self.src, self.dst, self.svc
        return cf.ports.intersects(svc) and cf.destinations.intersects(dst) and cf.sources.intersects(src)

    def _sides(self) -> tuple[list[IntervalSet], list[IntervalSet], list[IntervalSet]]:
        src, dst, svc = [], [], []
        for layer in self.layers:
            src += [cf.sources for cf in layer.rules] + ([layer.sources] if layer.sources is not None else [])
            dst += [cf.destinations for cf in layer.rules]
            dst += [layer.destinations] if layer.destinations is not None else []
            svc += [cf.ports for cf in layer.rules]
        return src, dst, svc

    def src_parts(self) -> list[Part]:
        if self.empty:
            return []
        return cut(self.src, self._src_sets, self.table.zones, self.src_tags)

    def keyed_cells_of(self, part: Part) -> Iterator[KeyedCell]:
        """Cells keyed as Sweep's are: the destination share's and the service piece's numbers."""
        shares = {family.first(): s for family in FAMILIES if (s := part.addrs.intersection(family))}
        for dst_key, (dpart, family, d) in enumerate(self._dst):
            src = shares.get(family.first())
            if src is None:
                continue
            for svc_key, piece in enumerate(self._services):
                probe = Packet(src.first(), d.first(), piece.addrs.first())
                decision = decide_layers(self.layers, self.table.resolver, probe)
                yield (
                    dst_key,
                    svc_key,
                    Cell(src, d, piece.addrs, decision.rule, part.tags, dpart.tags, decision.rules),
                )

    def cells_of(self, part: Part) -> Iterator[Cell]:
        return (cell for _, _, cell in self.keyed_cells_of(part))

    def keyed_cells(self) -> Iterator[KeyedCell]:
        for part in self.src_parts():
            yield from self.keyed_cells_of(part)

    def cells(self) -> Iterator[Cell]:
        return (cell for _, _, cell in self.keyed_cells())


class FlowTable:
    """The compiled rule list of one model; answers exact questions over regions."""

    def __init__(self, model: Model, resolver: Resolver) -> None:
        self.model = model
        self.resolver = resolver
        self.flows = compile_flows(model, resolver)
        self.layers = compile_layers(model, resolver) if model.layers else ()
        self._decided: dict[Packet, RuleRef] = {}
        self._decisions: dict[Packet, Decision] = {}  # with layers
        self._by_svc: dict[int, tuple[CompiledFlow, ...]] = {}
        self.zones: tuple[tuple[str, IntervalSet], ...] = tuple(sorted(resolver.zone_sets.items()))

    def decision(self, packet: Packet) -> Decision:
        """Every applying layer's deciding rule (without layers: the one rule of `decide`)."""
        if self.layers:
            # As in decide: replayed paths share their hops, and each is decided once.
            found = self._decisions.get(packet)
            if found is None:
                found = self._decisions[packet] = decide_layers(self.layers, self.resolver, packet)
            return found
        return Decision((self.decide(packet),))

    def decide(self, packet: Packet) -> RuleRef:
        # A blast-radius witness replays a path per controlled host, and paths share their
        # first hops: the same packets, each a scan of every rule. First match is a pure
        # function of the packet, so each is decided once.
        if self.layers:
            return self.decision(packet).rule
        if packet not in self._decided:
            # A rule whose ports miss the packet's service cannot match it; the others, in their
            # order, give the same first match. Distinct packets (a blast witness's last hops)
            # would each scan every rule of the model.
            flows = self._by_svc.get(packet.svc)
            if flows is None:
                flows = self._by_svc[packet.svc] = tuple(cf for cf in self.flows if packet.svc in cf.ports)
            self._decided[packet] = decide_compiled(self.model, self.resolver, flows, packet)
        return self._decided[packet]

    def sweep(
        self,
        src: IntervalSet,
        dst: IntervalSet,
        svc: IntervalSet,
        src_tags: Sequence[IntervalSet] = (),
        dst_tags: Sequence[IntervalSet] = (),
        candidates: Sequence[CompiledFlow] | None = None,
        zones: Sequence[tuple[str, IntervalSet]] | None = None,
    ) -> Sweep | LayeredSweep:
        if self.layers:
            return LayeredSweep(self, (src, dst, svc), src_tags, dst_tags)
        return Sweep(self, (src, dst, svc), src_tags, dst_tags, candidates, zones)

    def cells(self, src: IntervalSet, dst: IntervalSet, svc: IntervalSet) -> Iterator[Cell]:
        return self.sweep(src, dst, svc).cells()

    def find_packet(
        self, src: IntervalSet, dst: IntervalSet, svc: IntervalSet, want: Want
    ) -> tuple[Packet, RuleRef] | None:
        """A concrete packet of the region that first match decides `want`, with its rule; or None."""
        for cell in self.cells(src, dst, svc):
            if cell.rule.action == want:
                return cell.packet(), cell.rule
        return None

    def deciding_rules(self, src: IntervalSet, dst: IntervalSet, svc: IntervalSet) -> frozenset[RuleRef]:
        """Exactly the rules and defaults that decide at least one packet of the region."""
        return frozenset(r for cell in self.cells(src, dst, svc) for r in cell.deciders)

    def survey(
        self, src: IntervalSet, dst: IntervalSet, svc: IntervalSet, want: Want
    ) -> tuple[tuple[Packet, RuleRef] | None, frozenset[RuleRef]]:
        """In one sweep: the first packet decided `want` (or None) and every deciding rule."""
        found: tuple[Packet, RuleRef] | None = None
        rules: set[RuleRef] = set()
        for cell in self.cells(src, dst, svc):
            rules.update(cell.deciders)
            if found is None and cell.rule.action == want:
                found = (cell.packet(), cell.rule)
        return found, frozenset(rules)

    def allowed(self, src: IntervalSet, dst: IntervalSet, svc: IntervalSet) -> bool:
        """Every packet of the region is allowed (an empty region: vacuously)."""
        return self.find_packet(src, dst, svc, "deny") is None


def find_packet(
    model: Model,
    resolver: Resolver,
    src: IntervalSet,
    dst: IntervalSet,
    svc: IntervalSet,
    want: Want,
) -> tuple[Packet, RuleRef] | None:
    return FlowTable(model, resolver).find_packet(src, dst, svc, want)


def deciding_rules(
    model: Model, resolver: Resolver, src: IntervalSet, dst: IntervalSet, svc: IntervalSet
) -> frozenset[RuleRef]:
    return FlowTable(model, resolver).deciding_rules(src, dst, svc)


def allowed(model: Model, resolver: Resolver, src: IntervalSet, dst: IntervalSet, svc: IntervalSet) -> bool:
    return FlowTable(model, resolver).allowed(src, dst, svc)


def sort_rules(rules: frozenset[RuleRef] | set[RuleRef]) -> tuple[RuleRef, ...]:
    """Rules in list order, then the defaults by name: the order reports cite them in."""
    return tuple(sorted(rules, key=lambda r: (r.index is None, r.index or 0, r.name, r.action)))
