"""Semantics stage: do a proved `resilient` policy's choices cover every choice? (no Z3)

`proved` on a `resilient` policy claims the policy for every choice, so its evidence is the
base certificate (no account stolen, no control failed) plus `choices` (results.Choice), and
this module checks, with the reference alone, that every choice is covered by a certificate
that checks. It is run by the self-check of every verdict and by `verify-certificate`.

accounts: 1. Every account with a place to log in from (resilience.login_places) is listed by
    exactly one choice whose `places` are that account's places, and the choice's certificate
    proves the policy with that account stolen (resilience.stolen: the policy's footholds plus
    `{account, at: PLACE}` for each place). One certificate may serve several accounts (one
    login footprint): it is checked once per account. An account that can log in from nowhere
    adds no foothold; the base certificate covers it.

controls: K, `every`. One certificate on the model with every control failed covers every
    choice. Failing fewer controls is never more permissive (model/controls.py): a deleted
    deny rule hands its packets to later rules or the default, which can only allow more; an
    opened default pair allows what no rule matches; an account without MFA is usable in more
    places. So the model of any choice allows a subset of the packets and credential uses of
    the all-failed model, the attacker's moves are monotone in both, and its least fixpoint on
    the choice's model lies inside the all-failed fixpoint, hence inside the closed set, which
    holds no target (for blast_radius: at most max_hosts hosts).

controls: K, a tree of certificates. A node is a set F of failed controls with a certificate
    on the model with F failed; the root F = {} is the base certificate. A node's certificate
    stays a proof when further controls fail none of which it cites (semantics/cited.py), so a
    choice S (at most K controls) is covered by a node F inside S when S - F holds no control
    F's certificate cites. The reference requires: every node's certificate checks on its
    model, and for every node F with fewer than K controls and every control c its certificate
    cites, F + {c} is a node. Then every S is covered: start at the root (inside S); while S - F
    meets a control c cited by F, F + {c} is inside S, has at most |S| <= K controls, so it is
    a node: move there. F grows inside S, so this ends at a node that covers S.
"""

from __future__ import annotations

from collections.abc import Sequence

from segverify.model.controls import Control, controls_of, sort_controls, without
from segverify.model.ir import Model, Policy
from segverify.results import Certificate, Choice, ClosedSetCertificate
from segverify.semantics.cited import cited
from segverify.semantics.context import Semantics
from segverify.semantics.resilience import bare, login_hosts, places_of, stolen
from segverify.semantics.verify import check_certificate


def cover_errors(
    model: Model,
    policy: Policy,
    base: Certificate | None,
    choices: Sequence[Choice],
    sem: Semantics | None = None,
) -> list[str]:
    """Every reason the choices do not cover every choice of the policy's `resilient` (empty: they do).

    `base` is the policy's own certificate, checked elsewhere (it is the root of the controls'
    tree). Each reason names the choice it is about.
    """
    sem = sem or Semantics(model)
    limit = policy.resilient
    if limit is None:
        return ["choices are given for a policy without `resilient`"] if choices else []
    stolen_ones = [c for c in choices if c.accounts]
    failing = [c for c in choices if not c.accounts]
    errors: list[str] = []
    if limit.accounts:
        errors += _account_errors(sem, policy, stolen_ones)
    elif stolen_ones:
        errors.append("stolen-account choices are given, but the policy has no `resilient: {accounts: 1}`")
    if limit.controls:
        errors += _control_errors(sem, policy, base, failing, limit.controls)
    elif failing:
        errors.append("failed-control choices are given, but the policy has no `resilient: {controls: K}`")
    return errors


def _account_errors(sem: Semantics, policy: Policy, choices: Sequence[Choice]) -> list[str]:
    need = _places(sem)
    errors, seen = [], set[str]()
    for choice in choices:
        if choice.failed or choice.every:
            errors.append(f"accounts {list(choice.accounts)} stolen: such a choice fails no control")
            continue
        for account in choice.accounts:
            what = f"account {account} stolen"
            if account not in need:
                errors.append(f"{what}: not an account of the model that can log in from anywhere")
                continue
            if account in seen:
                errors.append(f"{what}: listed by more than one choice")
            seen.add(account)
            if choice.places != need[account]:
                errors.append(f"{what}: it logs in from {list(need[account])}, not {list(choice.places)}")
            chosen = stolen(policy, account, need[account])
            errors += [f"{what}: {e}" for e in check_certificate(sem.model, chosen, choice.certificate, sem)]
    errors += [f"account {a} stolen: no certificate covers this choice" for a in sorted(set(need) - seen)]
    return errors


def _places(sem: Semantics) -> dict[str, tuple[str, ...]]:
    """Every account that can log in from somewhere, with its places (login_places), computed
    once per set of login hosts: an account's places depend on those hosts alone."""
    by_hosts: dict[tuple[str, ...], tuple[str, ...]] = {}
    found = {}
    for account in sem.model.accounts():
        hosts = login_hosts(sem, account.name)
        if hosts not in by_hosts:
            by_hosts[hosts] = places_of(sem, hosts)
        if by_hosts[hosts]:
            found[account.name] = by_hosts[hosts]
    return found


def failed_text(failed: Sequence[Control]) -> str:
    return ", ".join(c.label() for c in failed) if failed else "no control"


def _control_errors(
    sem: Semantics, policy: Policy, base: Certificate | None, choices: Sequence[Choice], k: int
) -> list[str]:
    model = sem.model
    every = [c for c in choices if c.every]
    if every:
        if len(choices) > 1:
            return ["the certificate with every control failed covers every choice alone: others are given"]
        variant = without(model, controls_of(model))
        found = check_certificate(variant.model, bare(policy), every[0].certificate)
        return [f"every control failed: {e}" for e in found]
    if not isinstance(base, ClosedSetCertificate):
        return ["the base certificate is not a closed set: it cannot root the controls' choices"]
    nodes, errors = _nodes(model, base, choices, k)
    for failed, cert in sorted(nodes.items(), key=lambda kv: (len(kv[0]), [c.sort_key() for c in kv[0]])):
        variant = without(model, failed)
        if failed:
            found = check_certificate(variant.model, bare(policy), cert, Semantics(variant.model))
            if found:  # its citations are not to be trusted: what it would cover stays uncovered
                errors += [f"{failed_text(failed)} failed: {e}" for e in found]
                continue
        if len(failed) >= k:
            continue
        for control in cited(variant, cert):
            wider = sort_controls((*failed, control))
            if control not in failed and wider not in nodes:
                errors.append(
                    f"{failed_text(wider)} failed: no certificate covers this choice"
                    f" (the certificate with {failed_text(failed)} failed cites {control.label()})"
                )
    return errors


def _nodes(
    model: Model, base: ClosedSetCertificate, choices: Sequence[Choice], k: int
) -> tuple[dict[tuple[Control, ...], ClosedSetCertificate], list[str]]:
    """The tree's nodes by their sorted failed controls, the base certificate at the root."""
    known = set(controls_of(model))
    errors: list[str] = []
    nodes: dict[tuple[Control, ...], ClosedSetCertificate] = {(): base}
    for choice in choices:
        failed = sort_controls(choice.failed)
        what = f"{failed_text(failed)} failed"
        if not failed or len(failed) != len(choice.failed) or len(failed) > k:
            errors.append(f"{what}: a choice fails 1 to {k} distinct controls")
        elif not set(failed) <= known:
            errors.append(f"{what}: not controls of the model")
        elif failed in nodes:
            errors.append(f"{what}: listed by more than one choice")
        else:
            nodes[failed] = choice.certificate
    return nodes, errors
