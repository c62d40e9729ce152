"""Synthesis stage: small random models for the differential sweep (engine against reference).

Seeded `random.Random` only (no Hypothesis), so a sweep of 100,000 models runs fast and any
model is rebuilt from its seed. Tiny /29 zones make rules, fleets and zones overlap often:
partial-overlap denies, addresses in no zone, fleets cut by CIDR rules, MFA, nested groups.
"""

from __future__ import annotations

import dataclasses
import random

from bench.synth.draft import Draft, refs
from segverify.kinds import policy_kinds
from segverify.model.intervals import IntervalSet
from segverify.model.ir import (
    AccountFoothold,
    Action,
    AttackerProfile,
    BlastRadiusSpec,
    Defaults,
    Foothold,
    IsolatedSpec,
    MatrixCell,
    MatrixSpec,
    Model,
    NoFlowSpec,
    OnlyViaSpec,
    Policy,
    PolicyKind,
    PolicySpec,
    ReachableSpec,
    Ref,
    RefFoothold,
    SeparateAccountsSpec,
)

SERVICES = ("ssh", "https", "smb", "tcp/8080", "app")
FLOW_SERVICES = ("ssh", "https", "smb", "tcp/8080", "app", "any", "tcp/1-1000", "icmp", "udp/53")
ACCOUNTS = ("a1", "a2", "a3")
GROUPS = ("g1", "g2")
ZONE_BASE = 10 << 24  # zone i is 10.0.0.(8i)/29


def random_small_model(rng: random.Random) -> Model:
    draft = Draft()
    draft.service("app", ("tcp/9000",), login=rng.random() < 0.5)
    zones = _zones(draft, rng)
    _principals(draft, rng)
    _hosts(draft, rng, zones)
    _flows(draft, rng)
    draft.defaults = Defaults(
        intra_zone=rng.choice(("allow", "deny")), inter_zone=rng.choice(("allow", "deny", "deny"))
    )
    picker = _Refs(draft, rng)
    for i in range(rng.randint(2, 6)):
        kind = rng.choice(policy_kinds())
        attacker = _profile(rng) if rng.random() < 0.3 else None
        draft.policies.append(Policy(f"P{i + 1}", kind, _spec(kind, picker, rng), attacker=attacker))
    return draft.model()


def _zones(draft: Draft, rng: random.Random) -> list[str]:
    names = [f"z{i}" for i in range(rng.randint(1, 3))]
    for i, name in enumerate(names):
        draft.zone(name, (f"10.0.0.{8 * i}/29",), tags=("t",) if rng.random() < 0.3 else ())
    if rng.random() < 0.8:
        draft.zone("internet", ("0.0.0.0/0",), external=True)
    if rng.random() < 0.3:
        draft.zone("partner", ("10.0.0.24/30",), external=True)
    return names


def _principals(draft: Draft, rng: random.Random) -> None:
    # g1 may sit in g2, never the other way round: membership stays acyclic as the spec requires.
    draft.group("g1", ("g2",) if rng.random() < 0.5 else ())
    draft.group("g2")
    for a in ACCOUNTS:
        member_of = tuple(g for g in GROUPS if rng.random() < 0.4)
        draft.account(a, member_of, mfa=rng.random() < 0.2)


def _hosts(draft: Draft, rng: random.Random, zones: list[str]) -> None:
    """Disjoint slots in each /29: a /30 fleet, a /31 fleet or single addresses."""
    principals = ACCOUNTS + GROUPS
    n = 0
    for i, zone in enumerate(zones):
        offset = 0
        # The first zone always gets a host: only_via needs one for `via`.
        while offset < 8 and n < 6 and (n == 0 or rng.random() < 0.7):
            prefix = rng.choice((32, 32, 31, 30)) if offset % 4 == 0 else 32
            services = tuple(s for s in SERVICES if rng.random() < 0.4)
            draft.host(
                f"h{n}",
                zone,
                ZONE_BASE + 8 * i + offset,
                prefix,
                services=services,
                logins=_some(rng, principals, 0.3),
                sessions=_some(rng, principals, 0.3),
                vulnerable=_some(rng, services, 0.3),
                tags=("t",) if rng.random() < 0.2 else (),
            )
            offset += 1 << (32 - prefix)
            n += 1
    hosts = list(draft.hosts)
    for name in hosts:
        if rng.random() < 0.15:
            target = rng.choice(hosts + zones)
            draft.hosts[name] = dataclasses.replace(draft.hosts[name], manages=refs([target]))


def _some(rng: random.Random, items: tuple[str, ...], p: float) -> tuple[str, ...]:
    return tuple(i for i in items if rng.random() < p)


def _flows(draft: Draft, rng: random.Random) -> None:
    picker = _Refs(draft, rng)
    for i in range(rng.randint(0, 6)):
        services = rng.sample(FLOW_SERVICES, rng.randint(1, 2))
        action: Action = "deny" if rng.random() < 0.4 else "allow"
        draft.flow(f"r{i + 1}", picker.many(), picker.many(), services, action)


class _Refs:
    """Random references: zones, hosts, `any`, tags and CIDRs that cut zones and fleets."""

    def __init__(self, draft: Draft, rng: random.Random) -> None:
        self.draft, self.rng = draft, rng
        self.zones = sorted(draft.zones)
        self.internal = sorted(z for z, v in draft.zones.items() if not v.external)
        self.hosts = sorted(draft.hosts)
        tagged = any("t" in z.tags for z in draft.zones.values()) or any(
            "t" in h.tags for h in draft.hosts.values()
        )
        self.pool = self.zones + self.hosts + ["any"] + (["tag:t"] if tagged else [])

    def one(self) -> str:
        if self.rng.random() < 0.2:
            prefix = self.rng.choice((27, 29, 30, 31, 32))
            start = self.rng.randrange(0, 32) >> (32 - prefix) << (32 - prefix)
            return f"10.0.0.{start}" + ("" if prefix == 32 else f"/{prefix}")
        return self.rng.choice(self.pool)

    def many(self) -> list[str]:
        return list(dict.fromkeys(self.one() for _ in range(self.rng.randint(1, 2))))

    def targets(self) -> list[str]:
        pool = self.hosts + self.internal
        return list(dict.fromkeys(self.rng.choice(pool) for _ in range(self.rng.randint(1, 2))))

    def ports(self, services: tuple[str, ...]) -> IntervalSet:
        return self.draft.ports(services)

    def footholds(self) -> tuple[Foothold, ...]:
        out: list[Foothold] = []
        for _ in range(self.rng.randint(1, 2)):
            if self.rng.random() < 0.3:
                out.append(AccountFoothold(self.rng.choice(ACCOUNTS), Ref(self.one())))
            else:
                out.append(RefFoothold(Ref(self.one())))
        return tuple(out)


def _profile(rng: random.Random) -> AttackerProfile:
    return AttackerProfile(
        exploits=rng.choice(("declared", "exposed", "none")),
        mfa_bypass=rng.random() < 0.5,
        credential_theft=rng.random() < 0.7,
    )


def _services(rng: random.Random) -> tuple[str, ...]:
    return tuple(rng.sample(FLOW_SERVICES, rng.randint(1, 2)))


def _spec(kind: PolicyKind, p: _Refs, rng: random.Random) -> PolicySpec:
    if kind == "isolated":
        return IsolatedSpec(p.footholds(), refs(p.targets()))
    if kind == "only_via":
        via = rng.sample(p.hosts, min(len(p.hosts), rng.randint(1, 2)))
        return OnlyViaSpec(p.footholds(), refs(p.targets()), refs(via))
    if kind == "reachable":
        svc = _services(rng)
        return ReachableSpec(refs(p.many()), refs(p.many()), svc, p.ports(svc))
    if kind == "no_flow":
        svc = _services(rng) if rng.random() < 0.6 else ()
        return NoFlowSpec(refs(p.many()), refs(p.many()), svc, p.ports(svc))
    if kind == "matrix":
        return _matrix(p, rng)
    if kind == "separate_accounts":
        return SeparateAccountsSpec(tuple(rng.sample(p.internal, min(len(p.internal), 2))))
    return BlastRadiusSpec(p.footholds(), rng.randint(0, 4))


def _matrix(p: _Refs, rng: random.Random) -> MatrixSpec:
    zones = tuple(rng.sample(p.zones, min(len(p.zones), rng.randint(2, 3))))
    cells = []
    for a in zones:
        for b in zones:
            if a != b and rng.random() < 0.4:
                svc = _services(rng)
                cells.append(MatrixCell(a, b, svc, p.ports(svc)))
    return MatrixSpec(zones, tuple(cells))
