"""Model stage: build policies (each kind's spec by its record in kinds/) and waivers from checked fields."""

from __future__ import annotations

from typing import cast

from segverify.kinds import KINDS
from segverify.model.fields import EXPLOITS
from segverify.model.ir import AttackerProfile, Exploits, Policy, Resilience, Severity, Waiver
from segverify.model.names import Context, close_hint
from segverify.model.read import Fields


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
        kind = next((k for k in KINDS if f.has(k)), None)
        body = f.object(kind) if kind else None
        if ident is None or kind is None or body is None:
            continue  # already reported by the reader
        out.append(
            Policy(
                id=ident.text,
                kind=kind,
                spec=KINDS[kind].build(ctx, body),
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
