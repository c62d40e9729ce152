"""Exit-code matrix for --fail-on and --exit-zero, with expired, stale and ignored waivers."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from ci_fixtures import policy, report_of, waiver, with_severity

from segverify.analyses.waivers import apply_waivers
from segverify.model.ir import Severity
from segverify.model.ir import Severity as _Severity
from segverify.results import Gate, PolicyResult, Report, Status


def exit_code_for(report: Report, fail_on: _Severity | None = None, exit_zero: bool = False) -> int:
    return replace(report, gate=Gate(fail_on, exit_zero)).exit_code


def failing(report: Report, fail_on: _Severity | None) -> tuple[PolicyResult, ...]:
    return replace(report, gate=Gate(fail_on)).failing()


P, V, W, U = Status.PROVED, Status.VIOLATED, Status.WAIVED, Status.UNKNOWN

# (results as (status, severity), --fail-on, --exit-zero, expected exit code)
MATRIX: list[tuple[list[tuple[Status, Severity]], Severity | None, bool, int]] = [
    ([], None, False, 0),
    ([(P, "high")], None, False, 0),
    ([(W, "critical")], None, False, 0),
    ([(V, "low")], None, False, 1),
    ([(V, "high")], "high", False, 1),
    ([(V, "critical")], "high", False, 1),
    ([(V, "medium")], "high", False, 0),  # below the threshold: reported, passes
    ([(V, "low")], "medium", False, 0),
    ([(V, "medium")], "medium", False, 1),
    ([(V, "low")], "low", False, 1),
    ([(V, "high")], "critical", False, 0),
    ([(V, "critical")], "critical", False, 1),
    ([(U, "low")], None, False, 3),
    ([(U, "low")], "critical", False, 3),  # unknown is never a pass, at any severity
    ([(V, "low"), (U, "low")], "high", False, 3),  # the violation is below, the unknown is not
    ([(V, "high"), (U, "low")], None, False, 1),  # a violation outranks an unknown
    ([(V, "critical"), (U, "high")], None, True, 0),  # --exit-zero: report, never fail
    ([(U, "critical")], None, True, 0),
    ([(V, "critical")], "low", True, 0),
    ([(P, "low"), (W, "high"), (V, "medium")], "critical", False, 0),
]


def report(rows: list[tuple[Status, Severity]]) -> Report:
    return report_of(*(with_severity(s, sev, f"P-{i}") for i, (s, sev) in enumerate(rows)))


@pytest.mark.parametrize(("rows", "fail_on", "exit_zero", "expected"), MATRIX)
def test_exit_code_matrix(
    rows: list[tuple[Status, Severity]], fail_on: Severity | None, exit_zero: bool, expected: int
) -> None:
    assert exit_code_for(report(rows), fail_on, exit_zero) == expected


@pytest.mark.parametrize("rows", [rows for rows, _, _, _ in MATRIX])
def test_without_knobs_it_is_the_spec_exit_code(rows: list[tuple[Status, Severity]]) -> None:
    r = report(rows)
    spec = 1 if r.count(V) else 3 if r.count(U) else 0  # spec: 0 pass, 1 violated, 3 unknown
    assert r.exit_code == spec


def test_failing_lists_only_violations_at_or_above_the_threshold() -> None:
    r = report([(V, "critical"), (V, "medium"), (V, "low"), (U, "critical"), (W, "critical")])
    assert [x.severity for x in failing(r, "medium")] == ["critical", "medium"]
    assert len(failing(r, None)) == 3


# ---- waivers: expired fail, stale are reported and pass, --no-waivers ignores them ----------------

TODAY = date(2026, 6, 1)


def checked(status: Status, expires: date, use_waivers: bool = True) -> tuple[PolicyResult, ...]:
    """What api.check does after the analyses: apply the model's waivers (unless --no-waivers)."""
    results = (policy("SEG-1", "isolated", status, 3, "high"),)
    if not use_waivers:
        return results
    return apply_waivers(results, (waiver("SEG-1", expires),), TODAY)


WAIVER_MATRIX = [
    # (analysis verdict, waiver expires, use waivers, expected status, exit code)
    (V, date(2026, 6, 1), True, W, 0),  # valid up to and including its date
    (V, date(2026, 5, 31), True, V, 1),  # expired: fails again
    (V, date(2027, 1, 1), False, V, 1),  # --no-waivers: the central CI overrules
    (P, date(2027, 1, 1), True, P, 0),  # stale: reported, passes
    (U, date(2027, 1, 1), True, U, 3),  # a waiver never turns unknown into a pass
]


@pytest.mark.parametrize(("verdict", "expires", "use", "status", "code"), WAIVER_MATRIX)
def test_waiver_matrix(verdict: Status, expires: date, use: bool, status: Status, code: int) -> None:
    results = checked(verdict, expires, use)
    assert results[0].status == status
    assert exit_code_for(Report(results=results)) == code


def test_expired_waiver_is_below_threshold_like_any_violation() -> None:
    results = checked(V, date(2020, 1, 1))
    assert "expired" in results[0].reason
    assert exit_code_for(Report(results=results), "critical") == 0
    assert exit_code_for(Report(results=results), "high") == 1


def test_stale_waivers_are_listed() -> None:
    results = checked(P, date(2027, 1, 1)) + checked(V, date(2027, 1, 1))
    assert [r.status for r in Report(results=results).stale_waivers()] == [P]
