"""Fix stage: `segverify fix` from a loaded model to an exit code (the CLI only parses options)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from segverify.errors import EXIT_OK, EXIT_UNKNOWN, EXIT_VIOLATED, UsageError
from segverify.fix.costsfile import read_costs
from segverify.fix.patch import unified_diff, write_changed
from segverify.fix.render import render_fix_json, render_fix_text
from segverify.fix.search import FixOptions, FixResult, find_fix
from segverify.model.ir import Model
from segverify.model.unlayered import require_no_layers

EXIT_CODES = {"fixed": EXIT_OK, "nothing": EXIT_OK, "infeasible": EXIT_VIOLATED, "unknown": EXIT_UNKNOWN}


def run_fix(
    model: Model,
    costs: Path | None,
    keep: list[str],
    keep_waived: bool,
    alternatives: int,
    fmt: str,
    write: Path | None,
    timeout: float,
    today: date,
) -> tuple[str, int, str]:
    """The payload for stdout, the exit code and a note for stderr (empty: none)."""
    require_no_layers(model, "`segverify fix`")
    unknown = sorted(k for k in keep if not _known(model, k))
    if unknown:
        raise UsageError(f"--keep '{unknown[0]}' is not a rule, host, zone or account of the model")
    options = FixOptions(
        costs=read_costs(str(costs) if costs else None, frozenset(keep)),
        keep_waived=keep_waived,
        alternatives=alternatives,
        timeout_s=timeout,
        today=today,
    )
    result = find_fix(model, options)
    notes = []
    if fmt == "patch":
        # The diff alone on stdout (pipe it to `git apply`); what it means goes to stderr.
        text = unified_diff(model, result.fixes[0].changes) if result.fixes else ""
        notes.append(_summary(result))
    else:
        text = render_fix_json(model, result) if fmt == "json" else render_fix_text(model, result)
    if write is not None and result.fixes:
        notes.append(_write(model, result, write))
    return text, EXIT_CODES[result.status], "\n".join(n for n in notes if n)


def _known(model: Model, name: str) -> bool:
    return (
        name in model.hosts
        or name in model.zones
        or name in model.principals
        or any(f.name == name for f in model.flows)
    )


def _summary(result: FixResult) -> str:
    if not result.fixes:
        return {
            "nothing": "nothing to fix",
            "infeasible": "no fix exists (run --format text for the conflict)",
        }.get(result.status, f"no fix proved: {result.reason}")
    fix = result.fixes[0]
    if result.status == "fixed":
        return f"{len(fix.changes)} change(s), cost {fix.cost}: optimal (lower bound = {result.lower_bound})"
    return f"best fix found, cost {fix.cost}, not proved optimal (lower bound = {result.lower_bound})"


def _write(model: Model, result: FixResult, folder: Path) -> str:
    files = write_changed(model, result.fixes[0].changes, folder)
    return f"wrote the changed model: {len(files)} file(s) in {folder}"
