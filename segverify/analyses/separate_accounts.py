"""Analyses stage: separate_accounts, decided from logins and sessions (no solver needed)."""

from __future__ import annotations

from segverify.analyses.base import Verdict, proved, violated
from segverify.encode.check import CheckContext
from segverify.model.ir import Policy, SeparateAccountsSpec
from segverify.results import AccountsCertificate, AccountsWitness

Place = tuple[str, str]  # (zone, host)


def account_places(
    ctx: CheckContext, zones: tuple[str, ...]
) -> tuple[dict[str, list[Place]], dict[str, list[Place]]]:
    """Per principal, the (zone, host) pairs where it may log in and where it leaves sessions.

    Principals are the accounts and the groups without a member account: such a group is
    granted logins and holds sessions all the same, and its next member inherits them.
    """
    logins: dict[str, list[Place]] = {}
    sessions: dict[str, list[Place]] = {}
    pr, empty = ctx.principals, ctx.principals.empty_groups_in
    for host in ctx.model.hosts.values():
        if host.zone not in zones:
            continue
        for a in pr.login_accounts(host) | {g for p in host.logins for g in empty.get(p, ())}:
            logins.setdefault(a, []).append((host.zone, host.name))
        for a in pr.session_accounts(host) | {g for p in host.sessions for g in empty.get(p, ())}:
            sessions.setdefault(a, []).append((host.zone, host.name))
    return {a: sorted(v) for a, v in logins.items()}, {a: sorted(v) for a, v in sessions.items()}


def _spanning(account: str, logins: list[Place], sessions: list[Place]) -> AccountsWitness | None:
    for z1, h1 in logins:
        for z2, h2 in logins:
            if z1 < z2:
                return AccountsWitness(account, (h1, h2), (z1, z2), "login")
    for zs, hs in sessions:
        for zl, hl in logins:
            if zs != zl:
                return AccountsWitness(account, (hs, hl), (zs, zl), "session")
    return None


def check_separate_accounts(ctx: CheckContext, policy: Policy) -> Verdict:
    spec = policy.spec
    assert isinstance(spec, SeparateAccountsSpec)
    logins, sessions = account_places(ctx, spec.zones)
    accounts = ctx.principals.account_names
    # Accounts first, then memberless groups, each by name (the reference's order).
    for account in sorted(set(logins) | set(sessions), key=lambda p: (p not in accounts, p)):
        witness = _spanning(account, logins.get(account, []), sessions.get(account, []))
        if witness is not None:
            return violated(witness)
    per_zone: dict[str, set[str]] = {z: set() for z in spec.zones}
    for table in (logins, sessions):
        for account, places in table.items():
            for zone, _ in places:
                per_zone[zone].add(account)
    return proved(AccountsCertificate(tuple((z, tuple(sorted(per_zone[z]))) for z in sorted(per_zone))))
