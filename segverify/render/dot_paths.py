"""Render stage (diagrams): the paths view: a witness or a certificate drawn on the architecture.

Hops are numbered and labelled by render/hops.py, as in the text, SARIF and HTML reports.
"""

from __future__ import annotations

from segverify.model.addresses import format_address
from segverify.model.ir import AccountFoothold, Model, Policy, RefFoothold
from segverify.model.refs import Resolver
from segverify.render.dot_architecture import draw_flows
from segverify.render.dot_canvas import Canvas, End
from segverify.render.dot_layout import PATHS_HOSTS_PER_ZONE, PATHS_THRESHOLD, host_node
from segverify.render.dot_style import dot_id, packet_text, plural, rule_text, svc_text
from segverify.render.hops import Step, steps
from segverify.results import (
    Blocked,
    ClosedSetCertificate,
    Hop,
    MatrixWitness,
    Packet,
    PacketWitness,
    PathWitness,
    PolicyResult,
    RuleRef,
)

MAX_BLOCKED_EDGES = 40


def find_policy(model: Model, policy_id: str) -> Policy | None:
    return next((p for p in model.policies if p.id == policy_id), None)


def result_title(result: PolicyResult) -> str:
    head = f"{result.id} ({result.kind}, {result.status.value})"
    return f"{head}: {result.title}" if result.title else head


def render_paths(
    model: Model, result: PolicyResult, *, threshold: int = PATHS_THRESHOLD, context: bool = True
) -> str:
    """A violated policy's witness, or a proved one's closed set and boundary, on the architecture.

    `context=False` leaves out the faint allow rules behind the path: on a large model they are
    most of the picture (the audit report draws it so, html_policies.py).
    """
    policy = find_policy(model, result.id)
    canvas = Canvas(
        model,
        dot_id("paths-", result.id),
        result_title(result),
        pinned=pinned_names(model, result),
        detail=False,
        threshold=threshold,
        hosts_per_zone=PATHS_HOSTS_PER_ZONE,
    )
    if context:
        draw_flows(canvas, role="flow-faint", max_services=3)
    if policy is not None:
        mark_policy(canvas, policy)
        mark_footholds(canvas, policy)
    notes = draw_result(canvas, result)
    return canvas.source(legend_notes=tuple(notes))


def draw_result(canvas: Canvas, result: PolicyResult) -> list[str]:
    w, cert = result.witness, result.certificate
    if isinstance(w, PathWitness):
        canvas.mark(w.target, "target")
        for host in w.reached:  # every protected host the attacker controls, not only the path's
            canvas.mark(host, "reached")
        draw_path(canvas, w.path)
        return ["hops are numbered in path order;", "foothold steps carry no number"]
    if isinstance(w, PacketWitness):
        draw_packet(
            canvas, w.packet, w.rule, "packet-denied" if result.kind == "reachable" else "packet-allowed"
        )
        return []
    if isinstance(w, MatrixWitness):
        for i, pair in enumerate(w.pairs, 1):
            draw_packet(canvas, pair.packet, pair.rule, "packet-allowed", f"pair-{i}")
        return []
    if isinstance(cert, ClosedSetCertificate):
        draw_closed_set(canvas, cert)
        return []
    reason = f": {result.reason}" if result.reason else ""
    return [f"{result.status.value}{reason}", "(nothing to draw for this result)"]


def pinned_names(model: Model, result: PolicyResult) -> frozenset[str]:
    """Hosts and zones a drawing must expand even when it collapses the rest of a large model."""
    w, cert = result.witness, result.certificate
    names: set[str] = set()
    if isinstance(w, PathWitness):
        names |= {w.target, *w.reached} | {n for h in w.path for n in (h.to, h.source, h.at) if n}
    if isinstance(cert, ClosedSetCertificate):
        names |= set(cert.hosts) | set(cert.excluded) | set(cert.senders)
    packets = [w.packet] if isinstance(w, PacketWitness) else []
    packets += [p.packet for p in w.pairs] if isinstance(w, MatrixWitness) else []
    res = Resolver(model)
    for a in (a for p in packets for a in (p.src, p.dst)):
        names |= {n for n in (host_at(model, a), res.zone_of(a)) if n}
    return frozenset(n for n in names if n in model.hosts or n in model.zones)


def mark_policy(canvas: Canvas, policy: Policy) -> None:
    """Targets and, for only_via, the via hosts; footholds come from the witness or certificate."""
    spec = policy.spec
    via = canvas.resolver.hosts_of(getattr(spec, "via", ()))
    for host in sorted(canvas.resolver.hosts_of(getattr(spec, "to", ())) - via):
        canvas.mark(host, "target")
    for host in sorted(via):
        canvas.mark(host, "excluded")


def mark_footholds(canvas: Canvas, policy: Policy) -> None:
    """Every foothold of the policy: a witness names only those its path uses, a certificate none."""
    for f in getattr(policy.spec, "footholds", ()):
        if isinstance(f, RefFoothold):
            hosts = sorted(canvas.resolver.hosts(f.ref))
            for host in hosts:
                canvas.mark(host, "foothold")
            if not hosts:
                foothold_end(canvas, f.ref.text)
        elif isinstance(f, AccountFoothold):
            foothold_end(canvas, f.at.text, credential=f.account)


# ---- attack paths ----------------------------------------------------------------------------


def foothold_end(canvas: Canvas, at: str, credential: str | None = None, address: int | None = None) -> End:
    """A host foothold is the host itself, marked; any other reference gets its own node."""
    if at in canvas.model.hosts:
        canvas.mark(at, "foothold")
        if address is not None and canvas.model.hosts[at].fleet:
            canvas.note_host(at, f"attacker at {format_address(address)}")
        return canvas.host_end(at)
    zone = canvas.zone_containing(at)
    lines = ["foothold", at]
    if credential:
        lines.append(f"holds {credential}")
    if address is not None:
        lines.append(f"sends from {format_address(address)}")
    name = dot_id("fh_", at)
    canvas.node(name, zone, "foothold-ref", lines, tooltip=" ".join(lines), node_id=dot_id("foothold-", at))
    return End(name, None, zone)


def draw_path(canvas: Canvas, path: tuple[Hop, ...]) -> None:
    for step in steps(path):
        hop = step.hop
        if step.is_foothold:
            foothold_end(canvas, hop.to or hop.at or "any", hop.credential, hop.address)
        elif hop.move == "harvest":
            draw_harvest(canvas, step)
        else:
            draw_hop(canvas, step)


def source_end(canvas: Canvas, source: str | None) -> End:
    if source is not None and source in canvas.model.hosts:
        return canvas.host_end(source)
    return foothold_end(canvas, source or "any")


def draw_hop(canvas: Canvas, step: Step) -> None:
    hop, number = step.hop, step.number
    if hop.to is None or hop.to not in canvas.model.hosts:
        return
    canvas.mark(hop.to, "reached")
    tail, head = source_end(canvas, hop.source), canvas.host_end(hop.to)
    canvas.edge(tail, head, "hop", [step.label], hop_tooltip(number, hop), f"hop-{number}")


def hop_tooltip(number: int, hop: Hop) -> str:
    parts = [f"hop {number}: {hop.move} {hop.source} -> {hop.to}"]
    if hop.service:
        parts.append(f"service {hop.service}")
    if hop.credential:
        parts.append(f"credential {hop.credential}")
    if hop.packet is not None:
        parts.append(f"packet {packet_text(hop.packet)}")
    if hop.rule is not None:
        parts.append(f"rule {rule_text(hop.rule)}")
    return "\n".join(parts)


def draw_harvest(canvas: Canvas, step: Step) -> None:
    hop, number = step.hop, step.number
    at = hop.at or "any"
    tail = canvas.host_end(at) if at in canvas.model.hosts else foothold_end(canvas, at)
    name = f"hv_{number}"
    label = step.label
    canvas.node(name, tail.zone, "harvest", [label], tooltip=f"{label} at {at}", node_id=f"harvest-{number}")
    canvas.edge(tail, End(name, None, tail.zone), "harvest-tie", [], f"{label} at {at}", f"hop-{number}")


# ---- packets ---------------------------------------------------------------------------------


def host_at(model: Model, address: int) -> str | None:
    """The most specific host holding an address (a single host inside a fleet's range wins)."""
    holders = [h for h in model.hosts.values() if address in h.addresses]
    return min(holders, key=lambda h: (h.addresses.size(), h.name)).name if holders else None


def address_end(canvas: Canvas, address: int) -> End:
    host = host_at(canvas.model, address)
    if host is not None:
        return canvas.host_end(host)
    zone = canvas.resolver.zone_of(address)
    if zone is not None:
        return canvas.zone_end(zone)
    return canvas.reference(format_address(address))


def draw_packet(canvas: Canvas, packet: Packet, rule: RuleRef, role: str, edge_id: str = "packet") -> None:
    verb = "denied" if role == "packet-denied" else "allowed"
    lines = [svc_text(packet.svc), f"{verb} by {rule.name}"]
    tooltip = f"packet {packet_text(packet)}\n{verb} by {rule_text(rule)}"
    canvas.edge(
        address_end(canvas, packet.src), address_end(canvas, packet.dst), role, lines, tooltip, edge_id
    )


# ---- certificates ----------------------------------------------------------------------------


def blocked_line(b: Blocked) -> str:
    """Every wall of the move: a denied packet and a missing credential are both named."""
    return f"{b.service}: " + "; ".join(_wall_text(b, wall) for wall in b.walls)


def _wall_text(b: Blocked, wall: str) -> str:
    if wall == "no-usable-credential":
        return "no usable credential"
    if wall == "mfa":
        return "credential needs MFA"
    names = ", ".join(r.name for r in b.rules)
    return f"denied by {names}" if names else "no allowed packet"


def blocked_tooltip(b: Blocked) -> str:
    rules = "; ".join(rule_text(r) for r in b.rules)
    walls = " and ".join(b.walls)
    return f"{b.move} {b.to} on {b.service} blocked: {walls}" + (f" ({rules})" if rules else "")


def draw_closed_set(canvas: Canvas, cert: ClosedSetCertificate) -> None:
    for host in cert.hosts:
        canvas.mark(host, "closed")
    for host in cert.excluded:
        canvas.mark(host, "excluded")
    for sender in cert.senders:
        if not canvas.resolver.hosts(sender):
            foothold_end(canvas, sender)
    creds = ", ".join(cert.credentials) or "none"
    lines = ["attacker's closed set", f"{plural(len(cert.hosts), 'host')} (shaded)", f"credentials: {creds}"]
    canvas.node("attacker", None, "attacker", lines, tooltip="\n".join(lines), node_id="attacker")
    draw_boundary(canvas, cert.boundary)


def draw_boundary(canvas: Canvas, boundary: tuple[Blocked, ...]) -> None:
    """Blocked moves grouped by the host they aim at; the policy's targets first, then by name."""
    groups: dict[End, list[Blocked]] = {}
    for b in boundary:
        if b.to in canvas.model.hosts:
            groups.setdefault(canvas.host_end(b.to), []).append(b)
    targets = {h for h, roles in canvas.marks.items() if "target" in roles}
    order = sorted(groups, key=lambda e: (not any(b.to in targets for b in groups[e]), e.node))
    attacker = End("attacker")
    for end in order[:MAX_BLOCKED_EDGES]:
        moves = groups[end]
        # A collapsed zone stands for several hosts: name the host in each line.
        named = end.node != host_node(moves[0].to)
        lines = list(dict.fromkeys((f"{b.to} " if named else "") + blocked_line(b) for b in moves))
        tooltip = "\n".join(dict.fromkeys(blocked_tooltip(b) for b in moves))
        canvas.edge(attacker, end, "blocked", lines[:6], tooltip, dot_id("blocked-", end.node))
    if len(order) > MAX_BLOCKED_EDGES:
        rest = len(order) - MAX_BLOCKED_EDGES
        canvas.node("blocked_more", None, "more", [f"... {rest} more blocked hosts"])
