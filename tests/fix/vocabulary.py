"""Test helper: the whole change vocabulary of a model, listed (for brute force over the search).

The search never lists it: it meets changes through the witnesses they cut (cuts.py). Every
change the search can choose is in this list, so a brute force over it bounds the search.
"""

from __future__ import annotations

from collections.abc import Iterator

from segverify.fix.changes import Change, Costs, deny
from segverify.model.ir import Flow, Model


def vocabulary(model: Model, costs: Costs) -> list[Change]:
    return sorted(c for c in _all(model) if costs.allowed(c))


def _all(model: Model) -> Iterator[Change]:
    for flow in model.flows:
        if flow.action == "allow":
            yield Change("delete_rule", flow.name)
            yield from _narrowings(flow)
    places = sorted(model.hosts) + sorted(model.zones)
    for src in places:
        for dst in places:
            yield from (deny(src, dst, s) for s in (*model.services, "any"))
    for h in model.hosts.values():
        yield from (Change("remove_login", h.name, p) for p in h.logins)
        yield from (Change("remove_session", h.name, p) for p in h.sessions)
        yield from (Change("remove_manages", h.name, r.text) for r in h.manages)
        yield from (Change("patch_service", h.name, s) for s in h.vulnerable)
    for p in model.principals.values():
        if p.kind == "account" and not p.mfa:
            yield Change("require_mfa", p.name)
        yield from (Change("remove_member", p.name, g) for g in p.member_of)


def _narrowings(flow: Flow) -> Iterator[Change]:
    fields = (
        ("from", [r.text for r in flow.sources]),
        ("to", [r.text for r in flow.destinations]),
        ("services", list(flow.services)),
    )
    for name, parts in fields:
        if len(parts) > 1:
            yield from (Change("narrow_rule", flow.name, f"{name}:{p}") for p in parts)
