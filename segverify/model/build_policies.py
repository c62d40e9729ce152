"""Model stage: build policies (one spec per kind) and waivers from checked fields."""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from segverify.model.fields import EXPLOITS, MATRIX_ARROW
from segverify.model.ir import (
    POLICY_KINDS,
    AccountFoothold,
    AttackerProfile,
    BlastRadiusSpec,
    Exploits,
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
    Resilience,
    SeparateAccountsSpec,
    Severity,
    Waiver,
)
from segverify.model.names import Context, close_hint
from segverify.model.read import Fields, Item


def attacker_profile(f: Fields | None, base: AttackerProfile) -> AttackerProfile:
    """Keys written in `f` override `base`; the rest are kept."""
    if f is None:
        return base
    exploits = f.text("exploits", base.exploits)
    assert exploits in EXPLOITS
    return AttackerProfile(
        exploits=cast(Exploits, exploits),
        mfa_bypass=f.flag("mfa_bypass", base.mfa_bypass),
        credential_theft=f.flag("credential_theft", base.credential_theft),
    )


def build_policies(ctx: Context, entries: list[Fields], base: AttackerProfile) -> tuple[Policy, ...]:
    out = []
    for f in entries:
        ident = f.item("id")
        kind = next((k for k in POLICY_KINDS if f.has(k)), None)
        body = f.object(kind) if kind else None
        if ident is None or kind is None or body is None:
            continue  # already reported by the reader
        out.append(
            Policy(
                id=ident.text,
                kind=kind,
                spec=SPEC_BUILDERS[kind](ctx, body),
                title=f.text("title"),
                severity=cast(Severity, f.text("severity", "high")),
                attacker=attacker_profile(f.object("attacker"), base) if f.has("attacker") else None,
                description=f.text("description"),
                span=f.span,
                resilient=_resilient(ctx, body.object("resilient")) if body.has("resilient") else None,
            )
        )
    return tuple(out)


def _resilient(ctx: Context, f: Fields | None) -> Resilience | None:
    if f is None:
        return None
    accounts = f.count("accounts")
    if accounts is not None and accounts != 1:
        ctx.error(
            "bad-value",
            f"resilient accounts is {accounts}; only 1 (any single stolen account) is supported",
            f.key_span("accounts"),
            "write `accounts: 1`",
        )
    return Resilience(controls=f.count("controls"), accounts=accounts)


def _footholds(ctx: Context, f: Fields) -> tuple[Foothold, ...]:
    footholds = f.footholds("from")
    for fh in footholds:
        if isinstance(fh, AccountFoothold):
            ctx.check_principal(Item(fh.account, fh.span))  # a group holds its members' credentials
    return footholds


def _isolated(ctx: Context, f: Fields) -> PolicySpec:
    return IsolatedSpec(_footholds(ctx, f), f.refs("to"))


def _only_via(ctx: Context, f: Fields) -> PolicySpec:
    return OnlyViaSpec(_footholds(ctx, f), f.refs("to"), f.refs("via"))


def _reachable(ctx: Context, f: Fields) -> PolicySpec:
    services = f.items("services")
    return ReachableSpec(f.refs("from"), f.refs("to"), tuple(s.text for s in services), ctx.ports(services))


def _no_flow(ctx: Context, f: Fields) -> PolicySpec:
    excepted = f.items("except")
    return NoFlowSpec(f.refs("from"), f.refs("to"), tuple(s.text for s in excepted), ctx.ports(excepted))


def _zones(ctx: Context, f: Fields) -> tuple[str, ...]:
    return tuple(dict.fromkeys(z.text for z in f.items("zones") if ctx.check_zone(z)))


def _matrix(ctx: Context, f: Fields) -> PolicySpec:
    zones = _zones(ctx, f)
    cells = []
    for key, services in f.cells("allow"):
        pair = _matrix_pair(ctx, key, zones)
        if pair is not None:
            names = tuple(s.text for s in services)
            cells.append(MatrixCell(pair[0], pair[1], names, ctx.ports(services), key.span))
    return MatrixSpec(zones, tuple(cells))


def _matrix_pair(ctx: Context, key: Item, zones: tuple[str, ...]) -> tuple[str, str] | None:
    parts = [p.strip() for p in key.text.split(MATRIX_ARROW)]
    if len(parts) != 2 or not all(parts):
        ctx.error(
            "bad-value",
            f"'{key.text}' is not a pair `zone -> zone`",
            key.span,
            "for example `corp-it -> production: [https]`",
        )
        return None
    for zone in parts:
        if zone not in zones:
            ctx.error(
                "bad-value",
                f"'{zone}' is not one of the matrix zones",
                key.span,
                close_hint(zone, zones) or "list it under the matrix `zones`",
            )
            return None
    if parts[0] == parts[1]:
        ctx.error(
            "bad-value", f"'{key.text}' pairs a zone with itself; the matrix covers distinct zones", key.span
        )
        return None
    return parts[0], parts[1]


def _separate_accounts(ctx: Context, f: Fields) -> PolicySpec:
    return SeparateAccountsSpec(_zones(ctx, f))


def _blast_radius(ctx: Context, f: Fields) -> PolicySpec:
    return BlastRadiusSpec(_footholds(ctx, f), f.count("max_hosts") or 0)


SPEC_BUILDERS: dict[PolicyKind, Callable[[Context, Fields], PolicySpec]] = {
    "isolated": _isolated,
    "only_via": _only_via,
    "reachable": _reachable,
    "no_flow": _no_flow,
    "matrix": _matrix,
    "separate_accounts": _separate_accounts,
    "blast_radius": _blast_radius,
}


def build_waivers(ctx: Context, entries: list[Fields]) -> tuple[Waiver, ...]:
    out = []
    for f in entries:
        policy, expires = f.item("policy"), f.date("expires")
        if policy is not None and policy.text not in ctx.policy_ids:
            ctx.error(
                "unknown-policy",
                f"no policy has the id '{policy.text}'",
                policy.span,
                close_hint(policy.text, ctx.policy_ids),
            )
        if policy is None or expires is None:
            continue
        out.append(Waiver(policy.text, f.text("reason"), expires, f.text("owner"), f.span))
    return tuple(out)
