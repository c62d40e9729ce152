"""Fix stage: a fix result as text or JSON (pure functions: result in, text out)."""

from __future__ import annotations

import json
from typing import Any

from segverify.fix.apply import deny_positions, deny_rule_name
from segverify.fix.changes import Change
from segverify.fix.search import FixResult, FixSet
from segverify.model.ir import Model
from segverify.render.hops import packet_text
from segverify.render.text import render_text
from segverify.results import Report


def describe(change: Change) -> str:
    """One line an architect reads: what to edit, where."""
    t, p = change.target, change.part
    if change.kind == "insert_deny":
        name = deny_rule_name(change)
        return f"insert deny rule {name}: from {change.deny_source} to {t} on {change.deny_service}"
    if change.kind == "narrow_rule":
        return f"narrow rule {t}: drop {p.replace(':', ' ', 1)}"
    texts = {
        "delete_rule": f"delete rule {t}",
        "remove_login": f"host {t}: remove {p} from logins",
        "remove_session": f"host {t}: remove {p} from sessions",
        "remove_manages": f"host {t}: remove {p} from manages",
        "require_mfa": f"account {t}: require MFA (mfa: true)",
        "patch_service": f"host {t}: patch {p} (remove it from vulnerable)",
        "remove_member": f"{t}: remove {p} from member_of",
    }
    return texts[change.kind]


def locate(model: Model, change: Change) -> tuple[str, str, int]:
    """(name, file, line) of the entity a change edits; an inserted deny: the rule it precedes."""
    if change.kind in ("delete_rule", "narrow_rule"):
        flow = next(f for f in model.flows if f.name == change.target)
        return flow.name, flow.span.file, flow.span.line
    if change.kind == "insert_deny":
        return _deny_place(model, change)
    if change.kind in ("require_mfa", "remove_member"):
        p = model.principals[change.target]
        return p.name, p.span.file, p.span.line
    h = model.hosts[change.target]
    return h.name, h.span.file, h.span.line


def _deny_place(model: Model, change: Change) -> tuple[str, str, int]:
    ((index, _),) = deny_positions(model, [change]).items()
    flow = model.flows[index] if index is not None else (model.flows[-1] if model.flows else None)
    if flow is None:
        return "(end of flows)", "", 0
    return (flow.name if index is not None else "(end of flows)"), flow.span.file, flow.span.line


def fix_json(model: Model, result: FixResult) -> dict[str, Any]:
    first = result.fixes[0] if result.fixes else None
    out: dict[str, Any] = {
        "status": result.status,
        "cost": first.cost if first else (0 if result.status == "nothing" else None),
        "lower_bound": result.lower_bound,
        "optimal": result.status in ("fixed", "nothing"),
        "targets": list(result.targets),
        "changes": _changes_json(model, first) if first else [],
        "recheck": _recheck_json(first.recheck if first else result.before),
        "alternatives": [{"cost": f.cost, "changes": _changes_json(model, f)} for f in result.fixes[1:]],
    }
    out["out_of_scope"] = list(result.out_of_scope)
    if result.status == "infeasible":
        out["conflict"] = {
            "policies": list(result.conflict),
            "flows_kept": [b.label for b in result.broken_flows],
        }
    if result.reason:
        out["reason"] = result.reason
    return out


def _changes_json(model: Model, fix: FixSet) -> list[dict[str, Any]]:
    out = []
    for c in fix.changes:
        name, file, line = locate(model, c)
        out.append(
            {
                "kind": c.kind,
                "target": {"name": name, "file": file, "line": line},
                "detail": describe(c),
                "cost": fix.costs[c],
                "cuts": list(fix.cuts[c]),
            }
        )
    return out


def _recheck_json(report: Report) -> dict[str, str]:
    return {r.id: r.status.value for r in report.results}


def render_fix_json(model: Model, result: FixResult) -> str:
    return json.dumps(fix_json(model, result), indent=2, sort_keys=False) + "\n"


def render_fix_text(model: Model, result: FixResult) -> str:
    return _body_text(model, result) + _scope_text(result)


def _scope_text(result: FixResult) -> str:
    if not result.out_of_scope:
        return ""
    ids = ", ".join(result.out_of_scope)
    return f"not in scope (fix does not handle `resilient` policies yet; the re-check shows them): {ids}\n"


def _body_text(model: Model, result: FixResult) -> str:
    if result.status == "nothing":
        return "nothing to fix: every policy in scope holds\n"
    if result.status == "infeasible":
        return _infeasible_text(result)
    if result.status == "unknown":
        return _unknown_text(model, result)
    lines = _fix_lines(model, result.fixes[0])
    lines.append(f"cost {result.fixes[0].cost}: optimal (lower bound = {result.lower_bound})")
    for i, alt in enumerate(result.fixes[1:], 1):
        lines += ["", f"alternative {i} (cost {alt.cost}):", *_fix_lines(model, alt)]
    lines += ["", "re-check of the changed model:", render_text(result.fixes[0].recheck).rstrip("\n")]
    return "\n".join(lines) + "\n"


def _unknown_text(model: Model, result: FixResult) -> str:
    lines = [f"no fix proved optimal: {result.reason}; proved lower bound = {result.lower_bound}"]
    if result.fixes:
        best = result.fixes[0]
        lines += ["best fix found (re-checked, not proved optimal):", *_fix_lines(model, best)]
        lines.append(f"cost {best.cost}: gap {best.cost - result.lower_bound} to the lower bound")
    return "\n".join(lines) + "\n"


def _fix_lines(model: Model, fix: FixSet) -> list[str]:
    """The changes grouped per file, each with file:line, its cost and the policies it cuts."""
    placed = sorted((locate(model, c)[1:], c) for c in fix.changes)
    lines: list[str] = []
    current = None
    for (file, line), c in placed:
        if file != current:
            lines.append(f"{file or '(new)'}:")
            current = file
        lines.append(f"  {file}:{line}: {describe(c)}  [cost {fix.costs[c]}; cuts {', '.join(fix.cuts[c])}]")
    return lines


def _infeasible_text(result: FixResult) -> str:
    what = "these policies conflict" if len(result.conflict) > 1 else "no change fixes"
    lines = [f"no fix exists within the allowed changes: {what}: " + ", ".join(result.conflict)]
    for b in result.broken_flows:
        lines.append(f"  {b.label} needs {packet_text(b.packet)} allowed; the cuts left would deny it")
    if result.conflict_results:
        report = Report(results=result.conflict_results, files=result.before.files)
        lines.append(render_text(report).rstrip("\n"))
    return "\n".join(lines) + "\n"
