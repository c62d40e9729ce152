"""Engine stage: the movement graph: hosts, credentials, and which senders open which door.

A *door* is one way into a host: a service it offers that a login or an exploit can use.
A *unit* is something the attacker sends from: a host (once controlled) or a foothold
reference (always). Which source addresses open a door is decided by first match over
address atoms (atoms.py); encode.doors.allowed_sources_z3 answers the same question with the
Z3 packet layer, one query per source class, and serves as its cross-check in the tests.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from segverify.engine.atoms import EdgeIndex
from segverify.engine.memo import GraphKey, Memo, keep_latest
from segverify.model.intervals import IntervalSet, union_all
from segverify.model.ir import AccountFoothold, AttackerProfile, Foothold, Host, Model, RefFoothold
from segverify.model.principals import Principals
from segverify.model.refs import Resolver

DoorMove = Literal["login", "exploit"]
T = TypeVar("T")


@dataclass(frozen=True, slots=True, order=True)
class Door:
    host: str
    service: str
    move: DoorMove


SENDER = "\x00"  # keys of foothold senders: `at: h0` must not be mistaken for the host h0


@dataclass(frozen=True, slots=True)
class Unit:
    name: str  # a host name, or the text of a foothold reference
    addresses: IntervalSet
    is_host: bool  # hosts send once controlled; foothold senders always

    @property
    def key(self) -> str:
        """Hosts and foothold references live in one table, apart even when the texts are equal."""
        return self.name if self.is_host else SENDER + self.name


@dataclass
class AttackGraph:
    """What the attacker could do, before asking which of it happens."""

    hosts: tuple[str, ...]  # hosts the attacker may come to control (via hosts removed)
    foothold_hosts: frozenset[str]
    foothold_credentials: frozenset[str]
    senders: tuple[Unit, ...]  # foothold references the attacker sends from (hosts aside)
    foothold_refs: tuple[str, ...]  # every foothold reference as written, for certificates
    units: dict[str, Unit]
    unit_atoms: dict[str, int]  # the source atoms each unit (by key) sends from (a bit set)
    openers: dict[Door, int]  # the source atoms (of some unit) from which each door opens
    login_credentials: dict[str, frozenset[str]]  # usable accounts per host
    manages: dict[str, frozenset[str]]
    sessions: dict[str, frozenset[str]]  # empty when credential_theft is off
    profile: AttackerProfile
    excluded: frozenset[str] = field(default_factory=frozenset)

    def openers_of(self, door: Door) -> tuple[str, ...]:
        """The units that can open a door (sorted: foothold senders first, then hosts)."""
        mask = self.openers.get(door, 0)
        names = [n for n, atoms in self.unit_atoms.items() if atoms & mask and n != door.host]
        return tuple(sorted(names, key=lambda n: (self.units[n].is_host, n)))


@dataclass(frozen=True, slots=True)
class Context:
    """What the engine needs of one model, and the caches it keeps for it (memo.py).

    Plain Python only: the Z3 side of a check (packet variables, flow sets, budget, clauses)
    is encode.check.CheckContext, which extends this one.
    """

    model: Model
    resolver: Resolver
    principals: Principals
    index: EdgeIndex
    memo: Memo = field(default_factory=Memo)
    all_paths: bool = False  # violated isolated/only_via: a path to every reached target


def exploitable(host: Host, service: str, profile: AttackerProfile) -> bool:
    if profile.exploits == "none":
        return False
    return profile.exploits == "exposed" or service in host.vulnerable


def doors_of(ctx: Context, host: Host, profile: AttackerProfile) -> list[Door]:
    doors = []
    for s in host.services:
        if ctx.model.services[s].login:
            doors.append(Door(host.name, s, "login"))
        if exploitable(host, s, profile):
            doors.append(Door(host.name, s, "exploit"))
    return doors


def usable_credentials(ctx: Context, host: Host, profile: AttackerProfile) -> frozenset[str]:
    """Accounts whose credentials log in on `host`; MFA accounts only with mfa_bypass."""
    accounts = ctx.principals.login_accounts(host)
    if profile.mfa_bypass:
        return accounts
    return frozenset(a for a in accounts if not ctx.principals.has_mfa(a))


def build_graph(
    ctx: Context, footholds: tuple[Foothold, ...], profile: AttackerProfile, excluded: frozenset[str]
) -> AttackGraph:
    """The movement graph of one policy: the check's shared graph plus this policy's footholds."""
    res = ctx.resolver
    shared = shared_graph(ctx, (profile, excluded))
    banned = union_all(ctx.model.hosts[h].addresses for h in excluded)
    senders = _senders(res, footholds, banned)
    units = {u.key: u for u in senders} | shared.units
    unit_atoms = {u.key: ctx.index.src.mask(u.addresses) for u in senders} | shared.unit_atoms
    return dataclasses.replace(
        shared,
        foothold_hosts=frozenset(
            h for f in footholds if isinstance(f, RefFoothold) for h in res.hosts(f.ref) if h not in excluded
        ),
        # A group foothold holds every member account's credentials (a group has none of its own).
        foothold_credentials=frozenset(
            a
            for f in footholds
            if isinstance(f, AccountFoothold)
            for a in ctx.principals.accounts_of(f.account)
        ),
        senders=senders,
        foothold_refs=tuple(
            sorted({f.ref.text if isinstance(f, RefFoothold) else f.at.text for f in footholds})
        ),
        units=units,
        unit_atoms=unit_atoms,
    )


def shared_graph(ctx: Context, key: GraphKey) -> AttackGraph:
    """Hosts, doors and credentials for one attacker profile and one set of left-out hosts.

    A door's openers are every source atom it opens from, whoever sends: first match decides
    each atom on its own, so the openers from any set of senders are these masked by it.
    Leaving hosts out (only_via) removes them and their edges from the profile's graph.
    """
    profile, excluded = key
    graph = keep_latest(ctx.memo.graphs, profile, lambda: _shared_graph(ctx, profile))
    if not excluded:
        return graph
    return keep_latest(ctx.memo.trimmed, key, lambda: _without_hosts(ctx, graph, excluded))


def all_doors(ctx: Context, profile: AttackerProfile) -> list[Door]:
    """Every door of every host under a profile, sorted (certificates list those out of a set)."""
    m = ctx.model
    return keep_latest(
        ctx.memo.doors,
        profile,
        lambda: sorted(d for h in m.hosts for d in doors_of(ctx, m.hosts[h], profile)),
    )


def _without_hosts(ctx: Context, graph: AttackGraph, excluded: frozenset[str]) -> AttackGraph:
    def kept(table: dict[str, T]) -> dict[str, T]:
        return {h: v for h, v in table.items() if h not in excluded}

    # One rule for every sender (host, fleet, foothold): none sends from a left-out host's
    # addresses, so a fleet whose range holds a via host's address keeps only the rest of it.
    banned = union_all(ctx.model.hosts[h].addresses for h in excluded)
    units, unit_atoms = kept(graph.units), kept(graph.unit_atoms)
    for name, unit in units.items():
        if unit.addresses.intersects(banned):
            units[name] = Unit(name, unit.addresses.difference(banned), True)
            unit_atoms[name] = ctx.index.src.mask(units[name].addresses)
    return dataclasses.replace(
        graph,
        hosts=tuple(h for h in graph.hosts if h not in excluded),
        units=units,
        unit_atoms=unit_atoms,
        openers={d: mask for d, mask in graph.openers.items() if d.host not in excluded},
        login_credentials=kept(graph.login_credentials),
        manages={h: managed - excluded for h, managed in kept(graph.manages).items()},
        sessions=kept(graph.sessions),
        excluded=excluded,
    )


def _shared_graph(ctx: Context, profile: AttackerProfile) -> AttackGraph:
    m, res = ctx.model, ctx.resolver
    hosts = tuple(m.hosts)
    theft = profile.credential_theft
    # Each table depends on the hosts and at most one field of the profile: profiles that
    # agree on it share it, instead of rebuilding a table over every host per profile.
    table = ctx.memo.host_tables
    units = _table(table, "units", lambda: {h: Unit(h, m.hosts[h].addresses, True) for h in hosts})
    atoms = _table(table, "atoms", lambda: {h: ctx.index.src.mask(u.addresses) for h, u in units.items()})
    return AttackGraph(
        hosts=hosts,
        foothold_hosts=frozenset(),
        foothold_credentials=frozenset(),
        senders=(),
        foothold_refs=(),
        units=units,
        unit_atoms=atoms,
        openers=_table(table, ("openers", profile.exploits), lambda: _openers(ctx, profile)),
        login_credentials=_table(
            table,
            ("logins", profile.mfa_bypass),
            lambda: {h: usable_credentials(ctx, m.hosts[h], profile) for h in hosts},
        ),
        manages=_table(table, "manages", lambda: {h: res.hosts_of(m.hosts[h].manages) for h in hosts}),
        sessions=_table(
            table,
            ("sessions", theft),
            lambda: {h: ctx.principals.session_accounts(m.hosts[h]) if theft else frozenset() for h in hosts},
        ),
        profile=profile,
    )


def _table(tables: dict[object, Any], key: object, make: Callable[[], T]) -> T:
    if key not in tables:
        tables[key] = make()
    found: T = tables[key]
    return found


def _openers(ctx: Context, profile: AttackerProfile) -> dict[Door, int]:
    """Every door with a source that opens it: doors depend on the profile's exploits only."""
    openers = {}
    for host in ctx.model.hosts.values():
        for door in doors_of(ctx, host, profile):
            if mask := door_openers(ctx, door):
                openers[door] = mask
    return openers


def door_openers(ctx: Context, door: Door) -> int:
    """Every source atom from which some packet reaches the door's host on its service."""
    key = (door.host, door.service)
    if key not in ctx.memo.allowed:
        dst = ctx.model.hosts[door.host].addresses
        svc = ctx.model.services[door.service].ports
        mask = ctx.index.allowed(dst, svc)
        # Doors share a few distinct opener sets, each an integer of one bit per source atom:
        # one copy of each, not one per door.
        ctx.memo.allowed[key] = ctx.memo.masks.setdefault(mask, mask)
    return ctx.memo.allowed[key]


def _senders(res: Resolver, footholds: tuple[Foothold, ...], banned: IntervalSet) -> tuple[Unit, ...]:
    out: dict[str, IntervalSet] = {}
    for f in footholds:
        ref = f.ref if isinstance(f, RefFoothold) else f.at
        if isinstance(f, RefFoothold) and ref.text in res.model.hosts:
            continue  # a controlled foothold host sends from its own addresses already
        out[ref.text] = out.get(ref.text, IntervalSet()).union(res.addresses(ref).difference(banned))
    return tuple(Unit(name, addrs, False) for name, addrs in sorted(out.items()) if addrs)
