"""Render stage (diagrams): the architecture view: zones, hosts, allow rules, management, logins."""

from __future__ import annotations

from segverify.model.ir import Flow, Model
from segverify.model.principals import Principals
from segverify.render.dot_canvas import Canvas, End
from segverify.render.dot_layout import HOST_THRESHOLD
from segverify.render.dot_style import dot_id, span_text, unique, wrap

MAX_ACCOUNT_LINES = 12


def render_architecture(model: Model, *, threshold: int = HOST_THRESHOLD) -> str:
    """The whole model: zones as clusters, hosts, allow rules as labelled edges, `manages` edges."""
    canvas = Canvas(model, "architecture", architecture_title(model), threshold=threshold)
    draw_flows(canvas)
    draw_manages(canvas)
    return canvas.source(legend_notes=(*defaults_notes(model), *account_notes(model)))


def architecture_title(model: Model) -> str:
    allows = sum(1 for f in model.flows if f.action == "allow")
    return f"Architecture: {len(model.zones)} zones, {len(model.hosts)} hosts, {allows} allow rules"


def flow_groups(canvas: Canvas) -> dict[tuple[End, End], list[Flow]]:
    """Allow rules by the pair of drawn endpoints they connect (parallel rules share one edge)."""
    groups: dict[tuple[End, End], list[Flow]] = {}
    for flow in canvas.model.flows:
        if flow.action != "allow":
            continue
        for src in flow.sources:
            for dst in flow.destinations:
                for tail in canvas.ends(src.text):
                    for head in canvas.ends(dst.text):
                        bucket = groups.setdefault((tail, head), [])
                        if flow not in bucket:
                            bucket.append(flow)
    return groups


def flow_tooltip(flows: list[Flow]) -> str:
    lines = []
    for f in flows:
        where = span_text(f.span)
        lines.append(f"{f.name}" + (f" ({where})" if where else "") + ": " + ", ".join(f.services))
    return "\n".join(lines)


def draw_flows(canvas: Canvas, role: str = "flow", max_services: int = 9) -> None:
    """Allow rules as edges labelled with their services (context edges: the first few)."""
    for (tail, head), flows in flow_groups(canvas).items():
        if canvas.pointless_loop(tail, head):
            continue
        services = unique(s for f in flows for s in f.services)
        lines = wrap(services, 3, max_services)
        edge_id = dot_id("flow-", f"{tail.node}-{head.node}")
        canvas.edge(tail, head, role, lines, flow_tooltip(flows), edge_id)


def draw_manages(canvas: Canvas) -> None:
    groups: dict[tuple[End, End], list[str]] = {}
    model = canvas.model
    for name in sorted(model.hosts):
        host = model.hosts[name]
        for ref in host.manages:
            for head in canvas.ends(ref.text):
                where = span_text(ref.span)
                text = f"{name} manages {ref.text}" + (f" ({where})" if where else "")
                groups.setdefault((canvas.host_end(name), head), []).append(text)
    for (tail, head), texts in groups.items():
        if canvas.pointless_loop(tail, head):
            continue
        edge_id = dot_id("manage-", f"{tail.node}-{head.node}")
        canvas.edge(tail, head, "manage", [], "\n".join(unique(texts)), edge_id)


def defaults_notes(model: Model) -> list[str]:
    d = model.defaults
    notes = [f"unmatched packets: same zone {d.intra_zone}, across zones {d.inter_zone}"]
    if any(f.action == "deny" for f in model.flows):
        notes.append("deny rules are not drawn; an earlier deny rule")
        notes.append("narrows a drawn allow rule (first match decides)")
    return notes


def account_notes(model: Model) -> list[str]:
    """Who stands behind the group names in `login:` lines: each account and its groups."""
    accounts = sorted(model.accounts(), key=lambda p: p.name)
    if not accounts:
        return []
    groups = Principals(model).groups_of
    lines = ["", "accounts and their groups:"]
    for acc in accounts[:MAX_ACCOUNT_LINES]:
        member = ", ".join(sorted(groups.get(acc.name, ()))) or "no group"
        lines.append(f"{acc.name}: {member}" + (" (mfa)" if acc.mfa else ""))
    if len(accounts) > MAX_ACCOUNT_LINES:
        lines.append(f"... {len(accounts) - MAX_ACCOUNT_LINES} more accounts")
    return lines
