"""Semantics stage: the login and exploit moves out of a set of hosts, decided exactly in one sweep.

Shared by certificate_for (to describe the boundary) and check_certificate (to prove the set closed).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from segverify.model.intervals import IntervalSet, union_all
from segverify.model.ports import pick_svc
from segverify.results import Blocked, Packet, RuleRef
from segverify.semantics.context import Semantics
from segverify.semantics.moves import (
    Setup,
    attack_services,
    exploitable,
    foothold_text,
    host_senders,
    is_login,
    sender_set,
    usable,
)
from segverify.semantics.owners import Owners
from segverify.semantics.packets import format_packet
from segverify.semantics.regions import Cell, readable_address, readable_source, sort_rules


@dataclass(slots=True)
class Crossing:
    """Packets from the set's senders to one outside host on one service: who decides, one allowed."""

    host: str
    service: str
    rules: set[RuleRef] = field(default_factory=set)
    allowed: tuple[Packet, RuleRef] | None = None


def senders_of(sem: Semantics, setup: Setup, hosts: Iterable[str], refs: Iterable[str]) -> IntervalSet:
    """Every address the attacker sends from: its hosts' and its foothold references' (minus via)."""
    own = [host_senders(sem.model.hosts[h], setup) for h in hosts]
    return union_all(own + [sender_set(sem.resolver, setup, r) for r in refs])


def foothold_refs(setup: Setup) -> tuple[str, ...]:
    return tuple(sorted({foothold_text(fh) for fh in setup.footholds}))


def crossings(sem: Semantics, setup: Setup, hosts: frozenset[str], senders: IntervalSet) -> list[Crossing]:
    """For every outside host and every service a move could use: the exact decisions from `senders`."""
    m, profile = sem.model, setup.profile
    outside = [h for h in sorted(m.hosts) if h not in hosts and h not in setup.via]
    services = [(h, attack_services(m, profile, m.hosts[h])) for h in outside]
    services = [(h, s) for h, s in services if s]
    table = {(h, s): Crossing(h, s) for h, names in services for s in names}
    dst_sets = [m.hosts[h].addresses for h, _ in services]
    ports = {s: m.services[s].ports for _, s in table}
    # Untagged: cells are classes of addresses that every rule and zone treats alike, and the
    # owners index says which hosts each class reaches (see owners.py for why not host tags).
    sweep = sem.table.sweep(senders, union_all(dst_sets), union_all(ports.values()))
    owners, reached = Owners(dst_sets), {}
    seen: set[tuple[IntervalSet, IntervalSet, RuleRef]] = set()
    for cell in sweep.cells():
        # A later source class with the same destinations, services and rule adds nothing:
        # the rule is noted already, and so is an allowed packet if the rule allows.
        if (cell.dst, cell.svc, cell.rule) in seen:
            continue
        seen.add((cell.dst, cell.svc, cell.rule))
        if cell.dst not in reached:
            reached[cell.dst] = owners.pieces(cell.dst)
        hits = {s: cell.svc.intersection(p) for s, p in ports.items()}
        for k, dst in reached[cell.dst].items():
            host, names = services[k]
            for s in names:
                if hits[s]:
                    _note(table[(host, s)], cell, dst, hits[s])
    return [table[k] for k in sorted(table)]


def _note(cr: Crossing, cell: Cell, dst: IntervalSet, hit: IntervalSet) -> None:
    """`cell` decides packets to `dst` (part of the host) on `hit` (part of the service)."""
    cr.rules.add(cell.rule)
    if cell.rule.action == "allow" and cr.allowed is None:
        address = readable_address(dst)
        cr.allowed = (Packet(readable_source(cell.src, address), address, pick_svc(hit)), cell.rule)


def usable_logins(sem: Semantics, setup: Setup, credentials: frozenset[str], host: str) -> list[str]:
    may = sem.principals.logins_among(credentials, sem.model.hosts[host])
    return sorted(c for c in may if usable(sem.principals, setup.profile, c))


def mfa_blocked(sem: Semantics, setup: Setup, credentials: frozenset[str], host: str) -> bool:
    """Some held credential may log in on the host, and mfa alone stops every one of them."""
    may = sem.principals.logins_among(credentials, sem.model.hosts[host])
    return bool(may) and not any(usable(sem.principals, setup.profile, c) for c in may)


def open_moves(sem: Semantics, setup: Setup, credentials: frozenset[str], cross: list[Crossing]) -> list[str]:
    """Every login or exploit that leaves the set: a closed set has none."""
    out = []
    for cr in cross:
        if cr.allowed is None:
            continue
        packet, rule = cr.allowed
        host = sem.model.hosts[cr.host]
        if exploitable(setup.profile, host, cr.service):
            out.append(f"exploit of {cr.host} on {cr.service} is possible: {_why(packet, rule)}")
        creds = usable_logins(sem, setup, credentials, cr.host) if is_login(sem.model, cr.service) else []
        if creds:
            out.append(f"login to {cr.host} on {cr.service} as {creds[0]} is possible: {_why(packet, rule)}")
    return out


def _why(packet: Packet, rule: RuleRef) -> str:
    return f"{format_packet(packet)} is allowed by {rule.name}"


def boundary(
    sem: Semantics, setup: Setup, credentials: frozenset[str], cross: list[Crossing]
) -> list[Blocked]:
    """Why each login and exploit out of a closed set fails (assumes open_moves is empty)."""
    out = []
    for cr in cross:
        host = sem.model.hosts[cr.host]
        denied = Blocked("exploit", cr.host, cr.service, "no-allowed-packet", sort_rules(cr.rules))
        if exploitable(setup.profile, host, cr.service):
            out.append(denied)
        if not is_login(sem.model, cr.service):
            continue
        if usable_logins(sem, setup, credentials, cr.host):
            out.append(Blocked("login", cr.host, cr.service, "no-allowed-packet", sort_rules(cr.rules)))
        elif mfa_blocked(sem, setup, credentials, cr.host):
            out.append(Blocked("login", cr.host, cr.service, "mfa"))
        else:
            out.append(Blocked("login", cr.host, cr.service, "no-usable-credential"))
    return out
