"""Render stage (diagrams): the palette, the styles every view shares, and DOT-safe text.

Colours are six-digit hex only: Debian's Graphviz 2.42 rejects three-digit hex. Every style a
view uses is registered here with the sentence its legend prints, so a legend lists exactly the
styles drawn and cannot describe one that is not on the page.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import graphviz

from segverify.diagnostics import NO_SPAN, Span
from segverify.model.addresses import format_address
from segverify.model.ports import split_svc
from segverify.results import Packet, RuleRef

FONT = "Helvetica"
INK = "#1f2933"
MUTED = "#6b7785"
BLUE = "#2f6db5"
PURPLE = "#8a3fb0"
RED = "#d62728"
GREEN = "#2e8b3e"
GREY = "#8c8c8c"
ORANGE = "#c96a12"
NAVY = "#1f3a93"

Attrs = dict[str, str]

# role -> (attributes, legend sentence). Node roles first, then edge roles.
NODE_STYLES: dict[str, tuple[Attrs, str]] = {
    "host": ({"shape": "box", "style": "rounded,filled", "fillcolor": "#ffffff", "color": INK}, "one host"),
    "fleet": (
        {"shape": "box3d", "style": "filled", "fillcolor": "#ffffff", "color": INK},
        "a fleet: many identical hosts in one CIDR, analysed as one",
    ),
    "zone-node": (
        {"shape": "folder", "style": "filled", "fillcolor": "#e8edf3", "color": INK},
        "a zone drawn as one node (hosts collapsed)",
    ),
    "more": (
        {"shape": "plaintext", "fontcolor": MUTED},
        "... N more hosts (or zones): left out to keep the picture readable, drawn as one",
    ),
    "all-of": (
        {"shape": "plaintext", "fontcolor": MUTED},
        "(all of ZONE): every address of the zone, where a rule names the whole zone",
    ),
    "reference": (
        {"shape": "cds", "style": "filled", "fillcolor": "#eef1f4", "color": MUTED},
        "an address reference (any, CIDR) used by a rule",
    ),
    "vulnerable": ({"color": ORANGE, "penwidth": "2"}, "offers a service declared vulnerable"),
    "foothold": ({"color": RED, "peripheries": "2", "penwidth": "2"}, "foothold: where the attacker starts"),
    "target": ({"color": NAVY, "penwidth": "3"}, "target: a host the policy protects"),
    "closed": ({"fillcolor": "#f8cfcf"}, "in the attacker's closed set"),
    "excluded": (
        {"fillcolor": "#dcdcdc", "style": "dashed,filled"},
        "via host: assumed unusable by the attacker (only_via)",
    ),
    "reached": ({"fillcolor": "#f8cfcf"}, "controlled by the attacker"),
    "foothold-ref": (
        {"shape": "box", "style": "rounded,filled", "fillcolor": "#ffffff", "color": RED, "peripheries": "2"},
        "foothold reference: the attacker sends from its addresses",
    ),
    "harvest": (
        {"shape": "note", "style": "filled", "fillcolor": "#fde2e1", "color": RED, "fontcolor": RED},
        "harvest: credentials taken on the host it is tied to",
    ),
    "attacker": (
        {"shape": "doubleoctagon", "style": "filled", "fillcolor": "#f8cfcf", "color": RED},
        "the attacker's closed set, as one source of the blocked moves",
    ),
    "matrix-zone": (
        {"shape": "box", "style": "rounded,filled", "fillcolor": "#f4f6fa", "color": INK},
        "a zone",
    ),
}

EDGE_STYLES: dict[str, tuple[Attrs, str]] = {
    "flow": ({"color": BLUE, "fontcolor": BLUE}, "allow rule, labelled with its services"),
    "flow-faint": (
        {"color": "#c3ccd6", "fontcolor": MUTED, "arrowsize": "0.6"},
        "allow rule (context), labelled with its services",
    ),
    "manage": (
        {"color": PURPLE, "fontcolor": PURPLE, "style": "dashed"},
        "manages: control passes, no packet needed",
    ),
    "hop": ({"color": RED, "fontcolor": RED, "penwidth": "2.5"}, "attack hop, numbered in path order"),
    "reach": (
        {"color": RED, "fontcolor": RED, "penwidth": "2"},
        "the move that first gave the attacker the host it points to",
    ),
    "harvest-tie": ({"color": RED, "style": "dotted", "arrowhead": "none"}, "where a harvest happens"),
    "blocked": (
        {"color": GREY, "fontcolor": "#555555", "style": "dashed"},
        "blocked move, labelled with what blocks it",
    ),
    "packet-allowed": (
        {"color": RED, "fontcolor": RED, "penwidth": "2.5"},
        "a packet the rules allow but the policy forbids",
    ),
    "packet-denied": (
        {"color": RED, "fontcolor": RED, "penwidth": "2.5", "style": "dashed"},
        "a packet the policy needs but the rules deny",
    ),
    "control": (
        {"color": ORANGE, "fontcolor": ORANGE, "penwidth": "2", "style": "dashed", "arrowhead": "tee"},
        "load-bearing control: a deny rule or default deny the proof rests on",
    ),
    "control-spof": (
        {"color": RED, "fontcolor": RED, "penwidth": "3", "style": "dashed", "arrowhead": "tee"},
        "single point of failure: its failure alone breaks the policy",
    ),
    "control-minimum": (
        {"color": PURPLE, "fontcolor": PURPLE, "penwidth": "2", "style": "dotted", "arrowhead": "tee"},
        "in the smallest set of controls whose failure breaks the policy",
    ),
    "matrix-ok": (
        {"color": GREEN, "fontcolor": GREEN, "penwidth": "2"},
        "opened by rules and allowed by the matrix",
    ),
    "matrix-bad": (
        {"color": RED, "fontcolor": RED, "penwidth": "2.5"},
        "opened by rules but not allowed by the matrix",
    ),
    "matrix-unused": (
        {"color": GREY, "fontcolor": "#555555", "style": "dashed"},
        "allowed by the matrix but no rule opens it",
    ),
}

ZONE_INTERNAL: Attrs = {"style": "rounded,filled", "fillcolor": "#f4f6fa", "color": "#5b6b82"}
ZONE_EXTERNAL: Attrs = {"style": "dashed,filled", "fillcolor": "#fbf3e6", "color": "#b0803a"}
ZONE_LEGEND = {"internal": "internal zone", "external": "external zone (outside your networks)"}

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


def new_graph(graph_id: str, title: str, **extra: str) -> graphviz.Digraph:
    """A left-to-right digraph with the house fonts, titled on top; `extra` adds graph attributes."""
    return graphviz.Digraph(
        name=graph_id,
        graph_attr={
            "id": graph_id,
            "label": plain(title),
            "labelloc": "t",
            "fontname": FONT,
            "fontsize": "16",
            "rankdir": "LR",
            "tooltip": plain(title),
        }
        | extra,
        node_attr={"fontname": FONT, "fontsize": "10", "color": INK},
        edge_attr={"fontname": FONT, "fontsize": "9"},
    )


def dot_id(prefix: str, name: str) -> str:
    """A stable id usable as a DOT node name and an SVG id: unsafe characters become _xHH_."""
    return prefix + _UNSAFE.sub(lambda m: f"_x{ord(m.group()):x}_", name)


def plain(*lines: str) -> graphviz.quoting.NoHtml:
    """Label text: each line literal (no HTML, no escapes), joined by DOT newlines."""
    return graphviz.nohtml("\\n".join(line.replace("\\", "\\\\") for line in lines))


def tip(text: str) -> graphviz.quoting.NoHtml:
    """Tooltip text: newlines become DOT line breaks (SVG titles show them as new lines)."""
    return plain(*text.split("\n"))


def span_text(span: Span | None) -> str:
    if span is None or span == NO_SPAN:
        return ""
    return f"{span.file}:{span.line}"


def rule_text(rule: RuleRef) -> str:
    """`name (file:line)`, or the default's name alone."""
    where = span_text(rule.span)
    return f"{rule.name} ({where})" if where else rule.name


def svc_text(svc: int) -> str:
    proto, port = split_svc(svc)
    return proto if proto == "icmp" else f"{proto}/{port}"


def packet_text(packet: Packet) -> str:
    return f"{format_address(packet.src)} -> {format_address(packet.dst)} {svc_text(packet.svc)}"


def wrap(items: Iterable[str], per_line: int = 3, max_items: int = 12) -> list[str]:
    """Comma-separated items, `per_line` to a line, at most `max_items` then a count of the rest."""
    seq = list(items)
    shown, rest = seq[:max_items], len(seq) - max_items
    lines = [", ".join(shown[i : i + per_line]) for i in range(0, len(shown), per_line)]
    if rest > 0:
        lines.append(f"+{rest} more")
    return lines


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def unique(items: Iterable[str]) -> list[str]:
    """Items in first-seen order without repeats (labels keep rule order, not alphabetical)."""
    return list(dict.fromkeys(items))
