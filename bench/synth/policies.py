"""Synthesis stage: policies of every kind and both designed polarities over the generated sites.

Sixteen families, one policy each per round: for every kind one that holds by construction
(hardened sites, or a matrix whose cells are read off the allow rules) and one that is
violated by construction (leaky sites: a vulnerable web tier, flat corp networks, shared
accounts, the quarantine deny that cuts a fleet). Rounds rotate over sites, so larger models
get more policies over different parts of the estate.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from bench.synth.draft import Draft, refs
from bench.synth.layout import Site
from segverify.model.intervals import IntervalSet
from segverify.model.ir import (
    SEVERITIES,
    AccountFoothold,
    AttackerProfile,
    BlastRadiusSpec,
    Foothold,
    IsolatedSpec,
    MatrixCell,
    MatrixSpec,
    NoFlowSpec,
    OnlyViaSpec,
    Policy,
    PolicyKind,
    PolicySpec,
    ReachableSpec,
    Ref,
    RefFoothold,
    SeparateAccountsSpec,
    Waiver,
)
from segverify.model.refs import Resolver

MATRIX_PLANES = ("corp", "srv", "mgmt", "dmz")


@dataclass
class Picker:
    """Chooses sites and hosts for round r; hardened and leaky sites are never empty."""

    draft: Draft
    hardened: list[Site]
    leaky: list[Site]
    resolver: Resolver
    _allows: list[tuple[IntervalSet, IntervalSet, tuple[str, ...]]] = field(default_factory=list)

    def allows(self) -> list[tuple[IntervalSet, IntervalSet, tuple[str, ...]]]:
        """(sources, destinations, services) of every allow rule, resolved once."""
        if not self._allows:
            res = self.resolver
            self._allows = [
                (res.addresses_of(f.sources), res.addresses_of(f.destinations), f.services)
                for f in self.draft.flows
                if f.action == "allow"
            ]
        return self._allows

    def h(self, r: int) -> Site:
        return self.hardened[r % len(self.hardened)]

    def leak(self, r: int) -> Site:
        return self.leaky[r % len(self.leaky)]

    def ports(self, services: tuple[str, ...]) -> IntervalSet:
        return self.draft.ports(services)


Made = tuple[PolicyKind, PolicySpec, str, AttackerProfile | None]
Family = Callable[[Picker, int], Made]


def foothold(text: str) -> tuple[Foothold, ...]:
    return (RefFoothold(Ref(text)),)


def _iso_internet_mgmt(p: Picker, r: int) -> Made:
    s = p.h(r)
    spec = IsolatedSpec(foothold("internet"), refs([s.zone("mgmt")]))
    return "isolated", spec, f"The internet cannot take over {s.name}'s management hosts", None


def _iso_ws_db(p: Picker, r: int) -> Made:
    s = p.leak(r)
    ws, db = s.workstations[r % len(s.workstations)], s.apps[0].db
    spec = IsolatedSpec(foothold(ws), refs([db]))
    return "isolated", spec, f"A compromised workstation cannot reach {db}", AttackerProfile(mfa_bypass=True)


def _iso_stolen_user(p: Picker, r: int) -> Made:
    s = p.h(r)
    feet: tuple[Foothold, ...] = (AccountFoothold(s.users[r % len(s.users)], Ref("internet")),)
    spec = IsolatedSpec(feet, refs([s.zone("srv")]))
    return "isolated", spec, f"A stolen {s.name} user account is no use from the internet", None


def _iso_helpdesk(p: Picker, r: int) -> Made:
    s = p.leak(r)
    feet: tuple[Foothold, ...] = (AccountFoothold("helpdesk-1", Ref(s.zone("corp"))),)
    spec = IsolatedSpec(feet, refs([s.zone("srv")]))
    return "isolated", spec, f"A stolen helpdesk account cannot take over {s.name}'s servers", None


def _via_hold(p: Picker, r: int) -> Made:
    s = p.h(r)
    spec = OnlyViaSpec(
        foothold(s.zone("corp")), refs(a.db for a in s.apps if a.crown), refs([s.named("jump")])
    )
    return "only_via", spec, f"{s.name} corp reaches its crown jewels only through the jump host", None


def _via_broken(p: Picker, r: int) -> Made:
    s = p.leak(r)
    spec = OnlyViaSpec(foothold(s.zone("corp")), refs([s.apps[0].db]), refs([s.named("jump")]))
    return "only_via", spec, f"{s.name} corp reaches {s.apps[0].db} only through the jump host", None


def _reach_monitoring(p: Picker, r: int) -> Made:
    s = p.h(r)
    svc = ("node-exporter",)
    spec = ReachableSpec(refs([s.named("mon")]), refs([s.zone("srv")]), svc, p.ports(svc))
    return "reachable", spec, f"Monitoring scrapes every {s.name} server", None


def _reach_erp(p: Picker, r: int) -> Made:
    s, hq = p.leak(r), p.h(0)
    svc = ("erp",)
    spec = ReachableSpec(refs([s.zone("corp")]), refs([hq.zone("srv")]), svc, p.ports(svc))
    return "reachable", spec, f"All of {s.name} corp reaches the ERP at headquarters", None


def _noflow_internet(p: Picker, r: int) -> Made:
    s = p.h(r)
    spec = NoFlowSpec(refs(["internet"]), refs([s.zone("mgmt")]))
    return "no_flow", spec, f"Nothing flows from the internet to {s.name} management", None


def _noflow_corp_mgmt(p: Picker, r: int) -> Made:
    s = p.leak(r)
    allowed = ("ssh", "jump-ssh")
    spec = NoFlowSpec(refs([s.zone("corp")]), refs([s.zone("mgmt")]), allowed, p.ports(allowed))
    return "no_flow", spec, f"{s.name} corp opens only SSH into management", None


def _matrix_hold(p: Picker, r: int) -> Made:
    s = p.h(r)
    return "matrix", matrix_spec(p, s, drop=()), f"{s.name} zone matrix", None


def _matrix_broken(p: Picker, r: int) -> Made:
    s = p.leak(r)
    spec = matrix_spec(p, s, drop=("ssh", "jump-ssh"))
    return "matrix", spec, f"{s.name} zone matrix without jump-host access", None


def _separate_hold(p: Picker, r: int) -> Made:
    a, b = p.h(r), p.h(r + 1)
    zones = (a.zone("srv"), b.zone("srv")) if a is not b else (a.zone("srv"), a.zone("dmz"))
    return "separate_accounts", SeparateAccountsSpec(zones), "Server accounts are separate", None


def _separate_broken(p: Picker, r: int) -> Made:
    s = p.leak(r)
    zones = (s.zone("corp"), s.zone("lab"))
    return "separate_accounts", SeparateAccountsSpec(zones), f"{s.name} lab accounts are separate", None


def _blast_dmz(p: Picker, r: int) -> Made:
    s = p.h(r)
    spec = BlastRadiusSpec(foothold(s.dmz[r % len(s.dmz)]), 2)
    profile = AttackerProfile(credential_theft=False)
    return "blast_radius", spec, f"A compromised {s.name} DMZ host stays contained", profile


def _blast_ws(p: Picker, r: int) -> Made:
    s = p.leak(r)
    spec = BlastRadiusSpec(foothold(s.workstations[(r + 1) % len(s.workstations)]), 3)
    return "blast_radius", spec, f"A compromised {s.name} workstation reaches at most 3 hosts", None


FAMILIES: tuple[Family, ...] = (
    _iso_internet_mgmt,
    _iso_ws_db,
    _iso_stolen_user,
    _iso_helpdesk,
    _via_hold,
    _via_broken,
    _reach_monitoring,
    _reach_erp,
    _noflow_internet,
    _noflow_corp_mgmt,
    _matrix_hold,
    _matrix_broken,
    _separate_hold,
    _separate_broken,
    _blast_dmz,
    _blast_ws,
)
HOLDS = tuple(i % 2 == 0 for i in range(len(FAMILIES)))  # even families hold by design, odd ones fail


def matrix_spec(p: Picker, site: Site, drop: tuple[str, ...]) -> MatrixSpec:
    """Cells read off the allow rules (every allowed pair's services), minus `drop`: then it holds."""
    res, zones = p.resolver, tuple(site.zone(x) for x in MATRIX_PLANES)
    cells: dict[tuple[str, str], list[str]] = {}
    for src, dst, services in p.allows():
        for a in zones:
            if not src.intersects(res.zone_sets[a]):
                continue
            for b in zones:
                if a != b and dst.intersects(res.zone_sets[b]):
                    cell = cells.setdefault((a, b), [])
                    cell.extend(s for s in services if s not in cell and s not in drop)
    allow = tuple(MatrixCell(a, b, tuple(v), p.ports(tuple(v))) for (a, b), v in sorted(cells.items()) if v)
    return MatrixSpec(zones, allow)


def add_policies(draft: Draft, sites: list[Site], count: int) -> None:
    model = draft.model()
    picker = Picker(draft, [s for s in sites if not s.leaky], [s for s in sites if s.leaky], Resolver(model))
    for i in range(count):
        kind, spec, title, attacker = FAMILIES[i % len(FAMILIES)](picker, i // len(FAMILIES))
        draft.policies.append(Policy(f"SYN-{i + 1:03d}", kind, spec, title, SEVERITIES[i % 4], attacker))
    waived = draft.policies[13].id if count > 13 else None
    if waived:
        reason = "Shared lab account, removal tracked in LAB-7"
        draft.waivers.append(Waiver(waived, reason, date(2099, 12, 31), "it-ops"))


def designed_to_hold(policy_index: int) -> bool:
    """The designed polarity of policy SYN-(index+1)."""
    return HOLDS[policy_index % len(FAMILIES)]
