"""Semantics stage: first match on one concrete packet, the definition every answer is checked against."""

from __future__ import annotations

from dataclasses import dataclass

from segverify.model.addresses import V6_BASE, format_address
from segverify.model.intervals import IntervalSet
from segverify.model.ir import Flow, Model
from segverify.model.ports import split_svc
from segverify.model.refs import Resolver
from segverify.results import Packet, RuleRef, default_ref, rule_ref


@dataclass(frozen=True, slots=True)
class CompiledFlow:
    """A flow with its references resolved once: the box of packets it matches."""

    flow: Flow
    sources: IntervalSet
    destinations: IntervalSet
    ports: IntervalSet
    rule: RuleRef


def compile_flows(model: Model, resolver: Resolver) -> tuple[CompiledFlow, ...]:
    return tuple(
        CompiledFlow(
            flow=f,
            sources=resolver.addresses_of(f.sources),
            destinations=resolver.addresses_of(f.destinations),
            ports=f.ports,
            rule=rule_ref(f),
        )
        for f in model.flows
    )


def default_for(model: Model, resolver: Resolver, src: int, dst: int) -> RuleRef:
    """No rule matched: intra_zone when both ends lie in one zone, inter_zone otherwise (also zoneless)."""
    zone = resolver.zone_of(src)
    return default_ref(model.defaults, zone is not None and zone == resolver.zone_of(dst))


def decide_compiled(
    model: Model, resolver: Resolver, flows: tuple[CompiledFlow, ...], packet: Packet
) -> RuleRef:
    for cf in flows:
        if packet.src in cf.sources and packet.dst in cf.destinations and packet.svc in cf.ports:
            return cf.rule
    return default_for(model, resolver, packet.src, packet.dst)


def decide(model: Model, resolver: Resolver, packet: Packet) -> RuleRef:
    """The rule (or default) that decides a concrete packet: the first flow that matches it."""
    return decide_compiled(model, resolver, compile_flows(model, resolver), packet)


def format_packet(packet: Packet) -> str:
    """`src -> dst proto/port`, for check messages."""
    proto, port = split_svc(packet.svc)
    return f"{format_address(packet.src)} -> {format_address(packet.dst)} {proto}/{port}"


def mixes_families(packet: Packet) -> bool:
    """No network carries a packet from an IPv4 address to an IPv6 one, or back."""
    return (packet.src >= V6_BASE) != (packet.dst >= V6_BASE)
