"""Analyses stage: waivers turn a violation into `waived` up to and including their expiry date.

`today` is a parameter (the CLI passes the date), so results never depend on the clock
below the command line. A waiver never turns `unknown` into a pass.
"""

from __future__ import annotations

import dataclasses
from datetime import date

from segverify.model.ir import Waiver
from segverify.results import PolicyResult, Status


def waiver_index(waivers: tuple[Waiver, ...]) -> dict[str, Waiver]:
    """One waiver per policy: the one that expires last."""
    out: dict[str, Waiver] = {}
    for w in sorted(waivers, key=lambda w: (w.policy, w.expires)):
        out[w.policy] = w
    return out


def apply_waiver(result: PolicyResult, waiver: Waiver | None, today: date) -> PolicyResult:
    if waiver is None:
        return result
    if result.status == Status.PROVED:
        return dataclasses.replace(result, stale_waiver=waiver)
    if result.status != Status.VIOLATED:
        return result
    if today <= waiver.expires:
        return dataclasses.replace(result, status=Status.WAIVED, waiver=waiver)
    return dataclasses.replace(
        result, waiver=waiver, reason=f"waiver expired on {waiver.expires.isoformat()}"
    )


def apply_waivers(
    results: tuple[PolicyResult, ...], waivers: tuple[Waiver, ...], today: date
) -> tuple[PolicyResult, ...]:
    index = waiver_index(waivers)
    return tuple(apply_waiver(r, index.get(r.id), today) for r in results)
