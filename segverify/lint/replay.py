"""Lint stage: every witness is replayed by the reference first match before it is printed.

The sweep that found a finding and the plain first match (semantics/packets.py) must agree on
the witness packet; a disagreement is a bug in segverify, never a finding. In a layered model
the reference then decides the packet through every layer of the whole model (layers.py), and
the layer's deciding rule must be the same.
"""

from __future__ import annotations

from collections.abc import Sequence

from segverify.errors import InternalError
from segverify.lint.layers import LayerTable
from segverify.lint.space import RuleSpace
from segverify.results import Packet, RuleRef
from segverify.semantics.packets import CompiledFlow, decide_compiled, format_packet
from segverify.semantics.regions import FlowTable


def matches(cf: CompiledFlow, packet: Packet) -> bool:
    return packet.src in cf.sources and packet.dst in cf.destinations and packet.svc in cf.ports


def replay(table: FlowTable, space: RuleSpace, packet: Packet, decided_by: RuleRef, code: str) -> None:
    """`packet` lies in the rule's box and first match decides it by `decided_by`.

    First match runs over the rules that can match a packet of the box: every rule that meets
    the box (the index's hull test keeps all of them), in list order, then the rule itself. A
    rule outside that list matches no packet of the box, so the answer is first match over the
    whole list, without a scan of ten thousand rules per witness.
    """
    cf = space.flow
    got = decide_compiled(table.model, table.resolver, (*space.earlier, cf), packet)
    if not matches(cf, packet) or got != decided_by:
        raise InternalError(
            f"lint {code} witness for rule {cf.rule.name}: {format_packet(packet)} "
            f"(in its box: {matches(cf, packet)}) is decided by {got.name}, the sweep said {decided_by.name}"
        )
    if isinstance(table, LayerTable):
        table.scope.check(table.resolver, packet, decided_by, code)


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
    if isinstance(table, LayerTable):
        table.scope.check_without(table.resolver, packet, cf.rule, cf.rule.action, "redundant-with-default")
    return got
