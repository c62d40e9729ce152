"""Lint stage: what the model's rules, hosts and policies refer to (for unused and unzoned)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass

from segverify.model.ir import AccountFoothold, MatrixCell, Model, NoFlowSpec, ReachableSpec, Ref
from segverify.model.refs import TAG_PREFIX


def policy_parts(model: Model) -> Iterator[object]:
    """Every value inside every policy spec, depth first (refs, footholds, cells, ...)."""
    stack: list[object] = [p.spec for p in model.policies]
    while stack:
        item = stack.pop()
        yield item
        if isinstance(item, tuple):
            stack.extend(item)
        elif dataclasses.is_dataclass(item) and not isinstance(item, type):
            stack.extend(getattr(item, f.name) for f in dataclasses.fields(item))


@dataclass(frozen=True, slots=True)
class Uses:
    refs: frozenset[str]  # reference texts in flows (of every layer), `manages` and policies
    flow_refs: frozenset[str]  # ... in flows and layers' applies_to only
    services: frozenset[str]  # service names hosts offer, flows and policies name
    principals: frozenset[str]  # in logins, sessions and account footholds
    tags: frozenset[str]  # tag names in `tag:` references anywhere


def _policy_uses(model: Model) -> tuple[set[str], set[str], set[str]]:
    refs: set[str] = set()
    services: set[str] = set()
    principals: set[str] = set()
    for item in policy_parts(model):
        if isinstance(item, Ref):
            refs.add(item.text)
        elif isinstance(item, AccountFoothold):
            principals.add(item.account)
        elif isinstance(item, ReachableSpec | MatrixCell):
            services.update(item.services)
        elif isinstance(item, NoFlowSpec):
            services.update(item.except_services)
    return refs, services, principals


def uses_of(model: Model) -> Uses:
    refs, services, principals = _policy_uses(model)
    flows = model.all_flows()  # every layer's rules
    flow_refs = {r.text for f in flows for r in (*f.sources, *f.destinations)}
    for layer in model.layers:  # a layer's applies_to scopes its rules: it counts as theirs
        flow_refs.update(r.text for r in (*(layer.applies_from or ()), *(layer.applies_to or ())))
    refs |= flow_refs | {m.text for h in model.hosts.values() for m in h.manages}
    services |= {s for f in flows for s in f.services}
    for h in model.hosts.values():
        services.update(h.services)
        principals.update(h.logins, h.sessions)
    tags = frozenset(t[len(TAG_PREFIX) :] for t in refs if t.startswith(TAG_PREFIX))
    return Uses(frozenset(refs), frozenset(flow_refs), frozenset(services), frozenset(principals), tags)
