"""Lint stage: stale waivers, decided by the check itself (api.check, witnesses and proofs self-checked).

Only the policies a waiver names are checked; a waiver is stale when its policy is proved.
"""

from __future__ import annotations

import dataclasses

from segverify.lint.context import LintContext
from segverify.lint.findings import Finding, Subject


def stale_waivers(ctx: LintContext) -> list[Finding]:
    waived = {w.policy for w in ctx.whole.waivers}
    if not waived:
        return []
    from segverify import api  # z3: only when there is a waiver to judge

    model = dataclasses.replace(ctx.whole, policies=tuple(p for p in ctx.whole.policies if p.id in waived))
    report = api.check(model, api.CheckOptions(today=ctx.options.today))
    out = []
    for r in report.results:
        w = r.stale_waiver
        if w is not None:
            message = f"waiver for {r.id} is stale: the policy now holds; remove the waiver ({w.reason})"
            out.append(Finding("stale-waiver", "warning", message, Subject("waiver", r.id, w.span)))
    return out
