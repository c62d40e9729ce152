"""Semantics stage: first match on one concrete packet, through every enforcement layer.

The one plain-Python definition of a decision: each layer's ordered rules are scanned and the
first that matches decides, else the layer's default for the zone pair (intra_zone when both
ends lie in one zone, inter_zone otherwise, zoneless addresses included). A layer whose
`applies_to` misses the packet passes it untouched. The packet is allowed iff every layer that
applies allows it; the implicit layer (top-level flows and defaults) applies to every packet.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from segverify.model.intervals import IntervalSet
from segverify.model.ir import Flow, Model
from segverify.model.refs import Resolver
from segverify.results import Packet, RuleRef, default_ref, layer_default_ref, rule_ref


@dataclass(frozen=True, slots=True)
class CompiledFlow:
    """A flow with its references resolved once: the box of packets it matches."""

    flow: Flow
    sources: IntervalSet
    destinations: IntervalSet
    ports: IntervalSet
    rule: RuleRef

    def matches(self, packet: Packet) -> bool:
        return packet.src in self.sources and packet.dst in self.destinations and packet.svc in self.ports


def compile_rules(flows: Iterable[Flow], resolver: Resolver) -> tuple[CompiledFlow, ...]:
    return tuple(
        CompiledFlow(
            flow=f,
            sources=resolver.addresses_of(f.sources),
            destinations=resolver.addresses_of(f.destinations),
            ports=f.ports,
            rule=rule_ref(f),
        )
        for f in flows
    )


def first_match(rules: Iterable[CompiledFlow], packet: Packet) -> RuleRef | None:
    """The first rule, in list order, whose box holds the packet; None when none does."""
    for cf in rules:
        if cf.matches(packet):
            return cf.rule
    return None


def same_zone(resolver: Resolver, src: int, dst: int) -> bool:
    zone = resolver.zone_of(src)
    return zone is not None and zone == resolver.zone_of(dst)


@dataclass(frozen=True, slots=True)
class CompiledLayer:
    """One layer's rules, defaults and reach (None: every address), resolved once."""

    name: str  # "" for the implicit layer
    rules: tuple[CompiledFlow, ...]
    intra: RuleRef
    inter: RuleRef
    sources: IntervalSet | None = None
    destinations: IntervalSet | None = None

    def applies(self, packet: Packet) -> bool:
        return (self.sources is None or packet.src in self.sources) and (
            self.destinations is None or packet.dst in self.destinations
        )

    def decide(self, resolver: Resolver, packet: Packet) -> RuleRef:
        found = first_match(self.rules, packet)
        if found is not None:
            return found
        return self.intra if same_zone(resolver, packet.src, packet.dst) else self.inter


def compile_layers(model: Model, resolver: Resolver) -> tuple[CompiledLayer, ...]:
    """The implicit layer, then every layer of `layers:` in the order written."""
    implicit = CompiledLayer(
        "",
        compile_rules(model.flows, resolver),
        default_ref(model.defaults, True),
        default_ref(model.defaults, False),
    )
    out = [implicit]
    for layer in model.layers:
        out.append(
            CompiledLayer(
                layer.name,
                compile_rules(layer.flows, resolver),
                layer_default_ref(layer.name, layer.intra_zone, True),
                layer_default_ref(layer.name, layer.inter_zone, False),
                None if layer.applies_from is None else resolver.addresses_of(layer.applies_from),
                None if layer.applies_to is None else resolver.addresses_of(layer.applies_to),
            )
        )
    return tuple(out)


@dataclass(frozen=True, slots=True)
class Decision:
    """The deciding rule of every layer that applies, in layer order (the implicit one first)."""

    rules: tuple[RuleRef, ...]

    @property
    def allowed(self) -> bool:
        return all(r.action == "allow" for r in self.rules)

    @property
    def rule(self) -> RuleRef:
        """The rule a report cites first: the first denying one, else the first allowing one."""
        return next((r for r in self.rules if r.action == "deny"), self.rules[0])


def decide_layers(layers: Iterable[CompiledLayer], resolver: Resolver, packet: Packet) -> Decision:
    return Decision(tuple(layer.decide(resolver, packet) for layer in layers if layer.applies(packet)))


def decide(model: Model, resolver: Resolver, packet: Packet) -> Decision:
    """How a concrete packet fares through every enforcement layer of the model."""
    return decide_layers(compile_layers(model, resolver), resolver, packet)
