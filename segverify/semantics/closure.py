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
from segverify.semantics.packets import format_packet
from segverify.semantics.regions import Cell, bits, readable_address, readable_source, sort_rules


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
    outside = [h for h in outside if attack_services(m, profile, m.hosts[h])]
    dst_sets = [m.hosts[h].addresses for h in outside]
    table: dict[tuple[str, str], Crossing] = {
        (h, s): Crossing(h, s) for h in outside for s in attack_services(m, profile, m.hosts[h])
    }
    ports = union_all(m.services[s].ports for _, s in table)
    sweep = sem.table.sweep(senders, union_all(dst_sets), ports, dst_tags=dst_sets)
    for cell in sweep.cells():
        _note(sem, setup, outside, table, cell)
    return [table[k] for k in sorted(table)]


def _note(
    sem: Semantics, setup: Setup, outside: list[str], table: dict[tuple[str, str], Crossing], cell: Cell
) -> None:
    for i in bits(cell.dst_tags):
        host = sem.model.hosts[outside[i]]
        for s in attack_services(sem.model, setup.profile, host):
            hit = cell.svc.intersection(sem.model.services[s].ports)
            if not hit:
                continue
            cr = table[(host.name, s)]
            cr.rules.add(cell.rule)
            if cell.rule.action == "allow" and cr.allowed is None:
                dst = readable_address(cell.dst)
                packet = Packet(readable_source(cell.src, dst), dst, pick_svc(hit))
                cr.allowed = (packet, cell.rule)


def usable_logins(sem: Semantics, setup: Setup, credentials: Iterable[str], host: str) -> list[str]:
    h = sem.model.hosts[host]
    return sorted(
        c for c in credentials if sem.principals.may_log_in(c, h) and usable(sem.principals, setup.profile, c)
    )


def mfa_blocked(sem: Semantics, setup: Setup, credentials: Iterable[str], host: str) -> bool:
    """Some held credential may log in on the host, and mfa alone stops every one of them."""
    h = sem.model.hosts[host]
    may = [c for c in credentials if sem.principals.may_log_in(c, h)]
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
