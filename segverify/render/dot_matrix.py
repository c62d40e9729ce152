"""Render stage (diagrams): the zone matrix as a graph, a plain-text table and an HTML table.

What a zone "opens" in another is read from the allow rules (and an `allow` inter-zone
default) whose references meet both zones. That reading ignores deny rules that come first,
so the verdict decides the red: with a witness, exactly its failing pairs are red; with a proof,
nothing is; without a result, the rules' reading is shown and says so.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from segverify.model.intervals import IntervalSet
from segverify.model.ir import MatrixSpec, Model, Policy
from segverify.model.ports import ALL_SERVICES, service_ports
from segverify.model.refs import Resolver
from segverify.render.dot_legend import emit_legend
from segverify.render.dot_paths import result_title
from segverify.render.dot_style import (
    EDGE_STYLES,
    NODE_STYLES,
    dot_id,
    new_graph,
    packet_text,
    plain,
    rule_text,
    svc_text,
    tip,
    wrap,
)
from segverify.results import MatrixWitness, PairWitness, PolicyResult, Status


@dataclass(frozen=True, slots=True)
class Opening:
    """One service of one allow rule (or the default) between a pair of zones."""

    rule: str  # `name (file:line)` or `default:inter_zone`
    service: str
    ports: IntervalSet


@dataclass(frozen=True, slots=True)
class Cell:
    source: str
    destination: str
    allowed: tuple[str, ...]  # opened by a rule and allowed by the matrix
    excess: tuple[str, ...]  # opened by a rule, not allowed (shown red unless a proof says otherwise)
    unused: tuple[str, ...]  # allowed by the matrix, opened by no rule
    openings: tuple[Opening, ...]
    witness: PairWitness | None = None

    @property
    def bad(self) -> bool:
        return self.witness is not None or bool(self.excess)


def openings(model: Model, res: Resolver, source: str, destination: str) -> list[Opening]:
    src, dst = res.zone_sets[source], res.zone_sets[destination]
    out = []
    for flow in model.flows:
        if flow.action != "allow":
            continue
        if res.addresses_of(flow.sources).intersects(src) and res.addresses_of(flow.destinations).intersects(
            dst
        ):
            where = rule_text_of(flow.name, flow.span.file, flow.span.line)
            out += [Opening(where, s, service_ports(model, s)) for s in flow.services]
    if model.defaults.inter_zone == "allow":
        out.append(Opening("default:inter_zone", "any", ALL_SERVICES))
    return out


def rule_text_of(name: str, file: str, line: int) -> str:
    return f"{name} ({file}:{line})" if line else name


def matrix_cells(model: Model, spec: MatrixSpec, result: PolicyResult | None) -> list[Cell]:
    """Every ordered pair of distinct listed zones, in the order the policy lists them."""
    res = Resolver(model)
    witness = result.witness if result is not None and isinstance(result.witness, MatrixWitness) else None
    proved = result is not None and result.status == Status.PROVED
    cells = []
    for a in spec.zones:
        for b in spec.zones:
            if a != b and a in model.zones and b in model.zones:
                pair = (
                    next((p for p in witness.pairs if (p.source, p.destination) == (a, b)), None)
                    if witness
                    else None
                )
                cells.append(
                    classify(
                        model, spec, a, b, openings(model, res, a, b), pair, proved or witness is not None
                    )
                )
    return cells


def classify(
    model: Model,
    spec: MatrixSpec,
    a: str,
    b: str,
    opened: list[Opening],
    pair: PairWitness | None,
    verified: bool,
) -> Cell:
    allowed_ports = spec.allowed_ports(a, b)
    ok = [o.service for o in opened if o.ports.issubset(allowed_ports)]
    excess = [o.service for o in opened if not o.ports.issubset(allowed_ports)]
    if verified and pair is None:
        excess = []  # the check found no packet outside the matrix: earlier deny rules stop these
    present = IntervalSet.of(i for o in opened for i in o.ports)
    unused = [
        s
        for c in spec.allow
        if (c.source, c.destination) == (a, b)
        for s in c.services
        if not service_ports(model, s).intersects(present)
    ]
    return Cell(
        a,
        b,
        tuple(dict.fromkeys(ok)),
        tuple(dict.fromkeys(excess)),
        tuple(dict.fromkeys(unused)),
        tuple(opened),
        pair,
    )


def matrix_spec(policy: Policy) -> MatrixSpec:
    if not isinstance(policy.spec, MatrixSpec):
        raise ValueError(f"policy {policy.id} is a {policy.kind} policy, not a matrix")
    return policy.spec


# ---- the graph -------------------------------------------------------------------------------


def render_matrix(model: Model, policy: Policy, result: PolicyResult | None = None) -> str:
    """Zones of the matrix; green opened and allowed, red opened and forbidden, grey allowed unused."""
    spec = matrix_spec(policy)
    title = result_title(result) if result is not None else f"{policy.id} (matrix): {policy.title}"
    g = new_graph(dot_id("matrix-", policy.id), title, nodesep="0.6", ranksep="1.6")
    used = ["matrix-zone"]
    zone_style = dict(NODE_STYLES["matrix-zone"][0])
    for z in spec.zones:
        if z in model.zones:
            label = plain(z, *wrap(model.zones[z].networks, 2, 4))
            g.node(dot_id("z_", z), **(zone_style | {"label": label, "id": dot_id("zone-", z)}))
    for cell in matrix_cells(model, spec, result):
        for role, lines in cell_edges(cell):
            used.append(role)
            attrs = dict(EDGE_STYLES[role][0]) | {"label": plain(*lines), "tooltip": tip(cell_tooltip(cell))}
            attrs["id"] = dot_id(f"{role}-", f"{cell.source}-{cell.destination}")
            g.edge(dot_id("z_", cell.source), dot_id("z_", cell.destination), **attrs)
    emit_legend(g, used, (), matrix_notes(result))
    return str(g.source)


def cell_edges(cell: Cell) -> list[tuple[str, list[str]]]:
    out = []
    if cell.allowed:
        out.append(("matrix-ok", wrap(cell.allowed, 3, 6)))
    if cell.bad:
        lines = wrap(cell.excess, 3, 6)
        if cell.witness is not None:
            lines.append(f"e.g. {svc_text(cell.witness.packet.svc)} by {cell.witness.rule.name}")
        out.append(("matrix-bad", lines))
    if cell.unused:
        out.append(("matrix-unused", wrap(cell.unused, 3, 6)))
    return out


def cell_tooltip(cell: Cell) -> str:
    lines = [f"{cell.source} -> {cell.destination}"]
    lines += [f"{o.rule}: {o.service}" for o in cell.openings]
    if cell.witness is not None:
        w = cell.witness
        lines.append(f"failing packet {packet_text(w.packet)} allowed by {rule_text(w.rule)}")
    return "\n".join(lines)


def matrix_notes(result: PolicyResult | None) -> tuple[str, ...]:
    if result is None or result.status not in (Status.PROVED, Status.VIOLATED, Status.WAIVED):
        return ("not checked: red is read from the allow rules", "and may be stopped by earlier deny rules")
    return ("edges read from the allow rules;", "red pairs are the ones the check found failing")


# ---- tables ----------------------------------------------------------------------------------


def cell_text(cell: Cell | None) -> str:
    if cell is None:
        return "."
    parts = list(cell.allowed) + [f"{s}!" for s in cell.excess] + [f"({s})" for s in cell.unused]
    if cell.witness is not None and not cell.excess:
        parts.append(f"{svc_text(cell.witness.packet.svc)}!")
    return ", ".join(parts) or "-"


def render_matrix_table(model: Model, policy: Policy, result: PolicyResult | None = None) -> str:
    """The matrix as aligned plain text: rows are sources, columns destinations."""
    spec = matrix_spec(policy)
    cells = {(c.source, c.destination): c for c in matrix_cells(model, spec, result)}
    zones = [z for z in spec.zones if z in model.zones]
    rows = [["from \\ to", *zones]]
    rows += [[a, *(cell_text(cells.get((a, b))) for b in zones)] for a in zones]
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = [result_title(result) if result is not None else f"{policy.id} (matrix): {policy.title}"]
    lines.append(
        "svc: opened and allowed; svc!: opened, not allowed; (svc): allowed, opened by no rule; -: nothing"
    )
    lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    failing = [c for c in cells.values() if c.witness is not None]
    if failing:
        lines.append("failing pairs:")
        for c in failing:
            assert c.witness is not None
            w = c.witness
            lines.append(
                f"  {c.source} -> {c.destination}: {packet_text(w.packet)} allowed by {rule_text(w.rule)}"
            )
    return "\n".join(lines) + "\n"


CELL_COLOURS = {"ok": "#d9f0dc", "bad": "#f8cfcf", "unused": "#ececec", "none": "#ffffff"}


def render_matrix_html(model: Model, policy: Policy, result: PolicyResult | None = None) -> str:
    """The same table as an HTML fragment, cells coloured like the graph's edges."""
    spec = matrix_spec(policy)
    cells = {(c.source, c.destination): c for c in matrix_cells(model, spec, result)}
    zones = [z for z in spec.zones if z in model.zones]
    head = "".join(f"<th>{html.escape(z)}</th>" for z in zones)
    out = [f'<table class="matrix"><tr><th>from \\ to</th>{head}</tr>']
    for a in zones:
        tds = "".join(html_cell(cells.get((a, b))) for b in zones)
        out.append(f"<tr><th>{html.escape(a)}</th>{tds}</tr>")
    out.append("</table>")
    return "\n".join(out) + "\n"


def html_cell(cell: Cell | None) -> str:
    kind = (
        "none"
        if cell is None
        else "bad"
        if cell.bad
        else "ok"
        if cell.allowed
        else "unused"
        if cell.unused
        else "none"
    )
    return f'<td style="background:{CELL_COLOURS[kind]}">{html.escape(cell_text(cell))}</td>'
