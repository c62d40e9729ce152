"""Semantics stage: what a `resilient` policy's choices are, and the check of its witnesses.

A stolen account A is used from every place it can log in from: every zone holding an address
from which first match allows a packet to a login service of a host where A may log in (and
`any` when such an address lies in no zone). A zone stands for all its addresses: this widens
the places, so a `proved` stays sound. The choice is the policy with the foothold
`{account: A, at: PLACE}` added for each place.
"""

from __future__ import annotations

from dataclasses import replace

from segverify.model.addresses import ALL_ADDRESSES
from segverify.model.controls import without
from segverify.model.intervals import IntervalSet, union_all
from segverify.model.ir import (
    AccountFoothold,
    BlastRadiusSpec,
    Foothold,
    Host,
    IsolatedSpec,
    Model,
    OnlyViaSpec,
    Policy,
    PolicySpec,
    Ref,
)
from segverify.results import ResilienceWitness
from segverify.semantics.context import Semantics


def login_hosts(sem: Semantics, account: str) -> tuple[str, ...]:
    return tuple(h.name for h in sem.model.hosts.values() if sem.principals.may_log_in(account, h))


def login_places(sem: Semantics, account: str) -> tuple[str, ...]:
    """The zones (and `any`) the stolen account is used from, sorted."""
    return places_of(sem, login_hosts(sem, account))


def places_of(sem: Semantics, names: tuple[str, ...]) -> tuple[str, ...]:
    """The places of an account that may log in on the hosts `names` (they decide its places),
    kept per check in `sem.memo`: each is a sweep of the rules per zone and host."""
    key = ("login places", names)
    found = sem.memo.get(key)
    if found is None:
        found = sem.memo[key] = _places_of(sem, names)
    return found  # type: ignore[return-value]


def _places_of(sem: Semantics, names: tuple[str, ...]) -> tuple[str, ...]:
    hosts = [sem.model.hosts[h] for h in names]
    zones = sem.resolver.zone_sets
    nowhere = ALL_ADDRESSES.difference(union_all(zones.values()))
    places = [z for z in sorted(zones) if _logs_in(sem, zones[z], hosts)]
    return tuple(places + (["any"] if _logs_in(sem, nowhere, hosts) else []))


def _logs_in(sem: Semantics, sources: IntervalSet, hosts: list[Host]) -> bool:
    if not sources.intervals:
        return False
    for host in hosts:
        ports = union_all(sem.model.services[s].ports for s in host.services if sem.model.services[s].login)
        if ports.intervals and sem.table.find_packet(sources, host.addresses, ports, "allow") is not None:
            return True
    return False


def stolen(policy: Policy, account: str, places: tuple[str, ...]) -> Policy:
    """The policy (its `resilient` dropped) with the stolen account added as footholds."""
    extra: tuple[Foothold, ...] = tuple(AccountFoothold(account, Ref(p)) for p in places)
    return replace(bare(policy), spec=_with_footholds(policy.spec, extra))


def bare(policy: Policy) -> Policy:
    return replace(policy, resilient=None)


def _with_footholds(spec: PolicySpec, extra: tuple[Foothold, ...]) -> PolicySpec:
    if isinstance(spec, IsolatedSpec | OnlyViaSpec | BlastRadiusSpec):
        return replace(spec, footholds=spec.footholds + extra)
    raise TypeError(f"a {type(spec).__name__} has no footholds")


def chosen(model: Model, policy: Policy, w: ResilienceWitness) -> tuple[Model, Policy, list[str]]:
    """The model and policy of the witness's choice, and what is wrong with the choice itself."""
    errors, limit = [], policy.resilient
    if limit is None:
        return model, policy, ["the policy has no `resilient`"]
    if w.failed and (limit.controls is None or len(w.failed) > limit.controls):
        errors.append(f"{len(w.failed)} failed controls exceed resilient controls {limit.controls}")
    variant = without(model, w.failed).model
    if w.account is None:
        return variant, bare(policy), errors
    if limit.accounts is None or w.failed:
        errors.append("a stolen account needs `resilient: {accounts: 1}` and no failed controls")
    if w.account not in {a.name for a in model.accounts()}:
        return variant, bare(policy), errors + [f"{w.account} is not an account"]
    places = login_places(Semantics(model), w.account)
    if places != w.places:
        errors.append(f"{w.account} logs in from {list(places)}, not {list(w.places)}")
    return variant, stolen(policy, w.account, places), errors
