"""Test support: first match over every class of packets of a small model, by membership bitmasks.

Independent of the cell sweep: the addresses are cut at every boundary of every rule's sources
and destinations and of every zone, services at every boundary of every rule's ports; one
representative per class, every same-family (source, destination) pair, every service. A
packet's first match is the lowest rule bit its source, destination and service masks share.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from segverify.model.addresses import ALL_ADDRESSES, V6_BASE
from segverify.model.intervals import IntervalSet
from segverify.model.ir import Model
from segverify.model.ports import ALL_SERVICES
from segverify.model.refs import Resolver
from segverify.results import Packet
from segverify.semantics.firstmatch import compile_rules
from segverify.semantics.packets import compile_flows


def representatives(sets: Iterable[IntervalSet], space: IntervalSet) -> list[int]:
    points = {lo for lo, _ in space} | {hi + 1 for _, hi in space}
    for s in sets:
        points.update(s.boundaries())
    return sorted(p for p in points if p in space)


def mask(value: int, sets: list[IntervalSet]) -> int:
    return sum(1 << i for i, s in enumerate(sets) if value in s)


@dataclass
class Brute:
    """First match inside one enforcement layer (`layer` 0: the top-level flows; k: layers[k-1]).

    The cut is by every layer's rules and `applies_to` sets (one cut serves every layer); packets
    outside the layer's `applies_to` are the caller's to leave out (`applies`).
    """

    model: Model
    removed: int | None = None  # a rule left out (redundancy: "without it")
    layer: int = 0

    def __post_init__(self) -> None:
        resolver = Resolver(self.model)
        self.resolver = resolver
        written = self.model.flows if self.layer == 0 else self.model.layers[self.layer - 1].flows
        self.flows = [cf for cf in compile_rules(written, resolver) if cf.flow.index != self.removed]
        every = compile_flows(self.model, resolver) + compile_rules(
            [f for layer in self.model.layers for f in layer.flows], resolver
        )
        scopes = [
            resolver.addresses_of(refs)
            for layer in self.model.layers
            for refs in (layer.applies_from, layer.applies_to)
            if refs is not None
        ]
        self.scope = (None, None)
        if self.layer:
            written_layer = self.model.layers[self.layer - 1]
            self.scope = tuple(
                None if refs is None else resolver.addresses_of(refs)
                for refs in (written_layer.applies_from, written_layer.applies_to)
            )
        zones = list(resolver.zone_sets.values())
        srcs = [cf.sources for cf in self.flows]
        dsts = [cf.destinations for cf in self.flows]
        others = [s for cf in every for s in (cf.sources, cf.destinations)]
        self.addrs = representatives([*srcs, *dsts, *zones, *others, *scopes], ALL_ADDRESSES)
        self.svcs = representatives([cf.ports for cf in (*self.flows, *every)], ALL_SERVICES)
        self.src_masks = {a: mask(a, srcs) for a in self.addrs}
        self.dst_masks = {a: mask(a, dsts) for a in self.addrs}
        self.svc_masks = {v: mask(v, [cf.ports for cf in self.flows]) for v in self.svcs}

    def packets(self) -> Iterator[Packet]:
        for s in self.addrs:
            for d in self.addrs:
                if (s >= V6_BASE) == (d >= V6_BASE):
                    for v in self.svcs:
                        yield Packet(s, d, v)

    def first(self, p: Packet) -> int | None:
        """The list index of the deciding rule, None for the defaults."""
        both = self._mask(self.src_masks, p.src, 0) & self._mask(self.dst_masks, p.dst, 1)
        both &= self._mask(self.svc_masks, p.svc, 2)
        if not both:
            return None
        return self.flows[(both & -both).bit_length() - 1].flow.index

    def _mask(self, cache: dict[int, int], value: int, side: int) -> int:
        """A representative's mask, or any other packet's (a witness) computed afresh."""
        if value not in cache:
            sets = [(cf.sources, cf.destinations, cf.ports)[side] for cf in self.flows]
            cache[value] = mask(value, sets)
        return cache[value]

    def applies(self, p: Packet) -> bool:
        src, dst = self.scope
        return (src is None or p.src in src) and (dst is None or p.dst in dst)

    def action(self, p: Packet) -> str:
        index = self.first(p)
        if index is None:
            zone = self.resolver.zone_of(p.src)
            intra = zone is not None and zone == self.resolver.zone_of(p.dst)
            if self.layer:
                written = self.model.layers[self.layer - 1]
                return written.intra_zone if intra else written.inter_zone
            return self.model.defaults.intra_zone if intra else self.model.defaults.inter_zone
        return next(f for f in self.model.all_flows() if f.index == index).action

    def in_box(self, index: int, p: Packet) -> bool:
        cf = next(cf for cf in self.flows if cf.flow.index == index)
        return p.src in cf.sources and p.dst in cf.destinations and p.svc in cf.ports
