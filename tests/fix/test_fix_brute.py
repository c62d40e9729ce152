"""`fix` against brute force on small random models: its answer fixes every targeted policy,
keeps every held policy and business flow, and no cheaper set of candidate changes does.

The default costs (1 to 3 by kind), so a missed cheap cut shows as a dearer answer; the services
catalog is cut down to the services the model uses, so the vocabulary stays small.
"""

from __future__ import annotations

from dataclasses import replace
from itertools import combinations

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from segverify.fix.apply import apply_changes
from segverify.fix.changes import Change, Costs
from segverify.fix.flows import Keeper, business_boxes
from segverify.fix.search import FixOptions, find_fix
from segverify.model.ir import BlastRadiusSpec, Model, Policy
from segverify.results import Status
from segverify.semantics.policies import evaluate
from tests.fix.vocabulary import vocabulary
from tests.strategies import attack_policies_for, examples, models, policies_for

COSTS = Costs()
MAX_SUBSETS = 4000  # checked one by one by the reference: keeps an example under a few seconds


def _used_services(model: Model) -> Model:
    used = {s for h in model.hosts.values() for s in h.services}
    used |= {s for f in model.flows for s in f.services if s in model.services}
    for p in model.policies:
        used |= {s for s in getattr(p.spec, "services", ()) if s in model.services}
        used |= {s for s in getattr(p.spec, "except_services", ()) if s in model.services}
        used |= {s for c in getattr(p.spec, "allow", ()) for s in c.services if s in model.services}
    return replace(model, services={k: v for k, v in model.services.items() if k in used})


@st.composite
def small_cases(draw: st.DrawFn) -> Model:
    model = draw(models(max_hosts=5, max_flows=5))
    picked = [draw(policies_for(model)) for _ in range(draw(st.integers(1, 2)))]
    policies = tuple(replace(p, id=f"P-{i}") for i, p in enumerate(picked))
    return _used_services(replace(model, policies=policies))


@st.composite
def attack_cases(draw: st.DrawFn) -> Model:
    """Attack policies only (a blast_radius one learns "cut k - max_hosts paths"), one of them
    twice under two ids (the oracle asks the same question once, both must be fixed)."""
    model = draw(models(max_hosts=5, max_flows=5))
    picked = [draw(attack_policies_for(model)) for _ in range(draw(st.integers(1, 2)))]
    picked.append(picked[0])
    policies = tuple(replace(p, id=f"P-{i}") for i, p in enumerate(picked))
    return _used_services(replace(model, policies=policies))


@st.composite
def blast_cases(draw: st.DrawFn) -> Model:
    """One blast_radius policy with a small bound (often violated, often by several hosts)."""
    model = draw(models(max_hosts=5, max_flows=5))
    policy = draw(attack_policies_for(model))
    assume(isinstance(policy.spec, BlastRadiusSpec))
    spec = replace(policy.spec, max_hosts=draw(st.integers(1, 3)))
    return _used_services(replace(model, policies=(replace(policy, id="P-0", spec=spec),)))


def fixes(model: Model, targets: list[Policy], keeper: Keeper, changes: frozenset[Change]) -> bool:
    """Every target holds on the changed model (the reference decides) and every flow passes."""
    changed = apply_changes(model, changes)
    if any(evaluate(changed, p)[0] != Status.PROVED for p in targets):
        return False
    return keeper.first_denied(changes) is None


def check_against_brute_force(model: Model, max_size: int) -> None:
    result = find_fix(model, FixOptions(costs=COSTS))
    assume(result.status in ("fixed", "infeasible"))
    targets = [p for p in model.policies if p.id in result.targets]
    held = [p for p in model.policies if p.id not in result.targets]
    keeper = Keeper(model, business_boxes(model, held))
    universe = vocabulary(model, COSTS)
    if result.status == "infeasible":
        # With no flow to keep, "no fix" means even every change at once fixes nothing.
        assume(not keeper.boxes)
        assert not fixes(model, targets, keeper, frozenset(universe))
        return
    found = result.fixes[0]
    assert result.lower_bound == found.cost
    # The answer: every policy holds on the changed model, by the reference.
    changed = apply_changes(model, found.changes)
    assert all(evaluate(changed, p)[0] == Status.PROVED for p in model.policies)
    assert keeper.first_denied(frozenset(found.changes)) is None
    # Nothing cheaper: every cheaper subset of the vocabulary fails (subsets of up to max_size
    # changes: their number grows as the vocabulary to that power).
    assert set(found.changes) <= set(universe)
    cheaper = [
        frozenset(subset)
        for size in range(max_size + 1)
        for subset in combinations(universe, size)
        if sum(COSTS.cost(c) for c in subset) < found.cost
    ]
    assume(len(cheaper) <= MAX_SUBSETS)
    for subset in cheaper:
        assert not fixes(model, targets, keeper, subset), sorted(subset)


@settings(max_examples=examples(12), deadline=None, suppress_health_check=list(HealthCheck))
@given(small_cases())
def test_fix_is_minimal_and_keeps_flows(model: Model) -> None:
    check_against_brute_force(model, max_size=1)


@settings(max_examples=examples(12), deadline=None, suppress_health_check=list(HealthCheck))
@given(attack_cases())
def test_fix_of_attack_policies_is_minimal(model: Model) -> None:
    check_against_brute_force(model, max_size=1)


@settings(max_examples=examples(12), deadline=None, suppress_health_check=list(HealthCheck))
@given(blast_cases())
def test_fix_of_blast_radius_is_minimal(model: Model) -> None:
    check_against_brute_force(model, max_size=2)


@pytest.mark.slow
@settings(max_examples=examples(200), deadline=None, suppress_health_check=list(HealthCheck))
@given(attack_cases())
def test_fix_of_attack_policies_exhaustive(model: Model) -> None:
    check_against_brute_force(model, max_size=2)


@pytest.mark.slow
@settings(max_examples=examples(200), deadline=None, suppress_health_check=list(HealthCheck))
@given(small_cases())
def test_fix_is_minimal_exhaustive(model: Model) -> None:
    check_against_brute_force(model, max_size=2)
