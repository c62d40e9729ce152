"""Engine stage: a concrete, readable packet for one hop of an attack path, from the atom index.

Inside one (source atom, destination atom, service atom) cell every packet gets the same
first-match decision (atoms.py), so the allowed cells of a hop, with the rule deciding each,
come from one pass over the rules; a packet is then any point of an allowed cell. Among them
we prefer what a reader recognises, in this order of wishes (as packets.RegionSolver._polish
does for packet policies): tcp, a source in 203.0.113.0/24 (TEST-NET-3: "somewhere on the
internet") where the sender may be anywhere, and addresses that are not a network or broadcast
address (low byte 0 or 255) or in 0.0.0.0/8.

Why not a Z3 query per hop: a blast-radius witness has a hop per controlled host, and one
solver per hop (chain construction plus the wishes) costs far more than this direct pick.
Every hop is still replayed by the reference semantics before it is printed, and the tests
check these packets against the Z3 packet layer.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from segverify.engine.atoms import EdgeIndex, bits, runs
from segverify.model.addresses import cidr_set
from segverify.model.intervals import IntervalSet
from segverify.results import Packet, RuleRef, default_ref, rule_ref

TCP = IntervalSet.span(6 << 16, (6 << 16) | 0xFFFF)
DOCUMENTATION = cidr_set("203.0.113.0/24")


@dataclass(frozen=True, slots=True)
class Found:
    """A packet of a region that the flows decide as asked, with the rule deciding it."""

    packet: Packet
    rule: RuleRef  # the first denying layer's deciding rule, else the first allowing one
    rules: tuple[RuleRef, ...] = ()  # with `layers:`, the deciding rule of every layer that applies


@dataclass(frozen=True, slots=True)
class Wish:
    tcp: bool
    documentation: bool
    plain: bool


WISHES = (
    Wish(True, True, True),
    Wish(False, True, True),
    Wish(True, False, True),
    Wish(False, False, True),
    Wish(True, False, False),
    Wish(False, False, False),
)


@dataclass(frozen=True, slots=True)
class Allowed:
    """Allowed packets of one hop: these sources, to these destinations, on these services."""

    src: IntervalSet
    dst: IntervalSet
    svc: IntervalSet
    rule: RuleRef
    rules: tuple[RuleRef, ...] = ()  # with `layers:`, the deciding rule of every layer that applies


def pick_packet(index: EdgeIndex, src: IntervalSet, dst: IntervalSet, svc: IntervalSet) -> Found | None:
    """An allowed packet from src to dst on svc, the most readable first; None when none is allowed."""
    cells = list(allowed_cells(index, src, dst, svc))
    for wish in WISHES:
        for cell in cells:
            packet = _packet(cell, wish)
            if packet is not None:
                return Found(packet, cell.rule, cell.rules)
    return None


def allowed_cells(
    index: EdgeIndex, src: IntervalSet, dst: IntervalSet, svc: IntervalSet
) -> Iterator[Allowed]:
    """Per destination and service cell, the sources each allowing rule (or default) decides."""
    sources = index.src.mask(src)
    if index.layers:
        yield from _layered_cells(index, sources, src, dst, svc)
        return
    for cell in index.cells(dst, svc):
        undecided = sources & cell.family
        for i in bits(cell.relevant):
            flow = index.model.flows[i]
            hit = undecided & index.flow_src[i]
            if hit and flow.action == "allow":
                yield Allowed(_addresses(index, hit, src), cell.dst, cell.svc, rule_ref(flow))
            undecided &= ~index.flow_src[i]
            if not undecided:
                break
        intra, inter = index.split(undecided, cell.zone)
        d = index.model.defaults
        for part, is_intra, action in ((intra, True, d.intra_zone), (inter, False, d.inter_zone)):
            if part and action == "allow":
                yield Allowed(_addresses(index, part, src), cell.dst, cell.svc, default_ref(d, is_intra))


def _layered_cells(
    index: EdgeIndex, sources: int, src: IntervalSet, dst: IntervalSet, svc: IntervalSet
) -> Iterator[Allowed]:
    """Per cell, the sources that every layer that applies allows, with each layer's deciding rule.

    Layer by layer (the implicit one first), the allowed sources are split by the rule that
    decides them in that layer; sources outside a layer's applies_from pass it citing nothing.
    Every layer allows what is left, so `rule`, the first allowing one, is the first cited.
    """
    for cell in index.cells(dst, svc):
        parts: list[tuple[int, tuple[RuleRef, ...]]] = [(sources & cell.family, ())]
        for layer in index.layers:
            if not cell.relevant >> layer.bit & 1:
                continue
            inside = 0
            for mask, _ in parts:
                inside |= mask & layer.src
            decided = [
                (part, rule)
                for part, rule in index.layer_parts(layer, cell.relevant, cell.zone, inside)
                if rule.action == "allow"
            ]
            nxt: list[tuple[int, tuple[RuleRef, ...]]] = []
            for mask, rules in parts:
                if passed := mask & ~layer.src:
                    nxt.append((passed, rules))
                nxt += [(mask & part, (*rules, rule)) for part, rule in decided if mask & part]
            parts = nxt
        for mask, rules in parts:
            if mask:
                yield Allowed(_addresses(index, mask, src), cell.dst, cell.svc, rules[0], rules)


def _addresses(index: EdgeIndex, atoms: int, within: IntervalSet) -> IntervalSet:
    cuts = index.src.cuts
    return IntervalSet.of((cuts[a], cuts[b] - 1) for a, b in runs(atoms)).intersection(within)


def _packet(cell: Allowed, wish: Wish) -> Packet | None:
    svc = cell.svc.intersection(TCP) if wish.tcp else cell.svc
    src = cell.src.intersection(DOCUMENTATION) if wish.documentation else cell.src
    if not svc or not src:
        return None
    s, d = _member(src, wish.plain), _member(cell.dst, wish.plain)
    if s is None or d is None:
        return None
    return Packet(s, d, svc.first())


def plain(address: int) -> bool:
    """Low byte not 0 or 255, and bits 31..24 not 0 (for IPv4: not in 0.0.0.0/8)."""
    return (address & 0xFF) not in (0, 255) and (address >> 24) & 0xFF != 0


def _member(values: IntervalSet, want_plain: bool) -> int | None:
    for lo, hi in values:
        if not want_plain:
            return lo
        address = _first_plain(lo, hi)
        if address is not None:
            return address
    return None


def _first_plain(lo: int, hi: int) -> int | None:
    """A plain address in [lo, hi], found by skipping at most a few blocks; None if none is."""
    x = lo
    for _ in range(4):
        if (x >> 24) & 0xFF == 0:
            x = (x >> 32 << 32) | 0x01000000  # the first address above 0.0.0.0/8 (its /32 block)
        if x & 0xFF == 0:
            x += 1
        elif x & 0xFF == 255:
            x += 2
        if x > hi:
            return None
        if plain(x):
            return x
    return None
