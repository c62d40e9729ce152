"""Lint stage: unused names (services, accounts, groups, tags), dead logins and sessions, unreached hosts."""

from __future__ import annotations

from collections.abc import Iterator

from segverify.lint.context import LintContext
from segverify.lint.findings import Finding, Subject
from segverify.lint.uses import Uses
from segverify.model.intervals import IntervalSet
from segverify.model.principals import Principals


def note(message: str, subject: Subject) -> Finding:
    return Finding("unused", "note", message, subject)


def unused_services(ctx: LintContext, uses: Uses) -> Iterator[Finding]:
    for s in ctx.model.services.values():
        if not s.builtin and s.name not in uses.services:
            yield note(
                f"service {s.name} is offered by no host and named by no rule or policy",
                Subject("service", s.name, s.span),
            )


def unused_principals(ctx: LintContext, uses: Uses, principals: Principals) -> Iterator[Finding]:
    for p in ctx.model.principals.values():
        if p.name in uses.principals or principals.groups_of[p.name] & uses.principals:
            continue
        what = "account" if p.kind == "account" else "group"
        yield note(
            f"{what} {p.name} (and every group it is in) is named in no logins, sessions or foothold",
            Subject(what, p.name, p.span),
        )


def unused_tags(ctx: LintContext, uses: Uses) -> Iterator[Finding]:
    carriers = [("zone", z.name, z.tags, z.span) for z in ctx.model.zones.values()]
    carriers += [("host", h.name, h.tags, h.span) for h in ctx.model.hosts.values()]
    seen: set[str] = set()
    for kind, name, tags, span in carriers:
        for tag in tags:
            if tag not in uses.tags and tag not in seen:
                seen.add(tag)
                yield note(
                    f"tag {tag} (on {kind} {name}) is used by no tag: reference", Subject("tag", tag, span)
                )


def dead_logins(ctx: LintContext, principals: Principals) -> Iterator[Finding]:
    """Logins for a group no account is in; sessions whose accounts may log in nowhere."""
    named = {p for h in ctx.model.hosts.values() for p in h.logins}
    can_log_in = {a for p in named for a in principals.accounts_in.get(p, ())}
    for h in ctx.model.hosts.values():
        for p in h.logins:
            if not principals.accounts_in.get(p):
                yield note(
                    f"host {h.name} grants logins to {p}, which has no member accounts",
                    Subject("host", h.name, h.span),
                )
        for p in h.sessions:
            accounts = principals.accounts_in.get(p, frozenset())
            if accounts and not accounts & can_log_in:
                yield note(
                    f"host {h.name} holds sessions of {p}, whose accounts may log in on no host",
                    Subject("host", h.name, h.span),
                )


def unreached_hosts(ctx: LintContext, reached: IntervalSet) -> Iterator[Finding]:
    """`reached`: every destination address of a packet some allow rule decides."""
    for h in ctx.model.hosts.values():
        if not h.addresses.intersects(reached):
            yield note(
                f"host {h.name}: no allow rule decides a packet to it (only defaults may reach it)",
                Subject("host", h.name, h.span),
            )


def unused(ctx: LintContext, uses: Uses, reached: IntervalSet) -> list[Finding]:
    principals = Principals(ctx.model)
    return [
        *unused_services(ctx, uses),
        *unused_principals(ctx, uses, principals),
        *unused_tags(ctx, uses),
        *dead_logins(ctx, principals),
        *unreached_hosts(ctx, reached),
    ]
