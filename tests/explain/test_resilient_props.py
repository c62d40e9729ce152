"""`resilient` verdicts against brute force: every set of K controls, every single stolen account.

The brute force decides each choice with the plain-Python reference (no Z3, no sharing of
work between accounts), on the model the choice describes.
"""

from __future__ import annotations

import itertools
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from segverify import api
from segverify.model.controls import controls_of, without
from segverify.model.ir import Model, Policy, Resilience
from segverify.results import ResilienceWitness, Status
from segverify.semantics.context import Semantics
from segverify.semantics.policies import evaluate
from segverify.semantics.resilience import bare, login_places, stolen
from tests.explain.test_margin_props import guarded
from tests.strategies import examples, model_and_attack

PROPS = settings(
    deadline=None,
    derandomize=True,
    max_examples=examples(20),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
)


def proved(model: Model, policy: Policy) -> bool:
    return evaluate(model, policy)[0] == Status.PROVED


def brute_controls(model: Model, policy: Policy, k: int) -> bool:
    controls = controls_of(model)
    return all(
        proved(without(model, chosen).model, bare(policy))
        for size in range(k + 1)
        for chosen in itertools.combinations(controls, size)
    )


def brute_accounts(model: Model, policy: Policy) -> bool:
    sem = Semantics(model)
    return proved(model, bare(policy)) and all(
        proved(model, stolen(policy, a.name, login_places(sem, a.name))) for a in model.accounts()
    )


def decided(model: Model, policy: Policy) -> api.PolicyResult:
    options = api.CheckOptions(use_waivers=False, fork_self_checks=False)
    (result,) = api.check(replace(model, policies=(policy,)), options).results
    return result


def check_resilient(case: tuple[Model, Policy], k: int, accounts: bool) -> None:
    model, policy = case
    assume(len(controls_of(model)) <= 10)
    policy = replace(policy, resilient=Resilience(controls=k or None, accounts=1 if accounts else None))
    result = decided(model, policy)  # witnesses and certificates are self-checked inside
    expected = brute_controls(model, policy, k) and (not accounts or brute_accounts(model, policy))
    assert result.status == (Status.PROVED if expected else Status.VIOLATED)
    if isinstance(result.witness, ResilienceWitness) and result.witness.failed:
        assert 0 < len(result.witness.failed) <= k


CASES = st.one_of(guarded(), model_and_attack())


@PROPS
@given(CASES, st.integers(0, 2), st.booleans())
def test_resilient_equals_brute_force(case: tuple[Model, Policy], k: int, accounts: bool) -> None:
    check_resilient(case, k, accounts)


@pytest.mark.slow
@settings(PROPS, max_examples=examples(300))
@given(CASES, st.integers(0, 2), st.booleans())
def test_resilient_equals_brute_force_long(case: tuple[Model, Policy], k: int, accounts: bool) -> None:
    check_resilient(case, k, accounts)
