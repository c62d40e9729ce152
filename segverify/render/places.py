"""Render stage: the model line that enables each step of a finding, where an alert points.

A policy often lives in a shared pack the team does not own; the line to fix is in the team's
own model: the flow rule that lets a packet through, the host's `manages:` entry that hands
over control, the `sessions:` or `logins:` entry that hands over a credential, or the
account's `member_of:` entry that puts it in a group. SARIF and GitHub annotations anchor a
finding at the first such line of its witness (the first avoidable step) and list the policy
as a related location.
"""

from __future__ import annotations

from functools import cached_property
from typing import TypeGuard

from segverify.diagnostics import Span
from segverify.model.ir import Model
from segverify.model.packs import PACK_PREFIX
from segverify.model.principals import Principals
from segverify.model.refs import Resolver
from segverify.results import AccountsWitness, Hop, RuleRef


def usable(span: Span | None) -> TypeGuard[Span]:
    """A span that names a file of the repository and a line: built-ins and defaults have none,
    and a policy pack shipped inside segverify (`pack:NAME`) is not a file the user can edit."""
    return span is not None and span.line >= 1 and not span.file.startswith(("<", PACK_PREFIX))


class Places:
    """Where the steps of one model's witnesses were written. Without a model: rules only."""

    def __init__(self, model: Model | None = None) -> None:
        self.model = model

    @cached_property
    def _resolver(self) -> Resolver | None:
        return Resolver(self.model) if self.model is not None else None

    @cached_property
    def _principals(self) -> Principals | None:
        return Principals(self.model) if self.model is not None else None

    def rule(self, rule: RuleRef) -> Span | None:
        """A rule's line; for a default, the model's `defaults:` (where it is written at all)."""
        if usable(rule.span):
            return rule.span
        if rule.is_default and self.model is not None and usable(self.model.defaults.span):
            return self.model.defaults.span
        return None

    def hop(self, h: Hop) -> Span | None:
        """The line that enables this step, or None (a foothold is the policy's assumption).

        A packet a rule allows: the rule. Allowed by a default: the entry that opens the host
        (its `logins:` or `vulnerable:` line) is the more precise place, then `defaults:`."""
        if h.move in ("login", "exploit") and h.rule is not None and usable(h.rule.span):
            return h.rule.span
        if h.move in ("login", "exploit"):
            field, name = ("logins", h.credential) if h.move == "login" else ("vulnerable", h.service)
            entry = self._entry(h.to, field, name, exact=h.move == "exploit")
            return entry or (self.rule(h.rule) if h.rule is not None else None)
        if h.move == "manage":
            return self._manages(h.source, h.to)
        if h.move == "harvest":
            return self._entry(h.at, "sessions", h.credential)
        return None

    def grant(self, principal: str, host: str, field: str) -> Span | None:
        """Where `principal` gets its `logins`/`sessions` entry on `host`: the entry, or the
        account's `member_of` line of the group the entry names (the line that is one account's)."""
        entry = self._named(host, field, principal)
        if entry is None:
            return None
        name, span = entry
        return self._membership(principal, name) or span

    def accounts(self, w: AccountsWitness) -> list[Span]:
        """The two grants that put the principal in two zones, a membership first (see grant)."""
        fields = ("sessions" if w.reason == "session" else "logins", "logins")
        spans = [self.grant(w.principal, host, f) for host, f in zip(w.hosts, fields, strict=True)]
        found = [s for s in spans if s is not None and usable(s)]
        memberships = [s for s in found if self._is_membership(s)]
        return memberships + [s for s in found if s not in memberships]

    # ---- lookups -----------------------------------------------------------------------------

    def _entry(self, host: str | None, field: str, name: str | None, exact: bool = False) -> Span | None:
        if host is None or name is None:
            return None
        entry = self._named(host, field, name, exact)
        return entry[1] if entry is not None and usable(entry[1]) else None

    def _named(self, host: str, field: str, name: str, exact: bool = False) -> tuple[str, Span] | None:
        """The first `field` entry of `host` naming `name` (or, unless exact, a group it is in)."""
        if self.model is None or self._principals is None or host not in self.model.hosts:
            return None
        names = {name} if exact else {name} | self._principals.groups_of.get(name, frozenset())
        for entry_field, text, span in self.model.hosts[host].entry_spans:
            if entry_field == field and text in names:
                return text, span
        return None

    def _membership(self, account: str, group: str) -> Span | None:
        """The account's `member_of` line that leads to `group` (directly or through groups)."""
        if self.model is None or self._principals is None or account == group:
            return None
        p = self.model.principals.get(account)
        if p is None:
            return None
        for g, span in zip(p.member_of, p.member_spans, strict=False):
            if (g == group or group in self._principals.groups_of.get(g, frozenset())) and usable(span):
                return span
        return None

    def _is_membership(self, span: Span) -> bool:
        assert self.model is not None
        return any(span in p.member_spans for p in self.model.principals.values())

    def _manages(self, source: str | None, to: str | None) -> Span | None:
        if self.model is None or self._resolver is None or source is None or to is None:
            return None
        if source not in self.model.hosts:
            return None
        for ref in self.model.hosts[source].manages:
            if usable(ref.span) and to in self._resolver.hosts(ref):
                return ref.span
        return None
