"""Encode stage: the ordered flows over one region as a flat first-match chain.

`none_i` says no rule before i matched; rule i decides exactly when `none_i` and its match
hold. Auxiliary constants keep the formula linear in the number of rules (a nested `If`
chain is equivalent but deep), and the model says which rule decided. Rules that cannot
meet the region are sliced away first: they can never decide a packet in it.
"""

from __future__ import annotations

from dataclasses import dataclass

import z3

from segverify.encode.context import PacketVars
from segverify.encode.sets import member, range_member
from segverify.model.intervals import IntervalSet
from segverify.model.ir import Flow, Model
from segverify.model.refs import Resolver


@dataclass(frozen=True, slots=True)
class Region:
    src: IntervalSet
    dst: IntervalSet
    svc: IntervalSet

    def is_empty(self) -> bool:
        return not (self.src and self.dst and self.svc)


@dataclass
class FlowChain:
    rules: list[Flow]
    matches: list[z3.BoolRef]
    hits: list[z3.BoolRef]  # rule i decides
    unmatched: z3.BoolRef  # no rule matches: the defaults decide
    allowed: z3.BoolRef
    same_zone: z3.BoolRef
    definitions: list[z3.BoolRef]


class FlowSets:
    """Address and service sets of every flow, resolved once per model."""

    def __init__(self, model: Model, resolver: Resolver) -> None:
        self.model = model
        self.resolver = resolver
        self.src = [resolver.addresses_of(f.sources) for f in model.flows]
        self.dst = [resolver.addresses_of(f.destinations) for f in model.flows]

    def meets(self, flow: Flow, region: Region) -> bool:
        i = flow.index
        return (
            flow.ports.intersects(region.svc)
            and self.dst[i].intersects(region.dst)
            and self.src[i].intersects(region.src)
        )

    def sliced(self, region: Region) -> list[Flow]:
        return [f for f in self.model.flows if self.meets(f, region)]


def build_chain(sets: FlowSets, pv: PacketVars, region: Region) -> FlowChain:
    rules = sets.sliced(region)
    ctx = pv.ctx
    matches = [
        z3.And(
            member(pv, "src", sets.src[f.index]),
            member(pv, "dst", sets.dst[f.index]),
            range_member(pv.svc, f.ports),
        )
        for f in rules
    ]
    defs: list[z3.BoolRef] = []
    none = z3.BoolVal(True, ctx)
    hits: list[z3.BoolRef] = []
    for i, match in enumerate(matches):
        hits.append(z3.And(none, match))
        nxt = z3.Bool(f"none_{i}", ctx)
        defs.append(nxt == z3.And(none, z3.Not(match)))
        none = nxt
    same = same_zone(sets.resolver, pv, region)
    d = sets.model.defaults
    default_allow = z3.If(
        same, z3.BoolVal(d.intra_zone == "allow", ctx), z3.BoolVal(d.inter_zone == "allow", ctx)
    )
    decided_allow = [h for h, f in zip(hits, rules, strict=True) if f.action == "allow"]
    decided_allow.append(z3.And(none, default_allow))
    return FlowChain(rules, matches, hits, none, z3.Or(decided_allow), same, defs)


def same_zone(resolver: Resolver, pv: PacketVars, region: Region) -> z3.BoolRef:
    """Both ends in one zone (only zones that meet the region on both sides can matter)."""
    terms = [
        z3.And(member(pv, "src", zs), member(pv, "dst", zs))
        for _, zs in sorted(resolver.zone_sets.items())
        if zs.intersects(region.src) and zs.intersects(region.dst)
    ]
    if not terms:
        return z3.BoolVal(False, pv.ctx)
    return terms[0] if len(terms) == 1 else z3.Or(terms)
