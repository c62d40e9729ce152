"""Render stage (diagrams): the legend, built only from the styles a picture actually used.

The legend is part of the picture's title (an HTML-like graph label): a small table under the
title, outside the layout, so it costs the picture a few text lines and never widens it or
competes with the hosts for a place. Each entry is a sample (a box in the node's colours and
border, or a stroke in the edge's colour and dash pattern) and its sentence.
"""

from __future__ import annotations

import html
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
)

# Roles that decorate a host: their sample is a host with the decoration on top.
DECORATIONS = ("vulnerable", "foothold", "target", "closed", "excluded", "reached")
PER_ROW = 3  # legend entries in one row of the table
SIZE = ' FIXEDSIZE="TRUE" WIDTH="40" HEIGHT="14"'  # a sample box does not stretch with its row
INNER = ' FIXEDSIZE="TRUE" WIDTH="34" HEIGHT="10"'

# How an edge sample reads in text: a line of the edge's colour in its dash pattern.
STROKES = {"dashed": "- - - -&gt;", "dotted": ". . . . . ."}
SOLID = "------&gt;"


def node_sample(role: str) -> Attrs:
    attrs, _ = NODE_STYLES[role]
    base = dict(NODE_STYLES["host"][0]) if role in DECORATIONS else {}
    return base | attrs


def emit_legend(
    g: graphviz.Digraph, used: Sequence[str], zone_kinds: Sequence[str], notes: Sequence[str] = ()
) -> None:
    """Put a legend with one entry per used style, in the palette's fixed order, under the title."""
    entries = [_node_entry(role) for role in NODE_STYLES if role in used]
    entries += [_zone_entry(kind) for kind in zone_kinds]
    entries += [_edge_entry(role) for role in EDGE_STYLES if role in used]
    if not (entries or notes):
        return
    rows = ["".join(entries[i : i + PER_ROW]) for i in range(0, len(entries), PER_ROW)]
    notes_text = _small([*notes, ""])  # the closing break left-aligns the last line too
    notes_cell = f'<TD COLSPAN="{2 * PER_ROW}" ID="legend_notes" ALIGN="LEFT">{notes_text}</TD>'
    rows += [notes_cell] if notes else []
    title = str(g.graph_attr.get("label", "")).split("\\n")
    table = (
        f'<TABLE ID="legend" BORDER="1" STYLE="rounded" COLOR="{MUTED}" CELLBORDER="0" CELLSPACING="2"'
        ' CELLPADDING="2">'
        f'<TR><TD COLSPAN="{2 * PER_ROW}" ALIGN="LEFT"><FONT POINT-SIZE="10">Legend</FONT></TD></TR>'
        + "".join(f"<TR>{row}</TR>" for row in rows)
        + "</TABLE>"
    )
    label = (
        '<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="4">'
        f'<TR><TD><FONT POINT-SIZE="16">{_text(title, "<BR/>")}</FONT></TD></TR>'
        f"<TR><TD>{table}</TD></TR></TABLE>>"
    )
    g.attr(label=label)


def _text(lines: Sequence[str], sep: str = '<BR ALIGN="LEFT"/>') -> str:
    return sep.join(html.escape(line, quote=False) for line in lines)


def _small(lines: Sequence[str]) -> str:
    return f'<FONT POINT-SIZE="9">{_text(lines)}</FONT>'


def _sentence(text: str) -> str:
    return f'<TD ALIGN="LEFT">{_small([text])}</TD>'


def _box(ident: str, attrs: Attrs, text: str) -> str:
    """A sample box in the node's fill, border colour and width (dashed when the node is)."""
    plaintext = attrs.get("shape") == "plaintext"
    border = "0" if plaintext else str(round(float(attrs.get("penwidth", "1"))))
    fill = attrs.get("fillcolor", "#ffffff") if "filled" in attrs.get("style", "") else "#ffffff"
    style = ' STYLE="dashed"' if "dashed" in attrs.get("style", "") else ""
    inner = html.escape(text, quote=False)  # empty for a box: its colours are the sample
    colour = attrs.get("fontcolor" if plaintext else "color", "#1f2933")
    size = "" if plaintext else SIZE
    content = f'<FONT POINT-SIZE="8" COLOR="{colour}">{inner}</FONT>' if inner else ""
    cell = f'<TD ID="{ident}" BORDER="{border}" COLOR="{colour}" BGCOLOR="{fill}"{style}{size}>{content}</TD>'
    if attrs.get("peripheries") == "2":  # a double border: the box inside a bordered table
        cell = (
            f'<TD ID="{ident}"><TABLE BORDER="{border}" COLOR="{colour}" CELLBORDER="0" CELLSPACING="2"'
            f' CELLPADDING="0"><TR><TD BORDER="1" COLOR="{colour}" BGCOLOR="{fill}"{INNER}></TD></TR>'
            "</TABLE></TD>"
        )
    return cell


PSEUDO = {"more": "... 3 more", "all-of": "(all of Z)"}  # the text a pseudo-node shows


def _node_entry(role: str) -> str:
    attrs, text = NODE_STYLES[role]
    return _box(f"legend_{role}", node_sample(role), PSEUDO.get(role, "")) + _sentence(text)


def _zone_entry(kind: str) -> str:
    style = ZONE_EXTERNAL if kind == "external" else ZONE_INTERNAL
    return _box(f"legend_{kind}", style, "") + _sentence(ZONE_LEGEND[kind])


def _edge_entry(role: str) -> str:
    attrs, text = EDGE_STYLES[role]
    stroke = STROKES.get(attrs.get("style", ""), SOLID)
    colour = attrs.get("color", MUTED)
    sample = f'<TD ID="legend_{role}"><FONT POINT-SIZE="9" COLOR="{colour}">{stroke}</FONT></TD>'
    return sample + _sentence(text)
