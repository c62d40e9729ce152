"""Encode stage: each layer's ordered flows over one region as a flat first-match chain.

The Z3 side's one first match. A packet is allowed iff every layer that applies to it allows it
(the implicit layer, top-level flows and defaults, applies to every packet).

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
from segverify.model.ir import Flow, Layer, Model
from segverify.model.refs import Resolver
from segverify.results import RuleRef, default_ref, layer_default_ref, rule_ref


@dataclass(frozen=True, slots=True)
class Region:
    src: IntervalSet
    dst: IntervalSet
    svc: IntervalSet

    def is_empty(self) -> bool:
        return not (self.src and self.dst and self.svc)


@dataclass
class LayerChain:
    """One layer's first match over the region: its rules, who decides, whether it allows."""

    name: str  # "" for the implicit layer
    rules: list[Flow]
    matches: list[z3.BoolRef]
    hits: list[z3.BoolRef]  # rule i decides
    unmatched: z3.BoolRef  # no rule matches: the layer's defaults decide
    allowed: z3.BoolRef  # the layer allows (whether or not it applies)
    applies: z3.BoolRef  # the packet is inside the layer's applies_to
    intra: RuleRef
    inter: RuleRef


@dataclass
class FlowChain:
    """The implicit layer's chain (rules, matches, hits, unmatched) and every further layer's."""

    rules: list[Flow]
    matches: list[z3.BoolRef]
    hits: list[z3.BoolRef]  # rule i decides
    unmatched: z3.BoolRef  # no rule matches: the defaults decide
    allowed: z3.BoolRef  # every layer that applies allows
    same_zone: z3.BoolRef
    definitions: list[z3.BoolRef]
    layers: list[LayerChain]  # the implicit layer first

    def decided_by(self, model: z3.ModelRef) -> tuple[RuleRef, ...]:
        """In a solver model: the deciding rule of every layer that applies, in layer order."""

        def true(term: z3.BoolRef) -> bool:
            return bool(z3.is_true(model.eval(term, model_completion=True)))

        out = []
        for layer in self.layers:
            # the implicit layer applies to every packet (its `applies` is not evaluated: the
            # model is read exactly as before layers existed)
            if layer.name and not true(layer.applies):
                continue
            pairs = zip(layer.rules, layer.matches, strict=True)
            hit = next((rule_ref(f) for f, m in pairs if true(m)), None)
            if hit is None:
                hit = layer.intra if true(self.same_zone) else layer.inter
            out.append(hit)
        return tuple(out)


class FlowSets:
    """Address and service sets of every flow of every layer, resolved once per model."""

    def __init__(self, model: Model, resolver: Resolver) -> None:
        self.model = model
        self.resolver = resolver
        flows = model.all_flows()
        self.src = [resolver.addresses_of(f.sources) for f in flows]
        self.dst = [resolver.addresses_of(f.destinations) for f in flows]
        self.applies = {
            layer.name: (
                None if layer.applies_from is None else resolver.addresses_of(layer.applies_from),
                None if layer.applies_to is None else resolver.addresses_of(layer.applies_to),
            )
            for layer in model.layers
        }

    def meets(self, flow: Flow, region: Region) -> bool:
        i = flow.index
        return (
            flow.ports.intersects(region.svc)
            and self.dst[i].intersects(region.dst)
            and self.src[i].intersects(region.src)
        )

    def sliced(self, region: Region, flows: tuple[Flow, ...] | None = None) -> list[Flow]:
        """The rules (of the implicit layer, or of `flows`) that can meet the region."""
        return [f for f in (self.model.flows if flows is None else flows) if self.meets(f, region)]


@dataclass
class _Rules:
    rules: list[Flow]
    matches: list[z3.BoolRef]
    hits: list[z3.BoolRef]
    unmatched: z3.BoolRef


def _rule_chain(
    sets: FlowSets, pv: PacketVars, region: Region, layer: Layer | None, defs: list[z3.BoolRef]
) -> _Rules:
    rules = sets.sliced(region, None if layer is None else layer.flows)
    matches = [
        z3.And(
            member(pv, "src", sets.src[f.index]),
            member(pv, "dst", sets.dst[f.index]),
            range_member(pv.svc, f.ports),
        )
        for f in rules
    ]
    prefix = "none" if layer is None else f"none@{layer.name}"
    none = z3.BoolVal(True, pv.ctx)
    hits: list[z3.BoolRef] = []
    for i, match in enumerate(matches):
        hits.append(z3.And(none, match))
        nxt = z3.Bool(f"{prefix}_{i}", pv.ctx)
        defs.append(nxt == z3.And(none, z3.Not(match)))
        none = nxt
    return _Rules(rules, matches, hits, none)


def _layer_chain(
    sets: FlowSets, pv: PacketVars, layer: Layer | None, r: _Rules, same: z3.BoolRef
) -> LayerChain:
    ctx = pv.ctx
    if layer is None:
        d = sets.model.defaults
        intra, inter = default_ref(d, True), default_ref(d, False)
        applies = z3.BoolVal(True, ctx)
    else:
        intra = layer_default_ref(layer.name, layer.intra_zone, True)
        inter = layer_default_ref(layer.name, layer.inter_zone, False)
        src, dst = sets.applies[layer.name]
        inside = [member(pv, "src", src)] if src is not None else []
        inside += [member(pv, "dst", dst)] if dst is not None else []
        applies = z3.And(inside) if inside else z3.BoolVal(True, ctx)
    default_allow = z3.If(
        same, z3.BoolVal(intra.action == "allow", ctx), z3.BoolVal(inter.action == "allow", ctx)
    )
    decided_allow = [h for h, f in zip(r.hits, r.rules, strict=True) if f.action == "allow"]
    decided_allow.append(z3.And(r.unmatched, default_allow))
    name = "" if layer is None else layer.name
    return LayerChain(
        name, r.rules, r.matches, r.hits, r.unmatched, z3.Or(decided_allow), applies, intra, inter
    )


def build_chain(sets: FlowSets, pv: PacketVars, region: Region) -> FlowChain:
    """Every layer's chain; a packet is allowed iff each layer that applies to it allows it."""
    defs: list[z3.BoolRef] = []
    layers: list[Layer | None] = [None, *sets.model.layers]
    parts = [_rule_chain(sets, pv, region, layer, defs) for layer in layers]
    same = same_zone(sets.resolver, pv, region)  # after the rules: the implicit formula as it always was
    chains = [_layer_chain(sets, pv, layer, r, same) for layer, r in zip(layers, parts, strict=True)]
    implicit = chains[0]
    allowed = implicit.allowed
    if len(chains) > 1:
        allowed = z3.And(allowed, *(z3.Or(z3.Not(c.applies), c.allowed) for c in chains[1:]))
    return FlowChain(
        implicit.rules, implicit.matches, implicit.hits, implicit.unmatched, allowed, same, defs, chains
    )


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
