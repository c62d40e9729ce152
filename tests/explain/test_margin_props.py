"""Explain: the margin, single points of failure and load-bearing controls against brute force.

The brute force decides every subset of the model's controls with the plain-Python reference
(semantics.policies.evaluate, no Z3) on the transformed model, so it shares neither the
engine nor the hitting-set search with what it checks.
"""

from __future__ import annotations

import itertools
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from segverify.explain.explain import explain
from segverify.model.controls import Control, controls_of, without
from segverify.model.ir import Model, Policy
from segverify.results import Status
from segverify.semantics.policies import evaluate
from tests.strategies import PROFILES, attack_policies_for, examples, model_and_attack, models

PROPS = settings(
    deadline=None,
    derandomize=True,
    max_examples=examples(25),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
)
MAX_CONTROLS = 12


@st.composite
def guarded(draw: st.DrawFn) -> tuple[Model, Policy]:
    """A random model whose defaults deny (so there are default controls to fail) and a policy."""
    model = draw(models())
    attacker = draw(PROFILES)
    defaults = replace(
        model.defaults,
        intra_zone=draw(st.sampled_from(("deny", "allow"))),
        inter_zone="deny",
        attacker=attacker,
    )
    model = replace(model, defaults=defaults)
    return model, draw(attack_policies_for(model))


def holds(model: Model, policy: Policy, failed: tuple[Control, ...]) -> bool:
    return evaluate(without(model, failed).model, policy)[0] == Status.PROVED


def brute_margin(model: Model, policy: Policy) -> int | None:
    """The fewest controls whose failure breaks the policy; None: no set does.

    Failures only widen the model, so when failing all of them keeps the policy, none does.
    """
    controls = controls_of(model)
    if holds(model, policy, controls):
        return None
    for size in range(len(controls) + 1):
        for chosen in itertools.combinations(controls, size):
            if not holds(model, policy, chosen):
                return size
    return None


def check_explanation(model: Model, policy: Policy) -> None:
    assume(len(controls_of(model)) <= MAX_CONTROLS)
    e = explain(model, policy)
    assume(e.result.status == Status.PROVED)
    margin = e.margin
    assert margin is not None
    expected = brute_margin(model, policy)
    if expected is None:
        assert margin.status == "unbreakable"
    else:
        assert (margin.status, margin.size) == ("exact", expected)
        assert not holds(model, policy, margin.controls)
    bearing = {c for c, _ in e.load_bearing}
    for point in e.single_points:
        assert point.control in bearing
        assert not holds(model, policy, (point.control,))
    points = {p.control for p in e.single_points}
    for c in controls_of(model):
        assert holds(model, policy, (c,)) == (c not in points)
        if c not in bearing:
            assert holds(model, policy, (c,))


@PROPS
@given(st.one_of(guarded(), model_and_attack()))
def test_margin_equals_brute_force(case: tuple[Model, Policy]) -> None:
    check_explanation(*case)


@pytest.mark.slow
@settings(PROPS, max_examples=examples(300))
@given(st.one_of(guarded(), model_and_attack()))
def test_margin_equals_brute_force_long(case: tuple[Model, Policy]) -> None:
    check_explanation(*case)
