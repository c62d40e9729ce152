"""Lint stage: every witness is replayed by the reference first match before it is printed.

The sweep that found a finding and the plain first match (semantics/packets.py) must agree on
the witness packet; a disagreement is a bug in segverify, never a finding.
"""

from __future__ import annotations

from collections.abc import Sequence

from segverify.errors import InternalError
from segverify.results import Packet, RuleRef
from segverify.semantics.packets import CompiledFlow, decide_compiled, format_packet
from segverify.semantics.regions import FlowTable


def matches(cf: CompiledFlow, packet: Packet) -> bool:
    return packet.src in cf.sources and packet.dst in cf.destinations and packet.svc in cf.ports


def replay(table: FlowTable, cf: CompiledFlow, packet: Packet, decided_by: RuleRef, code: str) -> None:
    """`packet` lies in `cf`'s box and first match decides it by `decided_by`."""
    got = table.decide(packet)
    if not matches(cf, packet) or got != decided_by:
        raise InternalError(
            f"lint {code} witness for rule {cf.rule.name}: {format_packet(packet)} "
            f"(in its box: {matches(cf, packet)}) is decided by {got.name}, the sweep said {decided_by.name}"
        )


def replay_without(
    table: FlowTable, cf: CompiledFlow, later: Sequence[CompiledFlow], packet: Packet
) -> RuleRef:
    """With `cf` removed, the packet gets `cf`'s action again: its removal changes nothing here.

    `cf` decides the packet (replayed first), so no earlier rule matches it, and a later rule
    that matches it meets `cf`'s box: first match among `later` (those that can) decides it.
    """
    got = decide_compiled(table.model, table.resolver, tuple(later), packet)
    if got.action != cf.rule.action:
        raise InternalError(
            f"lint redundant-with-default witness for rule {cf.rule.name}: without it "
            f"{format_packet(packet)} is {got.action} by {got.name}"
        )
    return got
