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
# A sample only as large as its sentence: Graphviz's default minimum is half an inch high.
SMALL = {"fontsize": "9", "height": "0.3", "width": "0.3", "margin": "0.08,0.03"}
PER_ROW = 6  # legend samples in one row; more samples take more rows

# How an edge sample reads in text: a line of the edge's colour in its dash pattern.
STROKES = {"dashed": "- - - ->", "dotted": ". . . . . ."}
SOLID = "------>"


def sentence(text: str) -> list[str]:
    return textwrap.wrap(text, WIDTH)


def node_sample(role: str) -> Attrs:
    attrs, text = NODE_STYLES[role]
    base = dict(NODE_STYLES["host"][0]) if role in DECORATIONS else {}
    return base | attrs | {"label": plain(*sentence(text))} | SMALL


def emit_legend(
    g: graphviz.Digraph, used: Sequence[str], zone_kinds: Sequence[str], notes: Sequence[str] = ()
) -> None:
    """A `cluster_legend` as a low band: one sample per used style, in the palette's fixed
    order, each sample holding its own sentence; one row up to PER_ROW samples, then more rows.

    A left-to-right graph stacks the nodes of one rank into a column, so the samples go in
    columns (one sample per row) tied left to right by invisible edges; an edge sample is text
    in the edge's colour and dash pattern, one node like the others. A small picture's legend
    is one sample high, not a block taller than its content.
    """
    nodes = [r for r in NODE_STYLES if r in used]
    lines = [r for r in EDGE_STYLES if r in used]
    if not (nodes or lines or zone_kinds or notes):
        return
    attrs = {"id": "legend", "label": "Legend", "style": "rounded", "color": MUTED, "fontsize": "12"}
    with g.subgraph(name="cluster_legend", graph_attr=attrs) as sub:
        names = [_node_sample(sub, role) for role in nodes]
        names += [_zone_sample(sub, kind) for kind in zone_kinds]
        names += [_edge_sample(sub, role) for role in lines]
        if notes:
            sub.node("legend_notes", shape="plaintext", fontsize="9", label=plain(*notes))
            names.append("legend_notes")
        rows = -(-len(names) // PER_ROW)
        columns = [names[i : i + rows] for i in range(0, len(names), rows)]
        for column in columns:
            _same_rank(sub, column)
        for left, right in zip(columns, columns[1:], strict=False):
            sub.edge(left[0], right[0], style="invis")


def _same_rank(sub: graphviz.Digraph, names: list[str]) -> None:
    if len(names) > 1:
        sub.body.append("\t{rank=same; " + " ".join(f'"{n}"' for n in names) + "}\n")


def _node_sample(sub: graphviz.Digraph, role: str) -> str:
    name = f"legend_{role}"
    sub.node(name, **node_sample(role))
    return name


def _zone_sample(sub: graphviz.Digraph, kind: str) -> str:
    style = ZONE_EXTERNAL if kind == "external" else ZONE_INTERNAL
    name = f"legend_{kind}"
    label = plain(*sentence(ZONE_LEGEND[kind]))
    sub.node(name, **(style | {"shape": "box", "label": label} | SMALL))
    return name


def _edge_sample(sub: graphviz.Digraph, role: str) -> str:
    attrs, text = EDGE_STYLES[role]
    stroke = STROKES.get(attrs.get("style", ""), SOLID)
    name = f"legend_{role}"
    colour = attrs.get("fontcolor", attrs.get("color", MUTED))  # the label colour: readable
    sub.node(name, shape="plaintext", fontsize="9", fontcolor=colour, label=plain(stroke, *sentence(text)))
    return name
