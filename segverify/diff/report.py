"""Diff stage: both versions compared as one value (packets, intent, attack reach, policies, definitions)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from segverify.api import CheckOptions, check, new_context
from segverify.diff.attack import Closed, ReachChange, Side, closed_sets, probes, reach_diff
from segverify.diff.changes import ModelChanges, model_changes
from segverify.diff.groups import PacketDiff, packet_diff
from segverify.diff.intended import IntendedResult, Intent, check_intended
from segverify.diff.policies import PolicyChange, compare_policies
from segverify.diff.reuse import Change, carried, change_of
from segverify.encode.solve import Budget
from segverify.errors import EXIT_OK, EXIT_UNKNOWN, EXIT_VIOLATED
from segverify.model.ir import Foothold, Model
from segverify.results import Report, Status
from segverify.semantics.context import Semantics

FailOn = Literal["regressed", "opened", "any"]
FAIL_ON: tuple[FailOn, ...] = ("regressed", "opened", "any")


@dataclass(frozen=True, slots=True)
class DiffReport:
    policies: tuple[PolicyChange, ...]
    packets: PacketDiff
    intended: IntendedResult | None
    gained: tuple[ReachChange, ...]
    lost: tuple[ReachChange, ...]
    changes: ModelChanges
    files: tuple[str, ...] = ()  # AFTER's files: where SARIF anchors
    after: Model | None = None  # AFTER itself: SARIF points at the lines that enable a finding

    def regressed(self) -> tuple[PolicyChange, ...]:
        return tuple(p for p in self.policies if p.change == "regressed")

    def off_intent(self) -> bool:
        return self.intended is not None and bool(self.intended.collateral or self.intended.unmet)

    def opened(self) -> bool:
        return bool(self.packets.opened or self.gained)

    def anything(self) -> bool:
        changed = any(p.change != "unchanged" for p in self.policies)
        return changed or bool(self.packets.groups() or self.gained or self.lost) or not self.changes.empty()

    def unknown(self) -> bool:
        return any(p.after is not None and p.after.status == Status.UNKNOWN for p in self.policies)


def diff(
    before: Model,
    after: Model,
    options: CheckOptions = CheckOptions(),
    intents: tuple[Intent, ...] | None = None,
    footholds: tuple[Foothold, ...] = (),
) -> DiffReport:
    """The diff, both sides checked with `options`, reusing what BEFORE's results allow for a
    change of rules alone (diff/reuse.py): AFTER's verdicts the change cannot touch, and reach
    probes whose fixpoint it cannot alter. Equal to `run_diff` on both full checks."""
    old, new = Semantics(before), Semantics(after)  # each side's reference tables, built once
    packets = packet_diff(old.table, new.table)
    changes = model_changes(before, after)
    change = change_of(after, packets, changes, new)
    first = check(before, options)
    if change is None:
        return run_diff(before, after, (first, check(after, options)), intents, footholds, options.budget)
    second = check(after, options, carried(before, first, change, options.verify_certificates))
    closed = closed_sets(before, first) if options.verify_certificates else []
    return _assemble(
        (old, new), (first, second), packets, changes, intents, footholds, options.budget, (change, closed)
    )


def run_diff(
    before: Model,
    after: Model,
    reports: tuple[Report, Report],
    intents: tuple[Intent, ...] | None = None,
    footholds: tuple[Foothold, ...] = (),
    budget: Budget = Budget(),
) -> DiffReport:
    """The unoptimised diff: `reports` are api.check of each side in full (the caller runs them,
    with its options), and every reach probe runs on both sides. The oracle of `diff`."""
    old, new = Semantics(before), Semantics(after)  # each side's reference tables, built once
    packets = packet_diff(old.table, new.table)
    changes = model_changes(before, after)
    return _assemble((old, new), reports, packets, changes, intents, footholds, budget, None)


def _assemble(
    sems: tuple[Semantics, Semantics],
    reports: tuple[Report, Report],
    packets: PacketDiff,
    changes: ModelChanges,
    intents: tuple[Intent, ...] | None,
    footholds: tuple[Foothold, ...],
    budget: Budget,
    reuse: tuple[Change, list[Closed]] | None,
) -> DiffReport:
    old, new = sems
    before, after = old.model, new.model
    intended = None if intents is None else check_intended(old.table, new.table, packets.groups(), intents)
    gained: tuple[ReachChange, ...] = ()
    lost: tuple[ReachChange, ...] = ()
    if not reach_unchanged(packets, changes):
        found = probes(before, after, footholds)
        if reuse is None:
            sides = (Side(new_context(before, budget), old), Side(new_context(after, budget), new))
            gained, lost = reach_diff(*sides, found)
        else:
            gained, lost = reach_diff(
                lambda: Side(new_context(before, budget), old),
                lambda: Side(new_context(after, budget), new),
                found,
                *reuse,
            )
    return DiffReport(
        policies=compare_policies(*reports),
        packets=packets,
        intended=intended,
        gained=gained,
        lost=lost,
        changes=changes,
        files=after.files,
        after=after,
    )


def reach_unchanged(packets: PacketDiff, changes: ModelChanges) -> bool:
    """The attacker's moves depend on the model only through packet decisions and the definitions
    of zones, services, hosts, accounts, groups and defaults (the attacker profile). When no packet
    is decided differently (exact) and only rules changed, every reach is the same on both sides."""
    definitions = (*changes.added, *changes.removed, *changes.changed)
    return not packets.groups() and all(d.kind == "rule" for d in definitions)


def diff_exit_code(report: DiffReport, fail_on: FailOn) -> int:
    """1 when the fail condition holds; else 3 when a policy is unknown after; else 0."""
    failed = {
        "regressed": bool(report.regressed()) or report.off_intent(),
        "opened": report.opened(),
        "any": report.anything() or report.off_intent(),
    }[fail_on]
    if failed:
        return EXIT_VIOLATED
    return EXIT_UNKNOWN if report.unknown() else EXIT_OK
