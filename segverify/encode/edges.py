"""Encode stage: the movement graph, with every network edge decided by the Z3 packet layer.

A *door* is one way into a host: a service it offers that a login or an exploit can use.
A *unit* is something the attacker sends from: a host (once controlled) or a foothold
reference (always). For each door we ask which source addresses the first-match flows let
through. Sources are grouped into classes that no sliced rule and no zone tells apart, so
one solver query per class replaces one per host pair (10,000 hosts must not mean 10^8
queries).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from segverify.encode.context import PacketVars
from segverify.encode.flows import FlowSets, Region
from segverify.encode.packets import Found, RegionSolver
from segverify.encode.solve import Budget, Outcome
from segverify.model.intervals import IntervalSet, union_all
from segverify.model.ir import AccountFoothold, AttackerProfile, Foothold, Host, Model, RefFoothold
from segverify.model.principals import Principals
from segverify.model.refs import Resolver

DoorMove = Literal["login", "exploit"]


@dataclass(frozen=True, slots=True, order=True)
class Door:
    host: str
    service: str
    move: DoorMove


@dataclass(frozen=True, slots=True)
class Unit:
    name: str  # a host name, or the text of a foothold reference
    addresses: IntervalSet
    is_host: bool  # hosts send once controlled; foothold senders always


@dataclass
class AttackGraph:
    """What the attacker could do, before asking which of it happens."""

    hosts: tuple[str, ...]  # hosts the attacker may come to control (via hosts removed)
    foothold_hosts: frozenset[str]
    foothold_credentials: frozenset[str]
    senders: tuple[Unit, ...]  # foothold references the attacker sends from
    units: dict[str, Unit]
    openers: dict[Door, tuple[str, ...]]  # unit names that can open each door
    login_credentials: dict[str, frozenset[str]]  # usable accounts per host
    manages: dict[str, frozenset[str]]
    sessions: dict[str, frozenset[str]]  # empty when credential_theft is off
    profile: AttackerProfile
    excluded: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True, slots=True)
class Context:
    model: Model
    resolver: Resolver
    principals: Principals
    sets: FlowSets
    budget: Budget
    pv: PacketVars


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
) -> AttackGraph | Outcome:
    m, res = ctx.model, ctx.resolver
    banned = union_all(m.hosts[h].addresses for h in excluded)
    hosts = tuple(h for h in m.hosts if h not in excluded)
    senders = _senders(res, footholds, banned)
    units = {u.name: u for u in senders}
    units.update({h: Unit(h, m.hosts[h].addresses, True) for h in hosts})
    openers = _openers(ctx, hosts, list(units.values()), profile)
    if isinstance(openers, Outcome):
        return openers
    theft = profile.credential_theft
    return AttackGraph(
        hosts=hosts,
        foothold_hosts=frozenset(
            h for f in footholds if isinstance(f, RefFoothold) for h in res.hosts(f.ref) if h not in excluded
        ),
        foothold_credentials=frozenset(f.account for f in footholds if isinstance(f, AccountFoothold)),
        senders=senders,
        units=units,
        openers=openers,
        login_credentials={h: usable_credentials(ctx, m.hosts[h], profile) for h in hosts},
        manages={h: res.hosts_of(m.hosts[h].manages) - excluded for h in hosts},
        sessions={h: ctx.principals.session_accounts(m.hosts[h]) if theft else frozenset() for h in hosts},
        profile=profile,
        excluded=excluded,
    )


def _senders(res: Resolver, footholds: tuple[Foothold, ...], banned: IntervalSet) -> tuple[Unit, ...]:
    out: dict[str, IntervalSet] = {}
    for f in footholds:
        ref = f.ref if isinstance(f, RefFoothold) else f.at
        if isinstance(f, RefFoothold) and ref.text in res.model.hosts:
            continue  # a controlled foothold host sends from its own addresses already
        out[ref.text] = out.get(ref.text, IntervalSet()).union(res.addresses(ref).difference(banned))
    return tuple(Unit(name, addrs, False) for name, addrs in sorted(out.items()) if addrs)


def _openers(
    ctx: Context, hosts: tuple[str, ...], units: list[Unit], profile: AttackerProfile
) -> dict[Door, tuple[str, ...]] | Outcome:
    universe = union_all(u.addresses for u in units)
    openers: dict[Door, tuple[str, ...]] = {}
    allowed_cache: dict[tuple[str, str], IntervalSet] = {}
    for h in hosts:
        for door in doors_of(ctx, ctx.model.hosts[h], profile):
            key = (door.host, door.service)
            if key not in allowed_cache:
                allowed = allowed_sources(ctx, universe, door)
                if isinstance(allowed, Outcome):
                    return allowed
                allowed_cache[key] = allowed
            names = tuple(u.name for u in units if u.name != h and u.addresses.intersects(allowed_cache[key]))
            if names:
                openers[door] = names
    return openers


def door_region(ctx: Context, src: IntervalSet, door: Door) -> Region:
    host = ctx.model.hosts[door.host]
    return Region(src, host.addresses, ctx.model.services[door.service].ports)


def allowed_sources(ctx: Context, universe: IntervalSet, door: Door) -> IntervalSet | Outcome:
    """The source addresses from which some packet to the door is allowed."""
    region = door_region(ctx, universe, door)
    if region.is_empty():
        return IntervalSet()
    solver = RegionSolver(ctx.sets, region, ctx.budget, ctx.pv)
    allowed = IntervalSet()
    for cls in source_classes(ctx, solver, region):
        answer = solver.find(Region(cls, region.dst, region.svc), "allow")
        if isinstance(answer, Outcome):
            return answer
        if isinstance(answer, Found):
            allowed = allowed.union(cls)
    return allowed


def source_classes(ctx: Context, solver: RegionSolver, region: Region) -> list[IntervalSet]:
    """Partition region.src so that every sliced rule and every zone contains a class or misses it."""
    parts = [ctx.sets.src[f.index] for f in solver.chain.rules]
    parts += [z for z in ctx.resolver.zone_sets.values() if z.intersects(region.dst)]
    cuts = sorted({b for p in parts for b in p.boundaries()} | set(region.src.boundaries()))
    classes: dict[tuple[bool, ...], list[tuple[int, int]]] = {}
    for lo, nxt in zip(cuts, cuts[1:], strict=False):
        if lo in region.src:
            signature = tuple(lo in p for p in parts)
            classes.setdefault(signature, []).append((lo, nxt - 1))
    return [IntervalSet.of(v) for _, v in sorted(classes.items())]
