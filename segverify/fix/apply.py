"""Fix stage: a set of changes applied to a model, as a new model (the original is untouched)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace

from segverify.fix.changes import Change
from segverify.model.intervals import union_all
from segverify.model.ir import Flow, Host, Model, Principal, Ref
from segverify.model.ports import service_ports
from segverify.model.refs import Resolver
from segverify.semantics.packets import compile_flows


def apply_changes(model: Model, changes: Iterable[Change]) -> Model:
    todo = sorted(set(changes))
    flows = _flows(model, todo)
    hosts = {name: _host(h, [c for c in todo if c.target == name]) for name, h in model.hosts.items()}
    mfa = {c.target for c in todo if c.kind == "require_mfa"}
    left = {(c.target, c.part) for c in todo if c.kind == "remove_member"}
    principals = {n: _principal(p, n in mfa, left) for n, p in model.principals.items()}
    return replace(model, flows=flows, hosts=hosts, principals=principals)


def _principal(p: Principal, mfa: bool, left: set[tuple[str, str]]) -> Principal:
    member_of = tuple(g for g in p.member_of if (p.name, g) not in left)
    return replace(p, mfa=p.mfa or (mfa and p.kind == "account"), member_of=member_of)


def _host(host: Host, changes: list[Change]) -> Host:
    if not changes:
        return host
    gone = {(c.kind, c.part) for c in changes}
    return replace(
        host,
        logins=tuple(p for p in host.logins if ("remove_login", p) not in gone),
        sessions=tuple(p for p in host.sessions if ("remove_session", p) not in gone),
        manages=tuple(r for r in host.manages if ("remove_manages", r.text) not in gone),
        vulnerable=tuple(s for s in host.vulnerable if ("patch_service", s) not in gone),
    )


def _flows(model: Model, changes: list[Change]) -> tuple[Flow, ...]:
    before = deny_positions(model, [c for c in changes if c.kind == "insert_deny"])
    deleted = {c.target for c in changes if c.kind == "delete_rule"}
    out: list[Flow] = []
    for flow in (*model.flows, None):
        out.extend(deny_rule(model, c) for c in before.get(None if flow is None else flow.index, ()))
        if flow is None or flow.name in deleted:
            continue
        narrowed = _narrow(
            model, flow, [c for c in changes if c.kind == "narrow_rule" and c.target == flow.name]
        )
        if narrowed is not None:
            out.append(narrowed)
    return tuple(replace(f, index=i) for i, f in enumerate(out))


def _narrow(model: Model, flow: Flow, changes: list[Change]) -> Flow | None:
    """The rule without the removed parts; None when a field is left empty (no rule at all)."""
    if not changes:
        return flow
    gone = {(c.narrow_field, c.narrow_value) for c in changes}
    sources = tuple(r for r in flow.sources if ("from", r.text) not in gone)
    destinations = tuple(r for r in flow.destinations if ("to", r.text) not in gone)
    services = tuple(s for s in flow.services if ("services", s) not in gone)
    if not (sources and destinations and services):
        return None
    ports = union_all(service_ports(model, s) for s in services)
    return replace(flow, sources=sources, destinations=destinations, services=services, ports=ports)


def deny_positions(model: Model, denies: Iterable[Change]) -> dict[int | None, list[Change]]:
    """Each deny goes just before the first original rule that meets its packets (None: last).

    There it denies every packet it names, whatever the rules below would say; placed any
    later it would deny fewer. Positions are taken in the original model, so they do not
    depend on which other changes are chosen.
    """
    resolver = Resolver(model)
    compiled = compile_flows(model, resolver)
    out: dict[int | None, list[Change]] = {}
    for c in sorted(denies):
        src, dst = resolver.addresses(c.deny_source), resolver.addresses(c.target)
        svc = service_ports(model, c.deny_service)
        first = next(
            (
                cf.flow.index
                for cf in compiled
                if cf.sources.intersects(src) and cf.destinations.intersects(dst) and cf.ports.intersects(svc)
            ),
            None,
        )
        out.setdefault(first, []).append(c)
    return out


def deny_rule_name(change: Change) -> str:
    raw = f"fix-deny-{change.deny_source}-to-{change.target}-{change.deny_service}"
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", raw)


def deny_rule(model: Model, change: Change) -> Flow:
    return Flow(
        index=0,
        name=deny_rule_name(change),
        sources=(Ref(change.deny_source),),
        destinations=(Ref(change.target),),
        services=(change.deny_service,),
        ports=service_ports(model, change.deny_service),
        action="deny",
        description="inserted by segverify fix",
    )
