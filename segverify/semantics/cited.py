"""Semantics stage: the controls a closed-set certificate cites, with the moves each one blocks.

Soundness (what the margin relies on): let a certificate prove the policy on a model. Fail any
further controls none of which is cited here. Every boundary move stays blocked: a move blocked
by MFA names every held MFA account that may log in, and none lost its MFA; a move blocked for
want of a packet names every rule and default deciding a packet of its region (the reference
checks exactly these), none was deleted, and a default is cited for every zone pair its packets
can fall in (every zone the senders meet); a move blocked for want of a credential stays so,
since the set holds the same credentials. So the same closed set still proves the policy.
"""

from __future__ import annotations

from collections.abc import Iterable

from segverify.model.controls import Control, Variant, default_control, sort_controls
from segverify.model.intervals import union_all
from segverify.model.principals import Principals
from segverify.model.refs import Resolver
from segverify.results import Blocked, ClosedSetCertificate


def cited(variant: Variant, cert: ClosedSetCertificate) -> dict[Control, tuple[Blocked, ...]]:
    """Each control the certificate's boundary rests on, with the moves it blocks (sorted)."""
    model = variant.model
    resolver, principals = Resolver(model), Principals(model)
    zones = _sender_zones(resolver, cert)
    held = frozenset(cert.credentials)
    uses: dict[Control, list[Blocked]] = {}
    for b in cert.boundary:
        for c in _blocking(variant, principals, zones, held, b):
            uses.setdefault(c, []).append(b)
    return {c: tuple(uses[c]) for c in sort_controls(uses)}


def _sender_zones(resolver: Resolver, cert: ClosedSetCertificate) -> tuple[str, ...]:
    hosts = resolver.model.hosts
    senders = union_all(
        [resolver.addresses(r) for r in cert.senders] + [hosts[h].addresses for h in cert.hosts]
    )
    return tuple(z for z, s in sorted(resolver.zone_sets.items()) if s.intersects(senders))


def _blocking(
    variant: Variant, principals: Principals, zones: tuple[str, ...], held: frozenset[str], b: Blocked
) -> Iterable[Control]:
    model = variant.model
    if b.reason == "mfa":
        named = principals.login_accounts(model.hosts[b.to])
        return [Control("mfa", a) for a in sorted(held & named) if principals.has_mfa(a)]
    if b.reason != "no-allowed-packet":
        return []
    found: list[Control] = []
    target = model.hosts[b.to].zone
    for r in b.rules:
        if r.action != "deny":
            continue
        if r.index is not None:
            # A top-level deny rule is a control; an enforcement layer's rule is none (it cannot
            # fail: model/controls.py), and its index, numbered after the top level's, maps to none.
            control = variant.rules.get(r.index)
            found += [control] if control is not None else []
        elif "@" in r.name:
            continue  # a layer's default (default:inter_zone@LAYER): no control either
        elif r.name == "default:intra_zone":
            found += [default_control(True, target, target)] if target in zones else []
        else:
            found += [default_control(False, z, target) for z in zones if z != target]
    return found
