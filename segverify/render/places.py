"""Render stage: the model line that enables each step of a finding, where an alert points.

A policy often lives in a shared pack the team does not own; the line to fix is in the team's
own model: the flow rule that lets a packet through, the host's `manages:` entry that hands
over control, the `sessions:` or `logins:` entry that hands over a credential, or the
account's `member_of:` entry that puts it in a group. SARIF and GitHub annotations anchor a
finding at the first such line of its witness (the first avoidable step) and list the policy
as a related location.

The model keeps a span per entity, not per list entry (a hundred thousand hosts would carry
their entries' spans for nothing); the few entries a report cites are read back from the
host's or account's own file, once per file, when a report is rendered.
"""

from __future__ import annotations

from functools import cached_property
from typing import TypeGuard

from segverify.diagnostics import Span
from segverify.errors import ModelError
from segverify.model.ir import Model
from segverify.model.packs import PACK_PREFIX
from segverify.model.principals import Principals
from segverify.model.refs import Resolver
from segverify.model.yamlio import YMap, YNode, YScalar, YSeq, read_yaml_file
from segverify.results import AccountsWitness, Hop, RuleRef


def usable(span: Span | None) -> TypeGuard[Span]:
    """A span that names a file of the repository and a line: built-ins and defaults have none,
    and a policy pack shipped inside segverify (`pack:NAME`) is not a file the user can edit."""
    return span is not None and span.line >= 1 and not span.file.startswith(("<", PACK_PREFIX))


class Places:
    """Where the steps of one model's witnesses were written. Without a model: rules only."""

    def __init__(self, model: Model | None = None) -> None:
        self.model = model
        self._sections: dict[tuple[str, str], dict[str, YNode]] = {}

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
        (its `logins:` or `vulnerable:` line) is the more precise place, then `defaults:`. With
        layers, `rule` may be a default while a later layer's rule opens the step: that rule."""
        if h.move in ("login", "exploit") and h.rule is not None and usable(h.rule.span):
            return h.rule.span
        layered = next((r.span for r in h.rules if usable(r.span)), None)
        if h.move in ("login", "exploit") and layered is not None:
            return layered
        if h.move in ("login", "exploit"):
            field, name = ("logins", h.credential) if h.move == "login" else ("vulnerable", h.service)
            entry = self._entry(h.to, field, name, exact=h.move == "exploit")
            return entry or (self.rule(h.rule) if h.rule is not None else None)
        if h.move == "manage":
            return self._manages(h.source, h.to)
        if h.move == "harvest":
            return self._entry(h.at, "sessions", h.credential)
        return None

    def accounts(self, w: AccountsWitness) -> list[Span]:
        """Where the principal is granted its place on each of the two hosts, memberships first.

        The grant is the host's `logins:`/`sessions:` entry, or, when that entry names a group,
        the account's `member_of:` line that puts it in the group: the line that is the
        account's own, where the entry serves every member."""
        fields = ("sessions" if w.reason == "session" else "logins", "logins")
        grants = []
        for host, field in zip(w.hosts, fields, strict=True):
            entry = self._named(host, field, w.principal)
            if entry is not None:
                membership = self._membership(w.principal, entry[0])
                grants.append((membership is None, membership or entry[1]))
        return [span for _, span in sorted(grants, key=lambda g: g[0])]

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
        where = self.model.hosts[host].span
        return next(((t, s) for t, s in self._written(where, "hosts", host, field) if t in names), None)

    def _membership(self, account: str, group: str) -> Span | None:
        """The account's `member_of` line that leads to `group` (directly or through groups)."""
        if self.model is None or self._principals is None or account == group:
            return None
        p = self.model.principals.get(account)
        if p is None or p.kind != "account":
            return None
        for g, span in self._written(p.span, "accounts", account, "member_of"):
            if g == group or group in self._principals.groups_of.get(g, frozenset()):
                return span
        return None

    def _written(self, where: Span, section: str, name: str, field: str) -> list[tuple[str, Span]]:
        """(text, span) of each item of `section: {name: {field: [...]}}` in the file of `where`."""
        if not usable(where):
            return []
        entry = self._section(where.file, section).get(name)
        value = entry.get(field) if isinstance(entry, YMap) else None
        items = value.items if isinstance(value, YSeq) else (value,) if value is not None else ()
        return [(str(i.value), i.span) for i in items if isinstance(i, YScalar) and usable(i.span)]

    def _section(self, file: str, section: str) -> dict[str, YNode]:
        """The entries of a top-level section of a file by name, read once per file."""
        key = (file, section)
        if key not in self._sections:
            try:
                tree: YNode | None = read_yaml_file(file)
            except ModelError:  # changed or gone since it was loaded: no place, the policy anchors
                tree = None
            for name in ("hosts", "accounts"):
                found = tree.get(name) if isinstance(tree, YMap) else None
                entries = found.entries if isinstance(found, YMap) else ()
                self._sections[(file, name)] = {str(k.value): v for k, v in entries}
        return self._sections.get(key, {})

    def _manages(self, source: str | None, to: str | None) -> Span | None:
        if self.model is None or self._resolver is None or source is None or to is None:
            return None
        if source not in self.model.hosts:
            return None
        for ref in self.model.hosts[source].manages:
            if usable(ref.span) and to in self._resolver.hosts(ref):
                return ref.span
        return None
