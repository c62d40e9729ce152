"""Kinds stage: `only_via`: with the `via` hosts unusable, the targets are isolated."""

from __future__ import annotations

from typing import TYPE_CHECKING

from segverify.kinds.common import FROM_FOOTHOLDS, RESILIENT_FIELD, TO, ReachKind, footholds
from segverify.model.ir import OnlyViaSpec, PolicyKind, PolicySpec
from segverify.model.shapes import Field

if TYPE_CHECKING:
    from segverify.analyses.registry import Analysis
    from segverify.model.names import Context
    from segverify.model.read import Fields

VIA = Field("via", "list", "the only hosts a path may cross", required=True)


class OnlyVia(ReachKind):
    name: PolicyKind = "only_via"
    fields: tuple[Field, ...] = (FROM_FOOTHOLDS, TO, VIA, RESILIENT_FIELD)
    meaning = (
        "With the `via` hosts unusable by the attacker, the targets are isolated from the foothold: "
        "every path goes through a `via` host."
    )
    fix = "Deny the flow rule that lets the path bypass the `via` hosts, or route the access through them."

    def build(self, ctx: Context, f: Fields) -> PolicySpec:
        return OnlyViaSpec(footholds(ctx, f), f.refs("to"), f.refs("via"))

    def analysis(self) -> Analysis:
        from segverify.analyses.attack_policies import check_only_via

        return check_only_via
