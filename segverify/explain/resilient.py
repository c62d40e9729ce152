"""Explain stage: decide `resilient` on a proved attack policy, for every choice.

`controls: K`: the margin search (margin.py) stops as soon as no set of K controls can hit
every core; that lower bound is confirmed without Z3 (hitting.py's answer is re-derived by
branching over the cores). `accounts: 1`: one check per distinct login footprint (the hosts an
account may log in on, whether its credentials are usable): accounts alike in both are the
same credential to the attacker, and their places (semantics/resilience.py) are the same.
Every choice is decided by `api.check` on its model, so each verdict is reference-checked.

A proved verdict carries `choices` (results.Choice), the evidence that covers every choice, in
the form semantics/cover.py checks: a certificate per login footprint (the accounts it covers
listed), and for controls either one certificate with every control failed or a tree of
certificates rooted at the base certificate, one per cited (load-bearing) control.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from segverify.analyses.base import Verdict, violated
from segverify.encode.solve import Budget
from segverify.errors import InternalError
from segverify.explain.margin import Search, no_hitting_set
from segverify.explain.recheck import check_all, recheck
from segverify.model.controls import Control, controls_of, sort_controls, without
from segverify.model.ir import Model, Policy
from segverify.results import (
    BlastWitness,
    Choice,
    ClosedSetCertificate,
    PathWitness,
    PolicyResult,
    ResilienceWitness,
    Status,
)
from segverify.semantics.cited import cited
from segverify.semantics.context import Semantics
from segverify.semantics.moves import usable
from segverify.semantics.resilience import bare, login_hosts, login_places, stolen
from segverify.semantics.verify import check_certificate


@dataclass(frozen=True, slots=True)
class Footprint:
    """Accounts that are one credential to the attacker: same login hosts, same usability."""

    accounts: tuple[str, ...]
    places: tuple[str, ...]


def resilience(
    model: Model, policy: Policy, base: Verdict, budget: Budget, sem: Semantics | None = None
) -> Verdict:
    """`base` (proved) unless some choice breaks the policy; then that choice's breach.

    `sem`: the check's reference tables, when it has them: its self-check then finds the
    accounts' places computed (semantics/resilience.places_of keeps them in `sem.memo`).
    """
    limit = policy.resilient
    if limit is None or base.status != Status.PROVED:
        return base
    if limit.accounts:
        found = _accounts(model, policy, budget, sem or Semantics(model))
        if found.status != Status.PROVED:
            return found
        base = replace(base, choices=found.choices)
    if limit.controls:
        return _controls(model, policy, limit.controls, budget, base)
    return base


def _controls(model: Model, policy: Policy, k: int, budget: Budget, base: Verdict) -> Verdict:
    search = Search(model, bare(policy), budget)
    margin = search.margin(at_most=k)
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
    return _control_choices(model, policy, k, base, search)


def _control_choices(model: Model, policy: Policy, k: int, base: Verdict, search: Search) -> Verdict:
    """`base` with the evidence for every choice of at most k failed controls (semantics/cover.py).

    The check with every control failed, when it proved, covers them all. Otherwise a tree: from
    the base certificate, for each control a node's certificate cites, the node with it failed
    too, down to k controls; the margin search has checked most of them already.
    """
    everything = search.proofs.get(sort_controls(controls_of(model)))
    if everything is not None:
        return replace(base, choices=(*base.choices, Choice(everything, every=True)))
    if not isinstance(base.certificate, ClosedSetCertificate):
        raise InternalError(f"{policy.id}: a proved attack policy without a closed set")
    nodes: dict[tuple[Control, ...], ClosedSetCertificate] = {(): base.certificate}
    queue: list[tuple[Control, ...]] = [()]
    while queue:
        failed = queue.pop(0)
        if len(failed) >= k:
            continue
        for control in cited(without(model, failed), nodes[failed]):
            wider = sort_controls((*failed, control))
            if control in failed or wider in nodes:
                continue
            cert = search.proofs.get(wider)
            if cert is None:
                result = search.check(wider).result
                if result.status == Status.VIOLATED:  # the margin said otherwise: trust the witness
                    return violated(_failed_breach(result, wider))
                cert = search.proofs.get(wider)
                if cert is None:
                    return Verdict(Status.UNKNOWN, reason=result.reason or "a re-check gave no verdict")
            nodes[wider] = cert
            queue.append(wider)
    found = tuple(Choice(cert, failed=failed) for failed, cert in nodes.items() if failed)
    return replace(base, choices=(*base.choices, *sorted(found, key=_choice_key)))


def _choice_key(choice: Choice) -> tuple[int, list[tuple[int, int, str, str, str]]]:
    return (len(choice.failed), [c.sort_key() for c in choice.failed])


def _failed_breach(result: PolicyResult, failed: tuple[Control, ...]) -> ResilienceWitness:
    w = result.witness
    if not isinstance(w, PathWitness | BlastWitness):
        raise InternalError(f"a breach with failed controls without an attack path ({type(w).__name__})")
    return ResilienceWitness(w, failed=failed)


def footprints(model: Model, policy: Policy, sem: Semantics | None = None) -> list[Footprint]:
    """Accounts grouped by login footprint; those with no place to log in from add nothing."""
    sem = sem or Semantics(model)
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


def _accounts(model: Model, policy: Policy, budget: Budget, sem: Semantics) -> Verdict:
    """Every footprint's choice as a policy of a shared check, in growing batches.

    Choices in one check share its context and movement graph; batches that double keep a
    breach among the first accounts cheap to find. The other accounts of a footprint get the
    first one's certificate, with their credential added, checked by the reference (no Z3).
    A proof carries one choice per certificate, each listing the accounts it covers.
    """
    found, start, size = footprints(model, policy, sem), 0, FIRST_BATCH
    gave_up = ""  # unknown, unless another choice breaks the policy
    choices: list[Choice] = []
    while start < len(found):
        batch, start, size = found[start : start + size], start + size, size * 2
        picks = tuple(
            replace(stolen(policy, fp.accounts[0], fp.places), id=f"{i:06d}") for i, fp in enumerate(batch)
        )
        # Their certificates are checked below, as reported (and again by the self-check).
        shared_checks = check_all(model, picks, budget, certificates=False)
        for fp, result in zip(batch, shared_checks, strict=True):  # ids keep the order
            account = fp.accounts[0]
            if result.status == Status.PROVED:
                account, result, covered = _alike(model, sem, policy, fp, result, budget)
                choices += covered
            if result.status == Status.VIOLATED:
                return violated(_breach(fp, account, result))
            if result.status == Status.UNKNOWN:
                gave_up = gave_up or f"{account} stolen: {result.reason}"
    if gave_up:
        return Verdict(Status.UNKNOWN, reason=gave_up)
    return Verdict(Status.PROVED, choices=tuple(sorted(choices, key=lambda c: c.accounts)))


def _alike(
    model: Model, sem: Semantics, policy: Policy, fp: Footprint, first: PolicyResult, budget: Budget
) -> tuple[str, PolicyResult, list[Choice]]:
    """The footprint's accounts: the first one's proof with all their credentials added, checked
    by the reference for each account (one closure, shared by their checks); an account it does
    not prove gets the first proof with its credential alone, or else its own check.

    A closed set may hold credentials beyond the foothold's, and the accounts of a footprint
    log in on the same hosts with equally usable credentials, so adding them all should keep
    it closed; it is checked all the same, never assumed. Returns the account decided last
    with its result (a breach, or the first proof) and, when all are proved, their choices.
    """
    cert = first.certificate
    if not isinstance(cert, ClosedSetCertificate):
        raise InternalError(f"{policy.id}: a proved attack policy without a closed set")
    merged = replace(cert, credentials=tuple(sorted({*cert.credentials, *fp.accounts})))
    failing = [a for a in fp.accounts if check_certificate(model, stolen(policy, a, fp.places), merged, sem)]
    shared = [a for a in fp.accounts if a not in failing]
    found = [Choice(merged, accounts=tuple(shared), places=fp.places)] if shared else []
    for other in failing:
        choice = stolen(policy, other, fp.places)
        moved = replace(cert, credentials=tuple(sorted({*cert.credentials, other})))
        if not check_certificate(model, choice, moved, sem):
            found.append(Choice(moved, accounts=(other,), places=fp.places))
            continue
        # The transfer failed: decide this account by its own check (never assume it).
        result = recheck(model, choice, (), budget).result
        if result.status != Status.PROVED:
            return other, result, []
        if not isinstance(result.certificate, ClosedSetCertificate):
            raise InternalError(f"{policy.id}: a proved attack policy without a closed set")
        found.append(Choice(result.certificate, accounts=(other,), places=fp.places))
    return fp.accounts[0], first, found


def _breach(fp: Footprint, account: str, result: PolicyResult) -> ResilienceWitness:
    w = result.witness
    if not isinstance(w, PathWitness | BlastWitness):
        raise InternalError(f"a stolen-account breach without an attack path ({type(w).__name__})")
    alike = tuple(a for a in fp.accounts if a != account)
    return ResilienceWitness(w, account=account, places=fp.places, alike=alike)
