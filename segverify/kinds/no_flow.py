"""Kinds stage: `no_flow`: no packet from the sources to the destinations outside `except` is allowed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from segverify.kinds.common import FROM_SOURCES, TO, OnePacketKind
from segverify.model.ir import NoFlowSpec, PolicyKind, PolicySpec
from segverify.model.shapes import Field

if TYPE_CHECKING:
    from segverify.analyses.registry import Analysis
    from segverify.model.ir import Policy
    from segverify.model.names import Context
    from segverify.model.read import Fields
    from segverify.semantics.context import Semantics
    from segverify.semantics.policies import Query

EXCEPT = Field("except", "list", "services that may flow")


class NoFlow(OnePacketKind):
    name: PolicyKind = "no_flow"
    fields: tuple[Field, ...] = (FROM_SOURCES, TO, EXCEPT)
    meaning = "No packet from the source to the destination outside `except` is allowed."
    fix = "Narrow or deny the rule that allows the packet, or move a deny rule above it."

    def build(self, ctx: Context, f: Fields) -> PolicySpec:
        excepted = f.items("except")
        return NoFlowSpec(f.refs("from"), f.refs("to"), tuple(s.text for s in excepted), ctx.ports(excepted))

    def analysis(self) -> Analysis:
        from segverify.analyses.packet_policies import check_no_flow

        return check_no_flow

    def queries(self, sem: Semantics, policy: Policy) -> list[Query]:
        """Any allowed packet outside `except` violates."""
        from segverify.model.ports import ALL_SERVICES
        from segverify.semantics.policies import Query

        spec, r = policy.spec, sem.resolver
        assert isinstance(spec, NoFlowSpec)
        svc = ALL_SERVICES.difference(spec.except_ports)
        return [Query(None, r.addresses_of(spec.sources), r.addresses_of(spec.destinations), svc, "allow")]
