"""Kinds stage: `isolated`: no sequence of moves from the footholds controls a target."""

from __future__ import annotations

from typing import TYPE_CHECKING

from segverify.kinds.common import FROM_FOOTHOLDS, RESILIENT_FIELD, TO, ReachKind, footholds
from segverify.model.ir import IsolatedSpec, PolicyKind, PolicySpec
from segverify.model.shapes import Field

if TYPE_CHECKING:
    from segverify.analyses.registry import Analysis
    from segverify.model.names import Context
    from segverify.model.read import Fields


class Isolated(ReachKind):
    name: PolicyKind = "isolated"
    fields: tuple[Field, ...] = (FROM_FOOTHOLDS, TO, RESILIENT_FIELD)
    meaning = (
        "No sequence of login, exploit, manage and harvest moves from the foothold controls a target host."
    )
    fix = (
        "Break the attack path at its weakest hop: deny the flow rule that opens it, remove the login "
        "or session that hands over the credential, or fix the vulnerable service."
    )

    def build(self, ctx: Context, f: Fields) -> PolicySpec:
        return IsolatedSpec(footholds(ctx, f), f.refs("to"))

    def analysis(self) -> Analysis:
        from segverify.analyses.attack_policies import check_isolated

        return check_isolated
