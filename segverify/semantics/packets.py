"""Semantics stage: a concrete packet's decision (firstmatch.py), and how check messages print it."""

from __future__ import annotations

from segverify.model.addresses import V6_BASE, format_address
from segverify.model.ir import Model
from segverify.model.ports import split_svc
from segverify.model.refs import Resolver
from segverify.results import Packet, RuleRef, default_ref
from segverify.semantics.firstmatch import CompiledFlow, compile_rules, first_match, same_zone
from segverify.semantics.firstmatch import decide as decide_all

__all__ = ["CompiledFlow", "compile_flows", "decide", "decide_compiled", "default_for", "format_packet"]


def compile_flows(model: Model, resolver: Resolver) -> tuple[CompiledFlow, ...]:
    """The implicit layer's rules (top-level `flows`), compiled."""
    return compile_rules(model.flows, resolver)


def default_for(model: Model, resolver: Resolver, src: int, dst: int) -> RuleRef:
    """No rule matched: intra_zone when both ends lie in one zone, inter_zone otherwise (also zoneless)."""
    return default_ref(model.defaults, same_zone(resolver, src, dst))


def decide_compiled(
    model: Model, resolver: Resolver, flows: tuple[CompiledFlow, ...], packet: Packet
) -> RuleRef:
    """First match over `flows` (the implicit layer's, or a slice of them), else its default."""
    found = first_match(flows, packet)
    return found if found is not None else default_for(model, resolver, packet.src, packet.dst)


def decide(model: Model, resolver: Resolver, packet: Packet) -> RuleRef:
    """The rule (or default) a report cites for a concrete packet, through every layer: its
    action is the packet's fate (firstmatch.Decision.rule)."""
    return decide_all(model, resolver, packet).rule


def format_packet(packet: Packet) -> str:
    """`src -> dst proto/port`, for check messages."""
    proto, port = split_svc(packet.svc)
    return f"{format_address(packet.src)} -> {format_address(packet.dst)} {proto}/{port}"


def mixes_families(packet: Packet) -> bool:
    """No network carries a packet from an IPv4 address to an IPv6 one, or back."""
    return (packet.src >= V6_BASE) != (packet.dst >= V6_BASE)
