"""Explain stage: decide `resilient` on a proved attack policy, for every choice.

`controls: K`: the margin search (margin.py) stops as soon as no set of K controls can hit
every core; that lower bound is confirmed without Z3 (hitting.py's answer is re-derived by
branching over the cores). `accounts: 1`: one check per distinct login footprint (the hosts an
account may log in on, whether its credentials are usable): accounts alike in both are the
same credential to the attacker, and their places (semantics/resilience.py) are the same.
Every choice is decided by `api.check` on its model, so each verdict is reference-checked.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from segverify.analyses.base import Verdict, violated
from segverify.encode.solve import Budget
from segverify.errors import InternalError
from segverify.explain.margin import Search, no_hitting_set
from segverify.explain.recheck import check_all, recheck
from segverify.model.ir import Model, Policy
from segverify.results import (
    BlastWitness,
    ClosedSetCertificate,
    PathWitness,
    PolicyResult,
    ResilienceWitness,
    Status,
)
from segverify.semantics.context import Semantics
from segverify.semantics.moves import usable
from segverify.semantics.resilience import bare, login_hosts, login_places, stolen
from segverify.semantics.verify import check_certificate


@dataclass(frozen=True, slots=True)
class Footprint:
    """Accounts that are one credential to the attacker: same login hosts, same usability."""

    accounts: tuple[str, ...]
    places: tuple[str, ...]


def resilience(model: Model, policy: Policy, base: Verdict, budget: Budget) -> Verdict:
    """`base` (proved) unless some choice breaks the policy; then that choice's breach."""
    limit = policy.resilient
    if limit is None or base.status != Status.PROVED:
        return base
    if limit.accounts:
        found = _accounts(model, policy, budget)
        if found.status != Status.PROVED:
            return found
    if limit.controls:
        return _controls(model, policy, limit.controls, budget, base)
    return base


def _controls(model: Model, policy: Policy, k: int, budget: Budget, base: Verdict) -> Verdict:
    margin = Search(model, bare(policy), budget).margin(at_most=k)
    if margin.status == "unknown":
        return Verdict(Status.UNKNOWN, reason=margin.reason)
    if margin.status == "exact":
        w = margin.witness
        if not isinstance(w, PathWitness | BlastWitness):
            raise InternalError(f"{policy.id}: a breach without an attack path")
        return violated(ResilienceWitness(w, failed=margin.controls))
    if margin.status == "above":
        below = no_hitting_set(margin.cores, k)
        if below is None:
            return Verdict(Status.UNKNOWN, reason=f"no {k} failed controls break it, not confirmed in budget")
        if not below:
            raise InternalError(f"{policy.id}: Z3 finds no {k} controls meeting every core, branching does")
    return base


def footprints(model: Model, policy: Policy) -> list[Footprint]:
    """Accounts grouped by login footprint; those with no place to log in from add nothing."""
    sem = Semantics(model)
    profile = model.attacker_for(policy)
    groups: dict[tuple[tuple[str, ...], bool], list[str]] = {}
    for account in model.accounts():
        key = (login_hosts(sem, account.name), usable(sem.principals, profile, account.name))
        groups.setdefault(key, []).append(account.name)
    found = [
        Footprint(tuple(sorted(names)), login_places(sem, sorted(names)[0])) for names in groups.values()
    ]
    return sorted((f for f in found if f.places), key=lambda f: f.accounts)


FIRST_BATCH = 4  # choices in the first shared check; each next batch is twice as large


def _accounts(model: Model, policy: Policy, budget: Budget) -> Verdict:
    """Every footprint's choice as a policy of a shared check, in growing batches.

    Choices in one check share its context and movement graph; batches that double keep a
    breach among the first accounts cheap to find. The other accounts of a footprint get the
    first one's certificate, with their credential added, checked by the reference (no Z3).
    """
    found, start, size = footprints(model, policy), 0, FIRST_BATCH
    sem, gave_up = Semantics(model), ""  # unknown, unless another choice breaks the policy
    while start < len(found):
        batch, start, size = found[start : start + size], start + size, size * 2
        choices = tuple(
            replace(stolen(policy, fp.accounts[0], fp.places), id=f"{i:06d}") for i, fp in enumerate(batch)
        )
        for fp, result in zip(batch, check_all(model, choices, budget), strict=True):  # ids keep the order
            account = fp.accounts[0]
            if result.status == Status.PROVED:
                account, result = _alike(model, sem, policy, fp, result, budget)
            if result.status == Status.VIOLATED:
                return violated(_breach(fp, account, result))
            if result.status == Status.UNKNOWN:
                gave_up = gave_up or f"{fp.accounts[0]} stolen: {result.reason}"
    return Verdict(Status.UNKNOWN, reason=gave_up) if gave_up else Verdict(Status.PROVED)


def _alike(
    model: Model, sem: Semantics, policy: Policy, fp: Footprint, first: PolicyResult, budget: Budget
) -> tuple[str, PolicyResult]:
    """The footprint's other accounts: the first one's proof transferred, or their own check."""
    cert = first.certificate
    for other in fp.accounts[1:]:
        choice = stolen(policy, other, fp.places)
        if isinstance(cert, ClosedSetCertificate):
            moved = replace(cert, credentials=tuple(sorted({*cert.credentials, other})))
            if not check_certificate(model, choice, moved, sem):
                continue
        # The transfer failed: decide this account by its own check (never assume it).
        own = recheck(model, choice, (), budget).result
        if own.status != Status.PROVED:
            return other, own
    return fp.accounts[0], first


def _breach(fp: Footprint, account: str, result: PolicyResult) -> ResilienceWitness:
    w = result.witness
    if not isinstance(w, PathWitness | BlastWitness):
        raise InternalError(f"a stolen-account breach without an attack path ({type(w).__name__})")
    alike = tuple(a for a in fp.accounts if a != account)
    return ResilienceWitness(w, account=account, places=fp.places, alike=alike)
