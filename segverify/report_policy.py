"""Results stage: the CI gate's exit knobs (--fail-on, --exit-zero) over a finished report.

`segverify.results.exit_code` stays the default; this only narrows which violations fail.
Expired waivers already arrive as `violated` (analyses/waivers.py); stale waivers are
reported by the renderers and never fail a run.
"""

from __future__ import annotations

from segverify.model.ir import SEVERITIES, Severity
from segverify.results import EXIT_OK, EXIT_UNKNOWN, EXIT_VIOLATED, PolicyResult, Report, Status

# critical is the highest; a smaller rank is more severe.
SEVERITY_RANK: dict[Severity, int] = {s: i for i, s in enumerate(SEVERITIES)}


def at_or_above(severity: Severity, threshold: Severity | None) -> bool:
    """Whether `severity` reaches `threshold`; no threshold means every severity counts."""
    return threshold is None or SEVERITY_RANK[severity] <= SEVERITY_RANK[threshold]


def failing(report: Report, fail_on: Severity | None) -> tuple[PolicyResult, ...]:
    """The violations that fail the run: those at or above the --fail-on threshold."""
    return tuple(
        r for r in report.results if r.status == Status.VIOLATED and at_or_above(r.severity, fail_on)
    )


def stale_waivers(report: Report) -> tuple[PolicyResult, ...]:
    """Results whose waiver is no longer needed because the policy now holds."""
    return tuple(r for r in report.results if r.stale_waiver is not None)


def exit_code_for(report: Report, fail_on: Severity | None = None, exit_zero: bool = False) -> int:
    """0/1/3 as the spec says, narrowed by --fail-on and silenced by --exit-zero.

    A violation below the threshold is reported but passes. `unknown` is never a pass: it
    exits 3 at any severity, unless --exit-zero asks for a report that never fails.
    """
    if exit_zero:
        return EXIT_OK
    if failing(report, fail_on):
        return EXIT_VIOLATED
    if report.count(Status.UNKNOWN):
        return EXIT_UNKNOWN
    return EXIT_OK
