"""Render stage (diagrams): the architecture view: zones, hosts, allow rules, management, logins.

With enforcement layers, every layer's allow rules are drawn (each named with its layer in the
edge's tooltip), the legend lists the layers with their `applies_to` and defaults, and each edge
between two zones names the layers that can deny some packet between them (the conduit's
constraints), decided exactly inside each layer by the reference's region sweep.
"""

from __future__ import annotations

import dataclasses

from segverify.model.intervals import IntervalSet
from segverify.model.ir import Flow, Layer, Model, Ref
from segverify.model.ports import ALL_SERVICES
from segverify.model.principals import Principals
from segverify.model.refs import Resolver
from segverify.render.dot_canvas import Canvas, End
from segverify.render.dot_layout import HOST_THRESHOLD
from segverify.render.dot_style import dot_id, span_text, unique, wrap
from segverify.semantics.layer_model import applies_region, layer_model
from segverify.semantics.regions import FlowTable

MAX_ACCOUNT_LINES = 12
TOP_LEVEL = "top level"  # how the implicit layer (top-level flows and defaults) is named


def render_architecture(model: Model, *, threshold: int = HOST_THRESHOLD) -> str:
    """The whole model: zones as clusters, hosts, allow rules as labelled edges, `manages` edges."""
    canvas = Canvas(model, "architecture", architecture_title(model), threshold=threshold)
    draw_flows(canvas)
    draw_manages(canvas)
    return canvas.source(legend_notes=(*defaults_notes(model), *layer_notes(model), *account_notes(model)))


def architecture_title(model: Model) -> str:
    allows = sum(1 for f in model.all_flows() if f.action == "allow")
    return f"Architecture: {len(model.zones)} zones, {len(model.hosts)} hosts, {allows} allow rules"


class Conduits:
    """Which layers can deny some packet from one zone to another: inside each layer, first match
    over the packets between the zones that the layer applies to, by the reference's sweep."""

    def __init__(self, model: Model) -> None:
        self.resolver = Resolver(model)
        top = FlowTable(dataclasses.replace(model, layers=()), self.resolver)
        self.layers: list[tuple[str, FlowTable, IntervalSet | None, IntervalSet | None]] = [
            (TOP_LEVEL, top, None, None)
        ]
        for layer in model.layers:
            table = FlowTable(layer_model(model, layer), self.resolver)
            self.layers.append((layer.name, table, *applies_region(layer, self.resolver)))
        self._found: dict[tuple[str, str], list[str]] = {}

    def deniers(self, src_zone: str, dst_zone: str) -> list[str]:
        key = (src_zone, dst_zone)
        if key not in self._found:
            src, dst = self.resolver.zone_sets[src_zone], self.resolver.zone_sets[dst_zone]
            out = []
            for name, table, scope_src, scope_dst in self.layers:
                s = src if scope_src is None else src.intersection(scope_src)
                d = dst if scope_dst is None else dst.intersection(scope_dst)
                if s and d and table.find_packet(s, d, ALL_SERVICES, "deny") is not None:
                    out.append(name)
            self._found[key] = out
        return self._found[key]

    def describe(self, tail: End, head: End) -> tuple[str, str]:
        """The edge's label line (`[layer, ...]`) and tooltip line; empty off a zone pair."""
        if tail.zone is None or head.zone is None:
            return "", ""
        pair = f"{tail.zone} -> {head.zone}"
        deniers = self.deniers(tail.zone, head.zone)
        if not deniers:
            return "[no layer denies]", f"no layer denies any packet {pair}"
        return f"[{', '.join(deniers)}]", f"layers that deny some packet {pair}: {', '.join(deniers)}"


def flow_groups(canvas: Canvas) -> dict[tuple[End, End], list[Flow]]:
    """Allow rules (of every layer) by the pair of drawn endpoints they connect (parallel rules
    share one edge)."""
    groups: dict[tuple[End, End], list[Flow]] = {}
    for flow in canvas.model.all_flows():
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


def flow_tooltip(flows: list[Flow], conduit: str = "") -> str:
    lines = []
    for f in flows:
        where = span_text(f.span)
        layer = f"{f.layer}: " if f.layer else ""
        lines.append(f"{layer}{f.name}" + (f" ({where})" if where else "") + ": " + ", ".join(f.services))
    return "\n".join([*lines, conduit] if conduit else lines)


def draw_flows(canvas: Canvas, role: str = "flow", max_services: int = 9) -> None:
    """Allow rules as edges labelled with their services (context edges: the first few)."""
    conduits = Conduits(canvas.model) if canvas.model.layers else None
    for (tail, head), flows in flow_groups(canvas).items():
        if canvas.pointless_loop(tail, head):
            continue
        services = unique(s for f in flows for s in f.services)
        lines = wrap(services, 3, max_services)
        edge_id = dot_id("flow-", f"{tail.node}-{head.node}")
        label, conduit = conduits.describe(tail, head) if conduits is not None else ("", "")
        lines += [label] if label else []
        canvas.edge(tail, head, role, lines, flow_tooltip(flows, conduit), edge_id)


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
    if any(f.action == "deny" for f in model.all_flows()):
        notes.append("deny rules are not drawn; an earlier deny rule")
        notes.append("narrows a drawn allow rule (first match decides)")
    return notes


def _refs(refs: tuple[Ref, ...] | None) -> str:
    return "any" if refs is None else ", ".join(r.text for r in refs)


def _applies(layer: Layer) -> str:
    if layer.applies_from is None and layer.applies_to is None:
        return "every packet"
    return f"{_refs(layer.applies_from)} -> {_refs(layer.applies_to)}"


def layer_notes(model: Model) -> list[str]:
    """The enforcement layers, in order, each with where it applies, its rules and its defaults."""
    if not model.layers:
        return []
    lines = ["", "enforcement layers: a packet passes only if", "every layer that applies to it allows it"]
    lines.append(f"{TOP_LEVEL}: every packet; {_rules(len(model.flows))}; defaults above")
    for layer in model.layers:
        lines.append(
            f"{layer.name}: {_applies(layer)}; {_rules(len(layer.flows))}; "
            f"unmatched: same zone {layer.intra_zone}, across zones {layer.inter_zone}"
        )
    lines.append("every layer's allow rules are drawn; [a, b] on an edge: the layers")
    lines.append("that deny some packet between its two zones")
    return lines


def _rules(n: int) -> str:
    return f"{n} rule{'' if n == 1 else 's'}"


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
