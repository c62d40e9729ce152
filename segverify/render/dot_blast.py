"""Render stage (diagrams): the blast view: what one foothold controls, column by distance.

Distance is the number of moves that gain control (login, exploit, manage) on a host's path;
harvests take no step. A proved policy's certificate carries no paths, so its hosts form one
column beside the footholds.
"""

from __future__ import annotations

import graphviz

from segverify.model.addresses import format_address
from segverify.model.ir import BlastRadiusSpec, Model, RefFoothold
from segverify.model.refs import Resolver
from segverify.render.dot_legend import emit_legend
from segverify.render.dot_paths import find_policy, result_title
from segverify.render.dot_style import EDGE_STYLES, NODE_STYLES, Attrs, dot_id, new_graph, plain, plural, tip
from segverify.results import (
    BlastWitness,
    ClosedSetCertificate,
    ControlledHost,
    Hop,
    PathWitness,
    PolicyResult,
)

CONTROL_MOVES = ("login", "exploit", "manage")
MAX_PER_COLUMN = 30


def distance(path: tuple[Hop, ...]) -> int:
    return sum(1 for h in path if h.move in CONTROL_MOVES)


def move_label(hop: Hop) -> str:
    if hop.move == "login":
        return f"{hop.service} as {hop.credential}"
    if hop.move == "exploit":
        return f"exploit {hop.service}"
    return hop.move


class BlastDrawing:
    """Columns of hosts by distance, the hop that reached each host, and a legend."""

    def __init__(self, model: Model, result: PolicyResult) -> None:
        self.model, self.result = model, result
        self.used: list[str] = []
        self.columns: dict[int, list[str]] = {}
        self.overflow: dict[int, int] = {}
        self.harvests: dict[str, list[str]] = {}
        self.roles: dict[str, str] = {}
        self.extra: list[tuple[str, Attrs]] = []
        self.edges: list[tuple[str, str, Attrs]] = []

    def use(self, role: str) -> Attrs:
        if role not in self.used:
            self.used.append(role)
        return dict((NODE_STYLES | EDGE_STYLES)[role][0])

    def place(self, host: str, column: int, role: str) -> bool:
        if host in self.roles or host not in self.model.hosts:
            return host in self.roles
        if len(self.columns.setdefault(column, [])) >= MAX_PER_COLUMN:
            self.overflow[column] = self.overflow.get(column, 0) + 1
            return False
        self.columns[column].append(host)
        self.roles[host] = role
        return True

    def add_witness(self, w: BlastWitness) -> None:
        for ch in sorted(w.hosts, key=lambda c: (distance(c.path), c.host)):
            self.add_controlled(ch)

    def add_controlled(self, ch: ControlledHost) -> None:
        d = distance(ch.path)
        shown = self.place(ch.host, d, "foothold" if d == 0 else "reached")
        for hop in ch.path:
            if hop.move == "harvest" and hop.at and hop.credential:
                bucket = self.harvests.setdefault(hop.at, [])
                if hop.credential not in bucket:
                    bucket.append(hop.credential)
            elif hop.move == "foothold" and hop.at and hop.at not in self.model.hosts:
                self.foothold_ref(hop.at, hop.credential, hop.address)
        last = next((h for h in reversed(ch.path) if h.move in CONTROL_MOVES and h.to == ch.host), None)
        if shown and last is not None:
            self.edge(last)

    def foothold_ref(self, at: str, credential: str | None = None, address: int | None = None) -> str:
        name = dot_id("fh_", at)
        if all(n != name for n, _ in self.extra):
            lines = ["foothold", at] + ([f"holds {credential}"] if credential else [])
            lines += [f"sends from {format_address(address)}"] if address is not None else []
            attrs = self.use("foothold-ref") | {"label": plain(*lines), "id": dot_id("foothold-", at)}
            self.extra.append((name, attrs))
        return name

    def edge(self, hop: Hop) -> None:
        assert hop.to is not None
        src = hop.source or "any"
        tail = dot_id("h_", src) if src in self.model.hosts else self.foothold_ref(src)
        attrs = self.use("reach") | {"label": plain(move_label(hop)), "id": dot_id("reach-", hop.to)}
        if hop.rule is not None:
            attrs["tooltip"] = plain(f"{hop.move} {src} -> {hop.to}: rule {hop.rule.name}")
        self.edges.append((tail, dot_id("h_", hop.to), attrs))

    def add_certificate(self, cert: ClosedSetCertificate) -> None:
        policy = find_policy(self.model, self.result.id)
        res = Resolver(self.model)
        starts: set[str] = set()
        for f in getattr(policy.spec, "footholds", ()) if policy else ():
            if isinstance(f, RefFoothold):
                starts |= res.hosts(f.ref)
        for host in cert.hosts:
            self.place(host, 0 if host in starts else 1, "foothold" if host in starts else "closed")
        for sender in cert.senders:
            if not res.hosts(sender):
                self.foothold_ref(sender)

    # ---- emission ----------------------------------------------------------------------------

    def source(self, certificate: bool) -> str:
        g = new_graph(dot_id("blast-", self.result.id), self.title(), nodesep="0.3", ranksep="1.1")
        for name, attrs in self.extra:
            g.node(name, **attrs)
        if self.extra:
            self.columns.setdefault(0, [])  # foothold references stand in the foothold column
        previous = ""
        for column in sorted(self.columns):
            header = self.emit_column(g, column, certificate)
            if previous:
                g.edge(previous, header, style="invis")
            previous = header
        for tail, head, attrs in self.edges:
            g.edge(tail, head, **attrs)
        emit_legend(g, self.used, (), self.notes(certificate))
        return str(g.source)

    def emit_column(self, g: graphviz.Digraph, column: int, certificate: bool) -> str:
        header = f"col_{column}"
        g.node(header, shape="plaintext", fontsize="12", label=plain(column_title(column, certificate)))
        names = [header] + ([n for n, _ in self.extra] if column == 0 else [])
        for host in self.columns[column]:
            g.node(dot_id("h_", host), **self.host_attrs(host))
            names.append(dot_id("h_", host))
        if self.overflow.get(column):
            more = f"more_{column}"
            g.node(more, **(self.use("more") | {"label": plain(f"... {self.overflow[column]} more hosts")}))
            names.append(more)
        g.body.append("\t{rank=same; " + " ".join(f'"{n}"' for n in names) + "}\n")
        return header

    def host_attrs(self, name: str) -> Attrs:
        host = self.model.hosts[name]
        attrs = self.use("fleet" if host.fleet else "host") | self.use(self.roles[name])
        lines = [name, host.address, f"zone {host.zone}"]
        lines += [f"harvest: {', '.join(self.harvests[name])}"] if name in self.harvests else []
        tooltip = f"host {name} in zone {host.zone}\naddress {host.address}"
        return attrs | {"id": dot_id("host-", name), "label": plain(*lines), "tooltip": tip(tooltip)}

    def title(self) -> str:
        count = len(self.roles) + sum(self.overflow.values())
        policy = find_policy(self.model, self.result.id)
        limit = policy.spec.max_hosts if policy and isinstance(policy.spec, BlastRadiusSpec) else None
        if isinstance(self.result.witness, BlastWitness):
            limit = self.result.witness.max_hosts
        tail = f", max_hosts {limit}" if limit is not None else ""
        return f"{result_title(self.result)} ({plural(count, 'host')} controlled{tail})"

    def notes(self, certificate: bool) -> tuple[str, ...]:
        if certificate:
            return ("a proof carries no paths:", "controlled hosts form one column")
        return ("columns: moves that gain control", "(login, exploit, manage)")


def column_title(column: int, certificate: bool) -> str:
    if column == 0:
        return "foothold"
    if certificate:
        return "controlled (closed set)"
    return "1 hop" if column == 1 else f"{column} hops"


def render_blast(model: Model, result: PolicyResult) -> str:
    """What the foothold of a blast_radius (or any attack) result controls, by distance."""
    drawing = BlastDrawing(model, result)
    w, cert = result.witness, result.certificate
    if isinstance(w, PathWitness):
        drawing.add_witness(BlastWitness(controlled_along(w.path), 0))
    elif isinstance(w, BlastWitness):
        drawing.add_witness(w)
    elif isinstance(cert, ClosedSetCertificate):
        drawing.add_certificate(cert)
    return drawing.source(certificate=w is None and cert is not None)


def controlled_along(path: tuple[Hop, ...]) -> tuple[ControlledHost, ...]:
    """An attack path read as a blast: every host it gains, with the path up to that gain."""
    out = [ControlledHost(h.to, (h,)) for h in path if h.move == "foothold" and h.to]
    out += [
        ControlledHost(h.to, path[: i + 1]) for i, h in enumerate(path) if h.move in CONTROL_MOVES and h.to
    ]
    return tuple(out)
