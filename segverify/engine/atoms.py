"""Engine stage: which source addresses open a door, by first match over address atoms.

The source address space is cut at every flow-source and zone boundary into *atoms*: inside
an atom, every rule's source test and the zone are the same for every address, so for any
destination and service every address of an atom gets the same first-match decision. A set
of atoms is a Python int used as a bit set; a flow's sources are contiguous bit ranges. The
destination and service spaces are cut the same way, and for each of their atoms the flows
containing it are a bit set over flows (built with a prefix XOR: each interval toggles a bit
on and off). A door's allowed sources are then one pass over its relevant rules, in order,
with bit operations: this is exact, and it scales to tens of thousands of hosts where a solver
query per host pair cannot. The Z3 packet layer cross-checks it (tests). Witness hops take
their concrete packet from the same cells (pick.py), and the reference semantics replays each.

With enforcement layers, the atoms are cut at every layer's rules and `applies_to` too, and a
cell's relevant set also says which layers apply to its destination. A door's sources are
then, AND-ed over the layers that apply, those the layer allows by its own first match and
defaults, or that lie outside its `applies_from` (a layer passes such packets untouched).
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Iterator
from typing import NamedTuple

from segverify.model.addresses import ADDR_BITS, ALL_ADDRESSES, IPV4_ALL, IPV6_ALL, V6_BASE
from segverify.model.intervals import IntervalSet
from segverify.model.ir import Flow, Model, Ref
from segverify.model.ports import SVC_BITS
from segverify.model.refs import Resolver
from segverify.results import RuleRef, default_ref, layer_default_ref, rule_ref


class Atoms:
    """An elementary partition of [0, end): atom k is [cuts[k], cuts[k+1])."""

    def __init__(self, points: Iterable[int], end: int) -> None:
        self.cuts = sorted({0, end, *(p for p in points if 0 <= p <= end)})
        self.count = len(self.cuts) - 1

    def index(self, value: int) -> int:
        return bisect.bisect_right(self.cuts, value) - 1

    def span(self, values: IntervalSet) -> Iterator[tuple[int, int]]:
        """Atom index ranges [a, b) meeting each interval of `values`."""
        for lo, hi in values:
            yield self.index(lo), self.index(hi) + 1

    def mask(self, values: IntervalSet) -> int:
        out = 0
        for a, b in self.span(values):
            out |= ((1 << (b - a)) - 1) << a
        return out

    def inside(self, values: IntervalSet) -> int:
        """The atoms that lie wholly inside `values` (mask() has those that meet it)."""
        out = 0
        for lo, hi in values:
            a, b = self.index(lo), self.index(hi) + 1
            a += self.cuts[a] != lo
            b -= self.cuts[b] != hi + 1
            if a < b:
                out |= ((1 << (b - a)) - 1) << a
        return out

    def interval(self, k: int) -> tuple[int, int]:
        return self.cuts[k], self.cuts[k + 1] - 1

    def cells(self, values: IntervalSet) -> Iterator[tuple[int, IntervalSet]]:
        """(atom index, the part of `values` inside it) for every atom that `values` meets."""
        for a, b in self.span(values):
            for k in range(a, b):
                lo, hi = self.interval(k)
                part = values.intersection(IntervalSet.span(lo, hi))
                if part:
                    yield k, part


def bits(mask: int) -> Iterator[int]:
    """Set bits in ascending order (for flows: rule order)."""
    if mask.bit_length() <= _SMALL:
        while mask:
            low = mask & -mask
            yield low.bit_length() - 1
            mask ^= low
        return
    for a, b in runs(mask):
        yield from range(a, b)


_SMALL = 256  # beyond this, every `mask & -mask` copies a long integer: scan its digits instead


def runs(mask: int) -> Iterator[tuple[int, int]]:
    """Maximal ranges [a, b) of set bits, ascending.

    The first few runs by carry arithmetic, a handful of integer operations per run whatever
    its length; then one linear scan of the binary digits. A host's atoms are a few runs of
    a mask as wide as the source atoms: scanning all its digits for every host adds up.
    """
    for _ in range(_FEW_RUNS):
        if not mask:
            return
        low = mask & -mask
        carried = mask + low  # the carry clears the lowest run and sets the bit just above it
        above = carried & -carried
        yield low.bit_length() - 1, above.bit_length() - 1
        mask = carried ^ above
    yield from _scan_runs(mask)


_FEW_RUNS = 8


def _scan_runs(mask: int) -> Iterator[tuple[int, int]]:
    digits = format(mask, "b")[::-1]
    a = digits.find("1")
    while a >= 0:
        b = digits.find("0", a)
        if b < 0:
            yield a, len(digits)
            return
        yield a, b
        a = digits.find("1", b)


def _membership(atoms: Atoms, sets: list[IntervalSet]) -> list[int]:
    """Per atom, the bit set of the indices i whose sets[i] contain it (prefix XOR of toggles)."""
    toggles = [0] * (atoms.count + 1)
    for i, s in enumerate(sets):
        for a, b in atoms.span(s):
            toggles[a] ^= 1 << i
            toggles[b] ^= 1 << i
    out, running = [], 0
    for k in range(atoms.count):
        running ^= toggles[k]
        out.append(running)
    return out


CellKey = tuple[int, str | None, int]  # relevant rules (and applying layers), destination zone, family


class LayerIndex:
    """One enforcement layer over the atoms: its rules, its defaults and where it applies.

    `bit` is the layer's bit in a cell's `relevant` set, above the flows' bits: set when the
    cell's destination lies inside the layer's `applies_to`. `src` holds the source atoms inside
    its `applies_from` (every atom when it has none); a packet from outside passes the layer.
    """

    __slots__ = ("name", "mask", "bit", "src", "intra", "inter")

    def __init__(self, name: str, mask: int, bit: int, src: int, intra: RuleRef, inter: RuleRef) -> None:
        self.name, self.mask, self.bit, self.src = name, mask, bit, src
        self.intra, self.inter = intra, inter


def _rule_order(r: RuleRef) -> tuple[int, str]:
    return (r.index if r.index is not None else 1 << 30, r.name)


class Cell(NamedTuple):
    """Destinations and services that every rule treats alike: the same flows are relevant."""

    relevant: int  # flows whose destination and service contain the cell, a bit set in rule order
    zone: str | None  # the destination's zone
    family: int  # the source atoms of the destination's address family
    dst: IntervalSet
    svc: IntervalSet


class EdgeIndex:
    """First-match decisions of one model, over source atoms, for any destination and service."""

    def __init__(
        self,
        model: Model,
        resolver: Resolver,
        src: list[IntervalSet],
        dst: list[IntervalSet],
        src_cuts: Iterable[IntervalSet] = (),
    ) -> None:
        """`src`, `dst`: every flow's sets, by `Flow.index` (every layer's rules, model.all_flows()).

        `src_cuts`: more sets whose boundaries cut the source atoms (only_via's via hosts).
        """
        self.model = model
        self.flows: tuple[Flow, ...] = model.all_flows()  # model.flows when there are no layers
        zones = list(resolver.zone_sets.items())
        zone_points = [p for _, z in zones for p in z.boundaries()] + list(ALL_ADDRESSES.boundaries())
        # With layers, the atoms are cut at every layer's `applies_to` too: inside an atom, each
        # layer applies to every address or to none.
        reach = [_reach(resolver, x.applies_from, x.applies_to) for x in model.layers]
        applies_src = [a for a, _ in reach if a is not None]
        applies_dst = [b for _, b in reach if b is not None]
        cuts = [p for s in [*src, *src_cuts, *applies_src] for p in s.boundaries()]
        self.src = Atoms(cuts + zone_points, 1 << ADDR_BITS)
        dst_cuts = [p for s in [*dst, *applies_dst] for p in s.boundaries()]
        self.dst = Atoms(dst_cuts + zone_points, 1 << ADDR_BITS)
        self.svc = Atoms([p for f in self.flows for p in f.ports.boundaries()], 1 << SVC_BITS)
        self.flow_src = [self.src.mask(s) for s in src]
        self.dst_flows = _membership(self.dst, dst)
        self.svc_flows = _membership(self.svc, [f.ports for f in self.flows])
        self.zone_src = {name: self.src.mask(z) for name, z in zones}
        # Sources of the destination's family only: no packet crosses from IPv4 to IPv6.
        self.family_src = (self.src.mask(IPV4_ALL), self.src.mask(IPV6_ALL))
        self.resolver = resolver
        self._opened: dict[tuple[int, str | None, int], int] = {}
        self.layers: tuple[LayerIndex, ...] = self._layers(reach) if model.layers else ()

    def _layers(self, reach: list[tuple[IntervalSet | None, IntervalSet | None]]) -> tuple[LayerIndex, ...]:
        """Every layer, the implicit one first; their bits go into dst_flows and svc_flows.

        A cell's `relevant` is then its flows and, above them, the layers that apply to its
        destination: the memo key of a cell says all that each layer needs of it.
        """
        m, n = self.model, len(self.flows)
        everything = (1 << self.src.count) - 1
        d = m.defaults
        implicit = (1 << len(m.flows)) - 1
        out = [LayerIndex("", implicit, n, everything, default_ref(d, True), default_ref(d, False))]
        start = len(m.flows)
        for k, (layer, (src, _)) in enumerate(zip(m.layers, reach, strict=True), 1):
            mask = ((1 << len(layer.flows)) - 1) << start
            start += len(layer.flows)
            intra = layer_default_ref(layer.name, layer.intra_zone, True)
            inter = layer_default_ref(layer.name, layer.inter_zone, False)
            inside = everything if src is None else self.src.mask(src)  # exact: src cuts the atoms
            out.append(LayerIndex(layer.name, mask, n + k, inside, intra, inter))
        dsts = [ALL_ADDRESSES if dst is None else dst for _, dst in reach]
        applying = _membership(self.dst, [ALL_ADDRESSES, *dsts])
        self.dst_flows = [f | (a << n) for f, a in zip(self.dst_flows, applying, strict=True)]
        every_layer = ((1 << len(out)) - 1) << n  # services never stop a layer from applying
        self.svc_flows = [f | every_layer for f in self.svc_flows]
        return tuple(out)

    def cells(self, dst: IntervalSet, svc: IntervalSet) -> Iterator[Cell]:
        """One Cell per destination atom x service atom that dst and svc meet."""
        for dk, dpart in self.dst.cells(dst):
            zone = self.resolver.zone_of(dpart.first())
            family = self.family_src[dpart.first() >= V6_BASE]
            for sk, spart in self.svc.cells(svc):
                yield Cell(self.dst_flows[dk] & self.svc_flows[sk], zone, family, dpart, spart)

    def allowed(self, dst: IntervalSet, svc: IntervalSet) -> int:
        """The source atoms from which some packet to dst on svc is allowed."""
        allowed = 0
        for key in self._cell_keys(dst, svc):
            # Cells with the same relevant rules, zone and family decide every source alike:
            # across a hundred thousand doors there are a few thousand such keys.
            if key not in self._opened:
                first_match = self._layered_allowed if self.layers else self._first_match_allowed
                self._opened[key] = first_match(key)
            allowed |= self._opened[key]
        return allowed

    def _cell_keys(self, dst: IntervalSet, svc: IntervalSet) -> Iterator[tuple[int, str | None, int]]:
        """(relevant rules, zone, family) of each destination atom x service atom met."""
        svc_atoms = [k for a, b in self.svc.span(svc) for k in range(a, b)]
        for a, b in self.dst.span(dst):
            for dk in range(a, b):
                first = self.dst.cuts[dk]
                zone, family = self.resolver.zone_of(first), int(first >= V6_BASE)
                for sk in svc_atoms:
                    yield self.dst_flows[dk] & self.svc_flows[sk], zone, family

    def _first_match_allowed(self, key: tuple[int, str | None, int]) -> int:
        relevant, zone, family = key
        allowed, undecided = 0, self.family_src[family]
        for i in bits(relevant):
            if self.flows[i].action == "allow":
                allowed |= undecided & self.flow_src[i]
            undecided &= ~self.flow_src[i]
            if not undecided:
                break
        return allowed | self._default_allowed(undecided, zone)

    def _layered_allowed(self, key: CellKey) -> int:
        """Sources every layer that applies allows: each layer allows them or passes them untouched."""
        relevant, zone, family = key
        sources = self.family_src[family]
        allowed = sources
        for layer in self.layers:
            if not relevant >> layer.bit & 1:
                continue  # the destination lies outside the layer's applies_to
            inside = sources & layer.src
            passed = 0
            for part, rule in self.layer_parts(layer, relevant, zone, inside):
                if rule.action == "allow":
                    passed |= part
            allowed &= passed | (sources & ~inside)
            if not allowed:
                break
        return allowed

    def layer_parts(
        self, layer: LayerIndex, relevant: int, zone: str | None, undecided: int
    ) -> Iterator[tuple[int, RuleRef]]:
        """The sources of `undecided` each rule (or default) of one layer decides, by first match."""
        for i in bits(relevant & layer.mask):
            hit = undecided & self.flow_src[i]
            if hit:
                yield hit, rule_ref(self.flows[i])
                undecided &= ~hit
                if not undecided:
                    return
        intra, inter = self.split(undecided, zone)
        if intra:
            yield intra, layer.intra
        if inter:
            yield inter, layer.inter

    def split(self, undecided: int, zone: str | None) -> tuple[int, int]:
        intra = undecided & self.zone_src[zone] if zone is not None else 0
        return intra, undecided & ~intra

    def _default_allowed(self, undecided: int, zone: str | None) -> int:
        intra, inter = self.split(undecided, zone)
        d = self.model.defaults
        return (intra if d.intra_zone == "allow" else 0) | (inter if d.inter_zone == "allow" else 0)

    def deciding(self, dst: IntervalSet, svc: IntervalSet, sources: int) -> list[RuleRef]:
        """The rules and defaults that decide some packet from `sources` to dst on svc."""
        return list(self.key_decider(sources)(self.cell_keys(dst, svc)))

    def cell_keys(self, dst: IntervalSet, svc: IntervalSet) -> tuple[CellKey, ...]:
        """The distinct (relevant rules, zone, family) of the cells dst x svc meets, sorted.

        They do not depend on the senders: kept per door, they let key_decider answer a door
        with one lookup when doors share them (most do).
        """
        return tuple(sorted(set(self._cell_keys(dst, svc)), key=lambda k: (k[0], k[1] or "", k[2])))

    def key_decider(self, sources: int) -> Callable[[tuple[CellKey, ...]], tuple[RuleRef, ...]]:
        """`deciding` for one set of sources and doors given by their cell_keys.

        A certificate cites the deciding rules of every door out of its set, tens of thousands
        of doors that meet a few thousand distinct cells and share far fewer tuples of them:
        each cell and each tuple is decided once.
        """
        per_key: dict[CellKey, tuple[RuleRef, ...]] = {}
        first_match = self._layered_deciding if self.layers else self._first_match_deciding
        per_door: dict[tuple[CellKey, ...], tuple[RuleRef, ...]] = {}

        def decide(keys: tuple[CellKey, ...]) -> tuple[RuleRef, ...]:
            if keys not in per_door:
                found: set[RuleRef] = set()
                for key in keys:
                    if key not in per_key:
                        per_key[key] = first_match(key, sources)
                    found.update(per_key[key])
                per_door[keys] = tuple(sorted(found, key=_rule_order))
            return per_door[keys]

        return decide

    def _first_match_deciding(self, key: tuple[int, str | None, int], sources: int) -> tuple[RuleRef, ...]:
        relevant, zone, family = key
        found = []
        undecided = sources & self.family_src[family]
        for i in bits(relevant):
            if not undecided:
                break
            if undecided & self.flow_src[i]:
                found.append(rule_ref(self.flows[i]))
            undecided &= ~self.flow_src[i]
        intra, inter = self.split(undecided, zone)
        found += [
            default_ref(self.model.defaults, is_intra)
            for part, is_intra in ((intra, True), (inter, False))
            if part
        ]
        return tuple(found)

    def _layered_deciding(self, key: CellKey, sources: int) -> tuple[RuleRef, ...]:
        """The deciding rule of every layer that applies, for some packet from `sources`."""
        relevant, zone, family = key
        found: list[RuleRef] = []
        sources &= self.family_src[family]
        for layer in self.layers:
            if relevant >> layer.bit & 1:
                found += [rule for _, rule in self.layer_parts(layer, relevant, zone, sources & layer.src)]
        return tuple(found)


def _reach(
    resolver: Resolver, applies_from: tuple[Ref, ...] | None, applies_to: tuple[Ref, ...] | None
) -> tuple[IntervalSet | None, IntervalSet | None]:
    """A layer's applies_from and applies_to as addresses (None: every address)."""
    src = None if applies_from is None else resolver.addresses_of(applies_from)
    return src, None if applies_to is None else resolver.addresses_of(applies_to)
