"""Render stage (diagrams): the shared drawing surface: zones, hosts, references, edges, legend.

Views mark hosts with roles (foothold, target, ...) and add edges between endpoints; the canvas
turns references into DOT endpoints through the layout (a collapsed zone stands for its hosts),
records which styles were used, and emits everything in a fixed order so output is byte-stable.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import graphviz

from segverify.model.addresses import AddressError
from segverify.model.ir import Host, Model, Zone
from segverify.model.refs import TAG_PREFIX, Resolver
from segverify.render import dot_layout as lay
from segverify.render.dot_labels import host_detail_lines, host_tooltip, zone_tooltip
from segverify.render.dot_legend import emit_legend
from segverify.render.dot_style import (
    EDGE_STYLES,
    NODE_STYLES,
    ZONE_EXTERNAL,
    ZONE_INTERNAL,
    Attrs,
    dot_id,
    new_graph,
    plain,
    plural,
    tip,
    wrap,
)

ROLE_LINES = {"foothold": "foothold", "target": "target", "excluded": "via: assumed unusable"}
ROLE_COUNT_LINES = {
    "foothold": "foothold",
    "target": "target",
    "closed": "in closed set",
    "reached": "controlled",
    "excluded": "via (unusable)",
}


@dataclass(frozen=True, slots=True)
class End:
    """One end of an edge: a DOT node, the cluster to clip at (a whole zone), and its zone."""

    node: str
    cluster: str | None = None
    zone: str | None = None


XLABELLED = ("flow-faint",)


class Canvas:
    """A picture under construction. Views call mark/node/edge; source() emits the DOT."""

    def __init__(
        self,
        model: Model,
        graph_id: str,
        title: str,
        *,
        pinned: frozenset[str] = frozenset(),
        detail: bool = True,
        threshold: int = lay.HOST_THRESHOLD,
        hosts_per_zone: int = lay.MAX_HOSTS_PER_ZONE,
    ) -> None:
        self.model, self.graph_id, self.title, self.detail = model, graph_id, title, detail
        self.resolver = Resolver(model)
        self.layout = lay.plan_layout(model, pinned, threshold, hosts_per_zone)
        self.used: list[str] = []
        self.zone_kinds: set[str] = set()
        self.notes: list[str] = []
        self.marks: dict[str, list[str]] = {}
        self.lines: dict[str, list[str]] = {}
        self.counts: Counter[tuple[str, str]] = Counter()
        self.extra: dict[str | None, list[tuple[str, Attrs]]] = {}
        self.extra_names: set[str] = set()
        self.edges: list[tuple[str, str, Attrs]] = []
        self.open_anchors: set[str] = set()
        # Per picture, on models of tens of thousands of hosts: counted and looked up once, not
        # by a scan of every host per collapsed zone and per tag reference (the audit report
        # draws dozens of pictures of one model).
        self._zone_hosts: Counter[str] | None = None
        self._tag_ends: dict[str, list[End]] = {}

    # ---- styles and marks -------------------------------------------------------------------

    def use(self, role: str) -> Attrs:
        if role not in self.used:
            self.used.append(role)
        table = NODE_STYLES if role in NODE_STYLES else EDGE_STYLES
        return dict(table[role][0])

    def mark(self, host: str, role: str, line: str = "") -> None:
        """Give a host a role (and an extra label line); a hidden host counts on its stand-in."""
        if host not in self.model.hosts:
            return
        rep = lay.representative(self.model, self.layout, host)
        if rep != lay.host_node(host):
            self.counts[(rep, role)] += 1  # a count line on the stand-in, not its style
            return
        if role not in self.marks.setdefault(host, []):
            self.marks[host].append(role)
        if line and line not in self.lines.setdefault(host, []):
            self.lines[host].append(line)

    def note_host(self, host: str, line: str) -> None:
        if host in self.model.hosts and lay.representative(self.model, self.layout, host) == lay.host_node(
            host
        ):
            if line not in self.lines.setdefault(host, []):
                self.lines[host].append(line)

    # ---- endpoints ---------------------------------------------------------------------------

    def host_end(self, host: str) -> End:
        zone = self.model.hosts[host].zone
        rep = lay.representative(self.model, self.layout, host)
        return End(rep, None, zone)

    def zone_end(self, zone: str) -> End:
        if zone in self.layout.hosts:
            return End(lay.zone_node(zone), lay.cluster_name(zone), zone)
        if zone in self.layout.collapsed:
            return End(lay.zone_node(zone), None, zone)
        return End(lay.MORE_ZONES)

    def ends(self, text: str) -> list[End]:
        """Endpoints a reference draws to: hosts, zones, a tag's members, or a reference node."""
        m = self.model
        if text in m.hosts:
            return [self.host_end(text)]
        if text in m.zones:
            return [self.zone_end(text)]
        if text.startswith(TAG_PREFIX):
            found = self._tag_ends.get(text)
            if found is None:
                found = self._tag_ends[text] = self._tag_members(text[len(TAG_PREFIX) :])
            if found:
                return list(found)
        return [self.reference(text)]

    def _tag_members(self, tag: str) -> list[End]:
        m = self.model
        zones = [z for z in sorted(m.zones) if tag in m.zones[z].tags]
        hosts = [h for h in sorted(m.hosts) if tag in m.hosts[h].tags and m.hosts[h].zone not in zones]
        return list(dict.fromkeys([self.zone_end(z) for z in zones] + [self.host_end(h) for h in hosts]))

    def zone_containing(self, text: str) -> str | None:
        """The one zone all addresses of a reference belong to, if there is one."""
        if text in self.model.zones:
            return text
        if text in self.model.hosts:
            return self.model.hosts[text].zone
        try:
            addrs = self.resolver.addresses(text)  # a CIDR or tag:NAME
        except (AddressError, KeyError):
            return None
        # Zone memberships are disjoint, so at most one zone holds the whole reference.
        for zone, members in sorted(self.resolver.zone_sets.items()):
            if addrs and addrs.issubset(members):
                return zone
        return None

    def reference(self, text: str) -> End:
        zone = self.zone_containing(text)
        home = zone if zone in self.layout.hosts else None
        name = dot_id("ref_", text)
        label = "any address" if text == "any" else text
        self.node(name, home, "reference", [label], tooltip=f"reference {text}", node_id=dot_id("ref-", text))
        return End(name, None, zone)

    # ---- nodes and edges ---------------------------------------------------------------------

    def node(
        self, name: str, zone: str | None, role: str, lines: list[str], tooltip: str = "", node_id: str = ""
    ) -> None:
        """An extra node (reference, foothold, harvest note, ...) inside a zone's cluster or on top."""
        if name in self.extra_names:
            return
        self.extra_names.add(name)
        attrs = self.use(role) | {"label": plain(*lines)}
        if tooltip:
            attrs["tooltip"] = tip(tooltip)
        if node_id:
            attrs["id"] = node_id
        home = zone if zone in self.layout.hosts else None
        self.extra.setdefault(home, []).append((name, attrs))

    def edge(
        self,
        tail: End,
        head: End,
        role: str,
        lines: list[str],
        tooltip: str = "",
        edge_id: str = "",
        **extra: str,
    ) -> None:
        attrs = self.use(role)
        if lines:
            # Context edges are labelled after layout (xlabel): labels that take part in ranking
            # make Graphviz fail ("trouble in init_rank") on the larger compound pictures.
            attrs["xlabel" if role in XLABELLED else "label"] = plain(*lines)
        if tooltip:
            attrs["tooltip"] = tip(tooltip)
        if edge_id:
            attrs["id"] = edge_id
        self._clip(tail, head, attrs)
        if self._external(head.zone) and not self._external(tail.zone):
            attrs["constraint"] = "false"  # keep external zones at the edge of the picture
        self.edges.append((tail.node, head.node, attrs | extra))

    def _clip(self, tail: End, head: End, attrs: Attrs) -> None:
        """Clip at a whole zone's cluster border, unless the other end sits inside that zone."""
        if tail.cluster:
            if tail.zone == head.zone:
                self.open_anchors.add(tail.node)
            else:
                attrs["ltail"] = tail.cluster
        if head.cluster:
            if tail.zone == head.zone:
                self.open_anchors.add(head.node)
            else:
                attrs["lhead"] = head.cluster

    def pointless_loop(self, tail: End, head: End) -> bool:
        """A loop on one host or on a stand-in says nothing; on a fleet it is lateral traffic."""
        if tail != head:
            return False
        single = {lay.host_node(h.name) for h in self.model.hosts.values() if not h.fleet}
        return tail.node in single or self.stand_in(tail.node)

    def stand_in(self, node: str) -> bool:
        """Whether a node stands for several hosts (a collapsed zone or a "more" node)."""
        collapsed = {lay.zone_node(z) for z in self.layout.collapsed}
        return node in collapsed or node == lay.MORE_ZONES or node.startswith("more_")

    def _external(self, zone: str | None) -> bool:
        return zone is not None and zone in self.model.zones and self.model.zones[zone].external

    # ---- emission ----------------------------------------------------------------------------

    def source(self, legend_notes: tuple[str, ...] = ()) -> str:
        g = new_graph(self.graph_id, self.title, compound="true", nodesep="0.35", ranksep="0.9")
        for zone in self.layout.clusters:
            self._emit_cluster(g, self.model.zones[zone])
        for zone in self.layout.collapsed:
            g.node(lay.zone_node(zone), **self._collapsed_attrs(self.model.zones[zone]))
        if self.layout.hidden_zones:
            n = len(self.layout.hidden_zones)
            g.node(lay.MORE_ZONES, **(self.use("more") | {"label": plain(f"... {n} more zones")}))
        for name, attrs in self.extra.get(None, []):
            g.node(name, **attrs)
        for tail, head, attrs in self.edges:
            g.edge(tail, head, **attrs)
        self._external_first(g)
        emit_legend(g, self.used, sorted(self.zone_kinds), legend_notes)
        return str(g.source)

    def _external_first(self, g: graphviz.Digraph) -> None:
        """Invisible edges from external zones to internal ones put the internet at the edge."""
        shown = [z for z in (*self.layout.clusters, *self.layout.collapsed)]
        external = [z for z in shown if self.model.zones[z].external]
        internal = [z for z in shown if not self.model.zones[z].external]
        for e in external:
            for i in internal:
                g.edge(lay.zone_node(e), lay.zone_node(i), style="invis")

    def _emit_cluster(self, g: graphviz.Digraph, zone: Zone) -> None:
        kind = "external" if zone.external else "internal"
        self.zone_kinds.add(kind)
        style = ZONE_EXTERNAL if zone.external else ZONE_INTERNAL
        title = f"{zone.name} (external)" if zone.external else zone.name
        attrs = style | {
            "id": dot_id("zone-", zone.name),
            "label": plain(title, *wrap(zone.networks, 2, 6)),
            "tooltip": tip(zone_tooltip(zone)),
            "fontsize": "12",
            "labeljust": "l",
        }
        with g.subgraph(name=lay.cluster_name(zone.name), graph_attr=attrs) as sub:
            sub.node(lay.zone_node(zone.name), **self._anchor_attrs(zone.name))
            for host in self.layout.hosts[zone.name]:
                sub.node(lay.host_node(host), **self._host_attrs(self.model.hosts[host]))
            hidden = self.layout.hidden_hosts.get(zone.name, 0)
            if hidden:
                lines = [f"... {plural(hidden, 'more host')}", *self._count_lines(lay.more_node(zone.name))]
                sub.node(lay.more_node(zone.name), **(self.use("more") | {"label": plain(*lines)}))
            for name, node_attrs in self.extra.get(zone.name, []):
                sub.node(name, **node_attrs)

    def _anchor_attrs(self, zone: str) -> Attrs:
        """Invisible point to clip zone edges at; shown when an edge cannot be clipped."""
        if lay.zone_node(zone) in self.open_anchors:
            return self.use("all-of") | {"label": plain(f"(all of {zone})")}
        return {"shape": "point", "style": "invis", "width": "0.01", "height": "0.01", "label": ""}

    def _collapsed_attrs(self, zone: Zone) -> Attrs:
        if self._zone_hosts is None:
            self._zone_hosts = Counter(h.zone for h in self.model.hosts.values())
        n = self._zone_hosts[zone.name]
        lines = [zone.name + (" (external)" if zone.external else "")]
        lines += [plural(n, "host")] if n else []
        lines += wrap(zone.networks, 2, 4)
        lines += self._count_lines(lay.zone_node(zone.name))
        return self.use("zone-node") | {
            "id": dot_id("zone-", zone.name),
            "label": plain(*lines),
            "tooltip": tip(zone_tooltip(zone)),
        }

    def _count_lines(self, rep: str) -> list[str]:
        return [
            f"{role_line}: {plural(self.counts[(rep, role)], 'host')}"
            for role, role_line in ROLE_COUNT_LINES.items()
            if self.counts[(rep, role)]
        ]

    def _host_attrs(self, host: Host) -> Attrs:
        attrs = self.use("fleet" if host.fleet else "host")
        roles = list(self.marks.get(host.name, []))
        if self.detail and host.vulnerable:
            roles.insert(0, "vulnerable")
        for role in roles:
            attrs |= self.use(role)
        lines = [host.name, host.address]
        if self.detail:
            lines += host_detail_lines(host)
        lines += [ROLE_LINES[r] for r in roles if r in ROLE_LINES]
        lines += self.lines.get(host.name, [])
        return attrs | {
            "id": dot_id("host-", host.name),
            "label": plain(*lines),
            "tooltip": tip(host_tooltip(host)),
        }
