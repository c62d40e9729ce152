"""Render stage (diagrams): the controls view: what one proved attack policy rests on.

The architecture (allow rules faint) with the policy's load-bearing deny rules and default
denies drawn as blocking edges (orange), single points of failure in red, and the other
members of one smallest breaking set in purple; MFA controls and the margin in the legend.
"""

from __future__ import annotations

from segverify.explain.explain import Explanation
from segverify.model.controls import Control
from segverify.model.ir import Model
from segverify.render.dot_architecture import draw_flows
from segverify.render.dot_canvas import Canvas, End
from segverify.render.dot_style import dot_id
from segverify.results import Blocked

MAX_MOVES = 6  # blocked moves listed in an edge's tooltip


def render_controls(model: Model, e: Explanation) -> str:
    title = f"{e.result.id}: what the proof rests on ({len(e.load_bearing)} load-bearing controls)"
    canvas = Canvas(model, "controls", title)
    draw_flows(canvas, role="flow-faint", max_services=3)
    spof = {p.control for p in e.single_points}
    minimum = set(e.margin.controls) if e.margin is not None else set()
    tooltips = {c: _moves(moves) for c, moves in e.load_bearing}
    notes: list[str] = []
    for control in sorted({*tooltips, *minimum}, key=Control.sort_key):
        role = "control-spof" if control in spof else "control" if control in tooltips else "control-minimum"
        if control.kind == "mfa":
            notes.append(f"{control.label()}: {role_text(role)}")
            continue
        for tail, head in _ends(canvas, model, control):
            if not canvas.pointless_loop(tail, head):
                edge_id = dot_id("control-", f"{control.label()}-{tail.node}-{head.node}")
                canvas.edge(tail, head, role, [_short(control)], tooltips.get(control, ""), edge_id)
    return canvas.source(legend_notes=(*_margin_notes(e), *notes))


def role_text(role: str) -> str:
    return {"control-spof": "single point of failure", "control": "load-bearing"}.get(
        role, "in the minimum set"
    )


def _ends(canvas: Canvas, model: Model, c: Control) -> list[tuple[End, End]]:
    if c.kind == "default":
        return [(canvas.zone_end(c.source), canvas.zone_end(c.destination))]
    flow = model.flows[c.index]
    tails = [t for s in flow.sources for t in canvas.ends(s.text)]
    heads = [h for d in flow.destinations for h in canvas.ends(d.text)]
    return [(t, h) for t in tails for h in heads]


def _short(c: Control) -> str:
    return c.name if c.kind == "deny-rule" else "default deny"


def _moves(moves: tuple[Blocked, ...]) -> str:
    lines = [f"blocks {m.move} of {m.to} on {m.service}" for m in moves[:MAX_MOVES]]
    return "\n".join(lines + ([f"and {len(moves) - MAX_MOVES} more"] if len(moves) > MAX_MOVES else []))


def _margin_notes(e: Explanation) -> list[str]:
    m = e.margin
    if m is None:
        return ["nothing to explain: the policy is not proved"]
    if m.status == "exact":
        return [f"margin {m.size}: " + ", ".join(c.label() for c in m.controls)]
    return ["margin: no set of controls breaks it" if m.status == "unbreakable" else f"margin: {m.status}"]
