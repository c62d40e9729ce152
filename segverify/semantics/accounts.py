"""Semantics stage: separate_accounts, where each account may log in and leaves sessions among the zones."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from segverify.model.ir import SeparateAccountsSpec
from segverify.results import AccountsCertificate, AccountsWitness
from segverify.semantics.context import Semantics

Place = tuple[str, str]  # (zone, host)


@dataclass(frozen=True, slots=True)
class Spread:
    """One account's footprint in the listed zones, each list sorted by (zone, host)."""

    logins: tuple[Place, ...]
    sessions: tuple[Place, ...]


def spreads(sem: Semantics, spec: SeparateAccountsSpec) -> dict[str, Spread]:
    """Every principal's login and session places on hosts of the listed zones.

    Accounts (sorted), then the groups with no member account (sorted): a group is a principal
    too, and its next member would span what it spans. A group with members spans nothing its
    members do not, so only the empty ones need their own entry.
    """
    zones = set(spec.zones)
    pr = sem.principals
    names = sorted(a.name for a in sem.model.accounts()) + _empty_groups(sem)
    logins: dict[str, list[Place]] = {a: [] for a in names}
    sessions: dict[str, list[Place]] = {a: [] for a in names}
    # Host by host (each host's accounts, groups expanded), not account by account over every
    # host: that was accounts x hosts per policy.
    for h in sem.model.hosts.values():
        if h.zone in zones:
            for acc in pr.login_accounts(h) | _empty_named(sem, h.logins):
                logins[acc].append((h.zone, h.name))
            for acc in pr.session_accounts(h) | _empty_named(sem, h.sessions):
                sessions[acc].append((h.zone, h.name))
    return {a: Spread(tuple(sorted(logins[a])), tuple(sorted(sessions[a]))) for a in names}


def _empty_groups(sem: Semantics) -> list[str]:
    return sorted({g for gs in sem.principals.empty_groups_in.values() for g in gs})


def _empty_named(sem: Semantics, named: Iterable[str]) -> frozenset[str]:
    """The memberless groups that principals named in `logins` or `sessions` stand for."""
    table = sem.principals.empty_groups_in
    return frozenset(g for p in named for g in table.get(p, ()))


def account_witness(account: str, spread: Spread) -> AccountsWitness | None:
    """Logins in two zones first; else a session in one zone with a login in another."""
    first = spread.logins[0] if spread.logins else None
    if first is not None:
        other = next((p for p in spread.logins if p[0] != first[0]), None)
        if other is not None:
            return AccountsWitness(account, (first[1], other[1]), (first[0], other[0]), "login")
    for s in spread.sessions:
        login = next((p for p in spread.logins if p[0] != s[0]), None)
        if login is not None:
            return AccountsWitness(account, (s[1], login[1]), (s[0], login[0]), "session")
    return None


def violation(sem: Semantics, spec: SeparateAccountsSpec) -> AccountsWitness | None:
    """The first principal (accounts by name, then memberless groups) that spans two of the listed zones."""
    for acc, spread in spreads(sem, spec).items():
        found = account_witness(acc, spread)
        if found is not None:
            return found
    return None


def certificate(sem: Semantics, spec: SeparateAccountsSpec) -> AccountsCertificate:
    """Per listed zone (sorted), the principals (accounts, memberless groups) with logins or sessions."""
    per_zone: dict[str, set[str]] = {z: set() for z in spec.zones}
    for acc, spread in spreads(sem, spec).items():
        for zone, _ in spread.logins + spread.sessions:
            per_zone[zone].add(acc)
    return AccountsCertificate(tuple((z, tuple(sorted(per_zone[z]))) for z in sorted(per_zone)))
