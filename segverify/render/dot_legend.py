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

    Node samples form one column and edge samples the next two (rank=same groups tied by one
    invisible edge), so the legend reads as a table instead of a scatter.
    """
    boxes: list[tuple[str, str]] = [("node", r) for r in NODE_STYLES if r in used]
    boxes += [("zone", k) for k in zone_kinds]
    lines = [r for r in EDGE_STYLES if r in used]
    if not (boxes or lines or notes):
        return
    attrs = {"id": "legend", "label": "Legend", "style": "rounded", "color": MUTED, "fontsize": "12"}
    with g.subgraph(name="cluster_legend", graph_attr=attrs) as sub:
        left = [SAMPLES[kind](sub, name)[0] for kind, name in boxes if kind == "node"]
        for kind, name in boxes:
            if kind == "zone":
                _zone_sample(sub, name)
        pairs = [_edge_sample(sub, role) for role in lines]
        if notes:
            sub.node("legend_notes", shape="plaintext", fontsize="9", label=plain(*notes))
            left.append("legend_notes")
        _same_rank(sub, left)
        _same_rank(sub, [a for a, _ in pairs])
        if left and pairs:
            sub.edge(left[0], pairs[0][0], style="invis")


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
