"""Fix stage: `segverify fix` from a loaded model to an exit code (the CLI only parses options)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from segverify.errors import UsageError
from segverify.fix.apply import apply_changes
from segverify.fix.costsfile import read_costs
from segverify.fix.render import render_fix_json, render_fix_text
from segverify.fix.search import FixOptions, FixResult, find_fix
from segverify.model.ir import Model
from segverify.results import EXIT_OK, EXIT_UNKNOWN, EXIT_VIOLATED

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
    text = render_fix_json(model, result) if fmt == "json" else render_fix_text(model, result)
    note = _write(model, result, write) if write is not None and result.fixes else ""
    return text, EXIT_CODES[result.status], note


def _known(model: Model, name: str) -> bool:
    return (
        name in model.hosts
        or name in model.zones
        or name in model.principals
        or any(f.name == name for f in model.flows)
    )


def _write(model: Model, result: FixResult, folder: Path) -> str:
    from segverify.synth.dump import write_model

    changed = apply_changes(model, result.fixes[0].changes)
    files = write_model(changed, str(folder))
    return f"wrote the changed model: {len(files)} file(s) in {folder}"
