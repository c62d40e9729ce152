"""Render stage (diagrams): the zone matrix as a graph, a plain-text table and an HTML table.

What a zone "opens" in another is read from the allow rules (and an `allow` inter-zone
default) whose references meet both zones; with enforcement layers, from every layer's, each
named with its layer and read where the layer applies, and ports count as opened only
where every layer that sees the pair opens them. That reading ignores deny rules that come
first, so the verdict decides the red: with a witness, exactly its failing pairs are red; with
a proof, nothing is; without a result, the rules' reading is shown and says so.
"""

from __future__ import annotations

import dataclasses
import html
from dataclasses import dataclass

from segverify.model.intervals import IntervalSet
from segverify.model.ir import Flow, MatrixSpec, Model, Policy
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
from segverify.semantics.layer_model import applies_region


@dataclass(frozen=True, slots=True)
class Opening:
    """One service of one allow rule (or the default) between a pair of zones."""

    rule: str  # `name (file:line)` or `default:inter_zone`
    service: str
    ports: IntervalSet
    default: bool = False  # opened by a layer's (or the top level's) `allow` inter-zone default


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
    """What every layer opens between the zones: the top-level allow rules (and an `allow` inter-zone
    default), then each layer's as written, named with the layer (`LAYER:rule`,
    `default:inter_zone@LAYER`) and read only where the layer applies."""
    return [o for _, opened in layer_openings(model, res, source, destination) for o in opened]


def layer_openings(
    model: Model, res: Resolver, source: str, destination: str
) -> list[tuple[bool, list[Opening]]]:
    """Per layer, the implicit one first: whether it sees any packet from `source` to
    `destination`, and what its allow rules and default open there."""
    src, dst = res.zone_sets[source], res.zone_sets[destination]
    out = [(True, _opened(model, res, model.flows, model.defaults.inter_zone, "", src, dst))]
    for layer in model.layers:
        a_src, a_dst = applies_region(layer, res)
        lsrc = src if a_src is None else src.intersection(a_src)
        ldst = dst if a_dst is None else dst.intersection(a_dst)
        out.append(
            (
                bool(lsrc) and bool(ldst),
                _opened(model, res, layer.flows, layer.inter_zone, layer.name, lsrc, ldst),
            )
        )
    return out


def _opened(
    model: Model,
    res: Resolver,
    flows: tuple[Flow, ...],
    inter_zone: str,
    layer: str,
    src: IntervalSet,
    dst: IntervalSet,
) -> list[Opening]:
    out: list[Opening] = []
    if not src or not dst:
        return out
    for flow in flows:
        if flow.action != "allow":
            continue
        if res.addresses_of(flow.sources).intersects(src) and res.addresses_of(flow.destinations).intersects(
            dst
        ):
            name = f"{layer}:{flow.name}" if layer else flow.name
            where = rule_text_of(name, flow.span.file, flow.span.line)
            out += [Opening(where, s, service_ports(model, s)) for s in flow.services]
    if inter_zone == "allow":
        name = f"default:inter_zone@{layer}" if layer else "default:inter_zone"
        out.append(Opening(name, "any", ALL_SERVICES, default=True))
    return out


def through_every_layer(per_layer: list[tuple[bool, list[Opening]]]) -> list[Opening]:
    """What the pair's classification reads. Without layers: the implicit layer's openings, as
    they are. With layers: each opening of a layer that sees the pair narrowed to the ports every
    such layer opens (what one layer opens and another closes outright is not opened), and an
    `allow` default only for what no rule's opening already covers."""
    if len(per_layer) == 1:
        return per_layer[0][1]
    seen = [opened for applies, opened in per_layer if applies]
    common = ALL_SERVICES
    for opened in seen:
        common = common.intersection(IntervalSet.of(i for o in opened for i in o.ports))
    narrowed = [
        dataclasses.replace(o, ports=o.ports.intersection(common))
        for opened in seen
        for o in opened
        if o.ports.intersects(common)
    ]
    rules = [o for o in narrowed if not o.default]
    covered = IntervalSet.of(i for o in rules for i in o.ports)
    return rules + [o for o in narrowed if o.default and not o.ports.issubset(covered)]


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
                per_layer = layer_openings(model, res, a, b)
                cell = classify(
                    model, spec, a, b, through_every_layer(per_layer), pair, proved or witness is not None
                )
                listed = tuple(o for _, opened in per_layer for o in opened)  # every layer's rules
                cells.append(dataclasses.replace(cell, openings=listed) if model.layers else cell)
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
