"""Render stage for explain: explanations as text and as JSON-ready data (deterministic)."""

from __future__ import annotations

from segverify.explain.explain import Explanation
from segverify.explain.margin import Core, Margin
from segverify.render.plain import Json, blocked_json, control_json, witness_json
from segverify.render.text import MARK, witness_lines
from segverify.results import Blocked

SHOWN_MOVES = 3  # per control in text; JSON lists every move


def proof_text(m: Margin) -> str:
    """How the margin was established, in one sentence."""
    if m.status == "unbreakable":
        return (
            "a certificate re-checked with controls failed cites no further control: "
            "failing more only widens the model, so no set of controls breaks the policy"
        )
    if m.status == "above":
        return f"every set of at most {m.size} controls misses one of {len(m.cores)} cores (Z3 Optimize)"
    if m.status == "unknown":
        return f"not established: {m.reason}"
    if m.size == 1:
        return "the policy is proved with nothing failed, and one control's failure breaks it"
    return (
        f"implicit hitting sets: every breaking set meets each of {len(m.cores)} cores (the controls a "
        f"proved, re-checked certificate rests on); Z3 Optimize proves no set of {m.size - 1} meets "
        "them all, and this set breaks the policy (witness replayed)"
    )


def core_json(core: Core) -> Json:
    return {"failed": [c.label() for c in core.failed], "controls": [c.label() for c in core.controls]}


def margin_json(m: Margin) -> Json:
    out: Json = {"status": m.status, "proof": proof_text(m), "checks": m.checks}
    if m.status in ("exact", "above"):
        out["size"] = m.size
    if m.status == "exact":
        out["controls"] = [control_json(c) for c in m.controls]
    if m.witness is not None:
        out["witness"] = witness_json(m.witness)
    out["cores"] = [core_json(c) for c in m.cores]
    return out


def explanation_json(e: Explanation) -> Json:
    r = e.result
    out: Json = {"id": r.id, "kind": r.kind, "status": r.status.value}
    if r.reason:
        out["reason"] = r.reason
    if e.margin is None:
        return out
    out["controls"] = e.controls
    out["load_bearing"] = [
        {"control": control_json(c), "blocks": [blocked_json(b) for b in moves]}
        for c, moves in e.load_bearing
    ]
    out["single_points_of_failure"] = [
        {"control": control_json(p.control), "witness": witness_json(p.witness)} for p in e.single_points
    ]
    if e.unsettled:
        out["unsettled"] = [control_json(c) for c in e.unsettled]
    out["margin"] = margin_json(e.margin)
    return out


def explanation_summary(e: Explanation) -> Json:
    """The explanation in short (control labels only), for SARIF run properties."""
    out: Json = {"id": e.result.id, "load_bearing": [c.label() for c, _ in e.load_bearing]}
    out["single_points_of_failure"] = [p.control.label() for p in e.single_points]
    if e.margin is not None:
        out["margin"] = {"status": e.margin.status, "proof": proof_text(e.margin)}
        if e.margin.status == "exact":
            out["margin"] |= {"size": e.margin.size, "controls": [c.label() for c in e.margin.controls]}
    return out


def _moves_text(moves: tuple[Blocked, ...]) -> str:
    shown = [f"{b.move} of {b.to} on {b.service}" for b in moves[:SHOWN_MOVES]]
    more = len(moves) - SHOWN_MOVES
    return "; ".join(shown) + (f"; and {more} more" if more > 0 else "")


def _margin_lines(m: Margin) -> list[str]:
    if m.status == "exact" and m.size == 1:
        head = f"  margin: 1 (one control's failure breaks it, e.g. {m.controls[0].label()})"
    elif m.status == "exact":
        names = ", ".join(c.label() for c in m.controls)
        head = f"  margin: {m.size} controls must fail together, e.g. {names}"
    elif m.status == "unbreakable":
        head = "  margin: none: no combination of controls breaks it (it rests on logins, sessions, services)"
    elif m.status == "above":
        head = f"  margin: more than {m.size}"
    else:
        head = "  margin: unknown"
    lines = [head, f"    proof: {proof_text(m)} ({m.checks} re-checks)"]
    if m.witness is not None and m.size > 1:
        lines += ["    " + line for line in witness_lines(m.witness)]
    return lines


def explanation_lines(e: Explanation) -> list[str]:
    r = e.result
    lines = [f"{MARK[r.status]} {r.id} [{r.severity}] {r.title or r.kind}"]
    if e.margin is None:
        note = r.reason or "the policy does not hold as written (`check` prints its witness)"
        return lines + [f"  nothing to explain: {note}"]
    lines.append(f"  load-bearing controls: {len(e.load_bearing)} of {e.controls}")
    lines += [f"    {c.label()}: blocks {_moves_text(moves)}" for c, moves in e.load_bearing]
    lines.append(f"  single points of failure: {len(e.single_points) or 'none'}")
    for p in e.single_points:
        lines.append(f"    {p.control.label()}: failing it alone opens")
        lines += ["    " + line for line in witness_lines(p.witness)]
    lines += [f"    {c.label()}: unknown (the re-check gave no verdict)" for c in e.unsettled]
    return lines + _margin_lines(e.margin)


def render_explanations_text(explanations: list[Explanation]) -> str:
    blocks = ["\n".join(explanation_lines(e)) for e in explanations]
    return "\n\n".join(blocks) + "\n"


def render_explanations_json(explanations: list[Explanation]) -> Json:
    return {"segverify": "1", "explanations": [explanation_json(e) for e in explanations]}
