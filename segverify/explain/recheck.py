"""Explain stage: decide a policy on the model with some controls failed, by the ordinary check.

Every what-if answer goes through `api.check` (Z3 decides, the reference semantics confirms
each witness and certificate), so explain adds no second decision procedure to trust.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from segverify import api
from segverify.encode.solve import Budget
from segverify.model.controls import Control, Variant, without
from segverify.model.ir import Model, Policy
from segverify.results import PolicyResult


@dataclass(frozen=True, slots=True)
class Recheck:
    variant: Variant
    result: PolicyResult


def recheck(model: Model, policy: Policy, failed: Iterable[Control], budget: Budget) -> Recheck:
    """The policy's verdict with `failed` controls failed (the policy alone, no waivers)."""
    variant = without(model, failed)
    (result,) = check_all(variant.model, (policy,), budget)
    return Recheck(variant, result)


def check_all(
    model: Model, policies: tuple[Policy, ...], budget: Budget, certificates: bool = True
) -> tuple[PolicyResult, ...]:
    """Several policies on one model in one check: they share its context and movement graph.

    `certificates=False` leaves the proofs' certificates to the caller's check (witnesses are
    always replayed): resilient accounts checks each one once, in the form it is reported.
    """
    options = api.CheckOptions(
        budget=budget, use_waivers=False, fork_self_checks=False, verify_certificates=certificates
    )
    return api.check(replace(model, policies=policies, waivers=()), options).results
