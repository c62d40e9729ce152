"""Model stage: the names a model defines, and the name checks the builder makes while it builds.

Zones and hosts share one namespace, accounts and groups another; services (built-in, defined,
or inline port specs) and policy ids have their own.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection, Iterable

from segverify.diagnostics import Diagnostic, Span
from segverify.model.intervals import IntervalSet, union_all
from segverify.model.ir import PrincipalKind, Service
from segverify.model.ports import PortSpecError, looks_like_port_spec, parse_port_spec
from segverify.model.read import Item


def close_hint(text: str, names: Iterable[str]) -> str:
    close = difflib.get_close_matches(text, sorted(names), n=1)
    return f"did you mean '{close[0]}'?" if close else ""


class Hints:
    """close_hint, computed once per text and collection of names.

    Finding the closest of 100,000 names takes up to seconds, and one name misspelt the same way
    in many places (a renamed group in every host's `logins`) would take it again at each. The
    builder's collections of names only grow, so an unchanged size means unchanged names.
    """

    def __init__(self) -> None:
        # The collection is kept with its hint so that its id cannot name another one meanwhile.
        self.known: dict[tuple[int, int, str], tuple[Collection[str], str]] = {}

    def __call__(self, text: str, names: Collection[str]) -> str:
        key = (id(names), len(names), text)
        if key not in self.known:
            self.known[key] = (names, close_hint(text, names))
        return self.known[key][1]


class Context:
    """Diagnostics and the names known so far; the builder fills it section by section."""

    def __init__(self, diags: list[Diagnostic]) -> None:
        self.diags = diags
        self.zones: set[str] = set()
        self.hosts: set[str] = set()
        self.services: dict[str, Service] = {}
        self.principals: dict[str, PrincipalKind] = {}
        self.policy_ids: set[str] = set()
        self.broken: set[str] = set()  # zones and hosts with a bad address: later checks skip them
        self.hint = Hints()

    def error(self, code: str, message: str, span: Span, hint: str = "", related: Span | None = None) -> None:
        self.diags.append(Diagnostic(code, message, span, hint, related))

    def unique(self, entries: Iterable[tuple[str, Span]], what: str) -> set[str]:
        """Names defined once; every later definition of a name is a duplicate citing the first."""
        first: dict[str, Span] = {}
        for name, span in entries:
            if name in first:
                self.error("duplicate-name", f"{what} '{name}' is defined twice", span, related=first[name])
            else:
                first[name] = span
        return set(first)

    def ports(self, items: Iterable[Item]) -> IntervalSet:
        """Service names, inline port specs and `any` as one set of svc integers."""
        return union_all(self.service_ports(i) for i in items)

    def service_ports(self, item: Item) -> IntervalSet:
        if item.text in self.services:
            return self.services[item.text].ports
        if looks_like_port_spec(item.text):
            try:
                return parse_port_spec(item.text)
            except PortSpecError as exc:
                self.error("bad-port", str(exc), item.span)
                return IntervalSet()
        self.error(
            "unknown-service",
            f"no service is named '{item.text}'",
            item.span,
            self.hint(item.text, self.services)
            or "define it under `services` or write a port spec such as tcp/8080",
        )
        return IntervalSet()

    def check_zone(self, item: Item) -> bool:
        if item.text in self.zones:
            return True
        what = "a host, not a zone" if item.text in self.hosts else "not a zone"
        self.error("dangling-ref", f"'{item.text}' is {what}", item.span, self.hint(item.text, self.zones))
        return False

    def check_principal(self, item: Item) -> bool:
        kind = self.principals.get(item.text)
        if kind is None:
            self.error(
                "unknown-principal",
                f"no account or group is named '{item.text}'",
                item.span,
                self.hint(item.text, self.principals),
            )
            return False
        return True
