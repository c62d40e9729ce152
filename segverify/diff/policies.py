"""Diff stage: every policy's status on both sides, and what the change did to it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from segverify.results import PolicyResult, Report, Status

Change = Literal["regressed", "fixed", "unchanged", "added", "removed"]
HOLDS = (Status.PROVED, Status.WAIVED)


@dataclass(frozen=True, slots=True)
class PolicyChange:
    id: str
    before: PolicyResult | None  # None: the policy exists in AFTER only
    after: PolicyResult | None
    change: Change


def compare_policies(before: Report, after: Report) -> tuple[PolicyChange, ...]:
    old = {r.id: r for r in before.results}
    new = {r.id: r for r in after.results}
    return tuple(
        PolicyChange(i, old.get(i), new.get(i), _change(old.get(i), new.get(i))) for i in sorted(old | new)
    )


def _change(old: PolicyResult | None, new: PolicyResult | None) -> Change:
    if old is None:
        return "added"
    if new is None:
        return "removed"
    if old.status in HOLDS and new.status not in HOLDS:
        return "regressed"  # proved or waived -> violated or unknown
    if old.status not in HOLDS and new.status in HOLDS:
        return "fixed"
    return "unchanged"
