"""Semantics stage: the login and exploit moves out of a set of hosts, decided exactly in one sweep.

Shared by certificate_for (to describe the boundary) and check_certificate (to prove the set closed).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from segverify.model.intervals import IntervalSet, union_all
from segverify.model.ports import pick_svc
from segverify.results import Blocked, BlockedReason, Packet, RuleRef
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


class Crossing:
    """Packets from the set's senders to one outside host on one service: who decides, one allowed."""

    __slots__ = ("host", "service", "rules", "allowed")  # one per door out of the set: 10^5 of them

    def __init__(self, host: str, service: str) -> None:
        self.host, self.service = host, service
        self.rules: set[RuleRef] = set()
        self.allowed: tuple[Packet, RuleRef] | None = None


@dataclass(frozen=True, slots=True)
class Targets:
    """Every host a move could take under one `exploits` setting, and its services.

    The same for every certificate whose profile agrees on `exploits`, the only field that
    decides which services a move may use; each certificate then skips its own hosts and its
    via hosts. Built per profile and via set, it was rebuilt for every only_via policy.
    """

    services: tuple[tuple[str, tuple[str, ...]], ...]  # (host, attack services), by host name
    owners: Owners  # over the hosts' addresses, indexed like `services`
    dst: IntervalSet
    ports: dict[str, IntervalSet]
    svc: IntervalSet


def targets_of(sem: Semantics, setup: Setup) -> Targets:
    key = ("targets", setup.profile.exploits)
    if key not in sem.memo:
        m = sem.model
        found = [(h, attack_services(m, setup.profile, m.hosts[h])) for h in sorted(m.hosts)]
        services = tuple((h, names) for h, names in found if names)
        dst_sets = [m.hosts[h].addresses for h, _ in services]
        ports = {s: m.services[s].ports for _, names in services for s in names}
        sem.memo[key] = Targets(
            services, Owners(dst_sets), union_all(dst_sets), ports, union_all(ports.values())
        )
    target = sem.memo[key]
    assert isinstance(target, Targets)
    return target


def senders_of(sem: Semantics, setup: Setup, hosts: Iterable[str], refs: Iterable[str]) -> IntervalSet:
    """Every address the attacker sends from: its hosts' and its foothold references' (minus via)."""
    own = [host_senders(sem.model.hosts[h], setup) for h in hosts]
    return union_all(own + [sender_set(sem.resolver, setup, r) for r in refs])


def foothold_refs(setup: Setup) -> tuple[str, ...]:
    return tuple(sorted({foothold_text(fh) for fh in setup.footholds}))


def crossings(sem: Semantics, setup: Setup, hosts: frozenset[str], senders: IntervalSet) -> list[Crossing]:
    """For every outside host and every service a move could use: the exact decisions from `senders`."""
    t = targets_of(sem, setup)
    out = hosts | setup.via  # a via host can be taken by no move: it is no crossing either
    table: dict[tuple[str, str], Crossing] = {}
    # Untagged: cells are classes of addresses that every rule and zone treats alike, and the
    # owners index says which hosts each class reaches (see owners.py for why not host tags).
    # The region covers the set's own hosts too: their cells are skipped, the others are exact.
    sweep = sem.table.sweep(senders, t.dst, t.svc)
    reached: dict[int, list[tuple[str, tuple[str, ...]]]] = {}
    seen: set[tuple[int, int, RuleRef, tuple[RuleRef, ...]]] = set()
    for dst_key, svc_key, cell in sweep.keyed_cells():
        # A later source class with the same destinations, services and rule adds nothing:
        # the rule is noted already, and so is an allowed packet if the rule allows. The sweep
        # numbers its destination shares and service pieces, so equal keys tell repeats apart
        # without hashing ten thousand intervals.
        key = (dst_key, svc_key, cell.rule, cell.rules)  # rules: every layer's, when layered
        if key in seen:
            continue
        seen.add(key)
        if key[0] not in reached:
            met = (t.services[k] for k in t.owners.meeting(cell.dst))
            reached[key[0]] = [(host, names) for host, names in met if host not in out]
        hits = {s: hit for s, p in t.ports.items() if (hit := cell.svc.intersection(p))}
        for host, names in reached[key[0]]:
            for s in names:
                if s in hits:
                    crossing = table.get((host, s))
                    if crossing is None:
                        crossing = table[host, s] = Crossing(host, s)
                    _note(sem, crossing, cell, hits[s])
    outside = [(h, s) for h, names in t.services if h not in out for s in names]
    return [table[k] if k in table else Crossing(*k) for k in outside]


def _note(sem: Semantics, cr: Crossing, cell: Cell, hit: IntervalSet) -> None:
    """`cell` decides packets to the host on `hit` (part of the service)."""
    if cell.rules:  # with layers: the deciding rule of every layer that applies
        cr.rules.update(cell.rules)
    else:
        cr.rules.add(cell.rule)
    if cell.rule.action == "allow" and cr.allowed is None:
        address = readable_address(sem.model.hosts[cr.host].addresses.intersection(cell.dst))
        cr.allowed = (Packet(readable_source(cell.src, address), address, pick_svc(hit)), cell.rule)


def usable_logins(sem: Semantics, setup: Setup, credentials: frozenset[str], host: str) -> list[str]:
    if not credentials:  # asked at every login door out of a set; most sets hold no credential
        return []
    may = sem.principals.logins_among(credentials, sem.model.hosts[host])
    return sorted(c for c in may if usable(sem.principals, setup.profile, c))


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
    packet: tuple[BlockedReason, ...] = ("no-allowed-packet",)
    for cr in cross:
        host = sem.model.hosts[cr.host]
        rules = sort_rules(cr.rules)
        if exploitable(setup.profile, host, cr.service):
            out.append(Blocked("exploit", cr.host, cr.service, packet[0], rules, packet))
        if not is_login(sem.model, cr.service):
            continue
        cred = credential_wall(sem, setup, credentials, cr.host)
        if cred is None:
            out.append(Blocked("login", cr.host, cr.service, packet[0], rules, packet))
        elif cr.allowed is None:  # both walls stand
            out.append(Blocked("login", cr.host, cr.service, cred, rules, (*packet, cred)))
        else:
            out.append(Blocked("login", cr.host, cr.service, cred, (), (cred,)))
    return out


def credential_wall(
    sem: Semantics, setup: Setup, credentials: frozenset[str], host: str
) -> BlockedReason | None:
    """Why no held credential logs in on the host (None: one does); asked of every login door."""
    if not credentials:
        return "no-usable-credential"
    may = sem.principals.logins_among(credentials, sem.model.hosts[host])
    if any(usable(sem.principals, setup.profile, c) for c in may):
        return None
    return "mfa" if may else "no-usable-credential"  # may log in, and mfa stops every one
