"""Render stage (diagrams): the legend, built only from the styles a picture actually used."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

import graphviz

from segverify.render.dot_style import (
    EDGE_STYLES,
    MUTED,
    NODE_STYLES,
    ZONE_EXTERNAL,
    ZONE_INTERNAL,
    ZONE_LEGEND,
    Attrs,
    plain,
)

# Roles that decorate a host: their sample is a host with the decoration on top.
DECORATIONS = ("vulnerable", "foothold", "target", "closed", "excluded", "reached")
WIDTH = 34
ROW = 3  # legend samples per row


def sentence(text: str) -> list[str]:
    return textwrap.wrap(text, WIDTH)


def node_sample(role: str) -> Attrs:
    attrs, text = NODE_STYLES[role]
    base = dict(NODE_STYLES["host"][0]) if role in DECORATIONS else {}
    return base | attrs | {"label": plain(*sentence(text)), "fontsize": "9"}


def emit_legend(
    g: graphviz.Digraph, used: Sequence[str], zone_kinds: Sequence[str], notes: Sequence[str] = ()
) -> None:
    """A `cluster_legend` with one sample per used style, in the palette's fixed order.

    Node samples fill two columns and edge samples the next two (rank=same groups tied by
    invisible edges), so the legend reads as a compact table instead of a tall scatter.
    """
    nodes = [r for r in NODE_STYLES if r in used]
    lines = [r for r in EDGE_STYLES if r in used]
    if not (nodes or lines or zone_kinds or notes):
        return
    attrs = {"id": "legend", "label": "Legend", "style": "rounded", "color": MUTED, "fontsize": "12"}
    with g.subgraph(name="cluster_legend", graph_attr=attrs) as sub:
        names = [_node_sample(sub, role)[0] for role in nodes]
        for kind in zone_kinds:
            _zone_sample(sub, kind)
        tails = [_edge_sample(sub, role)[0] for role in lines]
        if notes:
            sub.node("legend_notes", shape="plaintext", fontsize="9", label=plain(*notes))
            names.append("legend_notes")
        half = (len(names) + 1) // 2
        columns = [c for c in (names[:half], names[half:], tails) if c]
        for column in columns:
            _same_rank(sub, column)
        for left, right in zip(columns, columns[1:], strict=False):
            sub.edge(left[0], right[0], style="invis")


def _same_rank(sub: graphviz.Digraph, names: list[str]) -> None:
    if len(names) > 1:
        sub.body.append("\t{rank=same; " + " ".join(f'"{n}"' for n in names) + "}\n")


def _node_sample(sub: graphviz.Digraph, role: str) -> tuple[str, str]:
    name = f"legend_{role}"
    sub.node(name, **node_sample(role))
    return name, name


def _zone_sample(sub: graphviz.Digraph, kind: str) -> tuple[str, str]:
    style = ZONE_EXTERNAL if kind == "external" else ZONE_INTERNAL
    attrs = style | {"id": f"legend-{kind}", "label": ZONE_LEGEND[kind], "fontsize": "9"}
    name = f"legend_{kind}"
    with sub.subgraph(name=f"cluster_legend_{kind}", graph_attr=attrs) as box:
        box.node(name, shape="point", style="invis", width="0.01", height="0.01", label="")
    return name, name


def _edge_sample(sub: graphviz.Digraph, role: str) -> tuple[str, str]:
    attrs, text = EDGE_STYLES[role]
    tail, head = f"legend_{role}_a", f"legend_{role}_b"
    point = {"shape": "point", "width": "0.05", "color": MUTED}
    sub.node(tail, **point)
    sub.node(head, **point)
    sub.edge(tail, head, **(dict(attrs) | {"label": plain(*sentence(text)), "fontsize": "9"}))
    return tail, head


SAMPLES = {"zone": _zone_sample, "node": _node_sample, "edge": _edge_sample}
