"""Kinds stage: `reachable`: every packet from the sources to the destinations on the services is allowed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from segverify.kinds.common import FROM_SOURCES, TO, OnePacketKind
from segverify.model.ir import PolicyKind, PolicySpec, ReachableSpec
from segverify.model.shapes import Field

if TYPE_CHECKING:
    from segverify.analyses.registry import Analysis
    from segverify.model.ir import Policy
    from segverify.model.names import Context
    from segverify.model.read import Fields
    from segverify.semantics.context import Semantics
    from segverify.semantics.policies import Query

SERVICES = Field("services", "list", "services that must be open", required=True)


class Reachable(OnePacketKind):
    name: PolicyKind = "reachable"
    fields: tuple[Field, ...] = (FROM_SOURCES, TO, SERVICES)
    meaning = "Every packet from the source to the destination on the listed services is allowed."
    fix = "Add or reorder an allow rule above the rule or default that denies the packet."

    def build(self, ctx: Context, f: Fields) -> PolicySpec:
        services = f.items("services")
        return ReachableSpec(
            f.refs("from"), f.refs("to"), tuple(s.text for s in services), ctx.ports(services)
        )

    def analysis(self) -> Analysis:
        from segverify.analyses.packet_policies import check_reachable

        return check_reachable

    def queries(self, sem: Semantics, policy: Policy) -> list[Query]:
        """Any denial in the region violates."""
        from segverify.semantics.policies import Query

        spec, r = policy.spec, sem.resolver
        assert isinstance(spec, ReachableSpec)
        return [
            Query(None, r.addresses_of(spec.sources), r.addresses_of(spec.destinations), spec.ports, "deny")
        ]
