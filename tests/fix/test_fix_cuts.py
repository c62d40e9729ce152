"""Each clause the search learns is necessary: apply every change of the vocabulary except the
clause's, and the policy still fails. That is the lower-bound argument of cuts.py, tested
directly: a cutter left out of a clause shows up here as a policy that this set fixes.
"""

from __future__ import annotations

from dataclasses import replace
from itertools import combinations

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from segverify.fix.apply import apply_changes
from segverify.fix.changes import Costs
from segverify.fix.cuts import Cutters
from segverify.fix.oracle import witnesses
from segverify.model.ir import Model, Policy
from segverify.results import BlastWitness, Status
from segverify.semantics.context import Semantics
from segverify.semantics.policies import evaluate
from tests.fix.test_fix_brute import _used_services
from tests.fix.vocabulary import vocabulary
from tests.strategies import examples, models, policies_for


@st.composite
def violated(draw: st.DrawFn) -> tuple[Model, Policy]:
    model = draw(models(max_hosts=6, max_flows=6))
    policy = draw(policies_for(model))
    model = _used_services(replace(model, policies=(policy,)))
    assume(policy.kind != "reachable" and evaluate(model, policy)[0] == Status.VIOLATED)
    return model, policy


@settings(max_examples=examples(20), deadline=None, suppress_health_check=list(HealthCheck))
@given(violated())
def test_every_clause_is_necessary(case: tuple[Model, Policy]) -> None:
    model, policy = case
    costs = Costs()
    universe = frozenset(vocabulary(model, costs))
    cutters = Cutters(model, costs)
    for witness in witnesses(model, policy, Semantics(model)):
        for clause in cutters.clauses(policy, witness, frozenset()):
            assert clause <= universe
            rest = apply_changes(model, universe - clause)
            assert evaluate(rest, policy)[0] == Status.VIOLATED, (witness, sorted(clause))


@st.composite
def blasts(draw: st.DrawFn) -> tuple[Model, Policy]:
    model = draw(models(max_hosts=6, max_flows=6))
    policy = draw(policies_for(model))
    model = _used_services(replace(model, policies=(policy,)))
    assume(policy.kind == "blast_radius" and evaluate(model, policy)[0] == Status.VIOLATED)
    return model, policy


@settings(max_examples=examples(20), deadline=None, suppress_health_check=list(HealthCheck))
@given(blasts())
def test_every_blast_cardinality_is_necessary(case: tuple[Model, Policy]) -> None:
    """A set that hits fewer than `need` of a blast witness's groups leaves the policy violated:
    the largest such sets are the whole vocabulary less the union of some len - need + 1 groups."""
    model, policy = case
    costs = Costs()
    universe = frozenset(vocabulary(model, costs))
    (witness,) = witnesses(model, policy, Semantics(model))
    assert isinstance(witness, BlastWitness)
    groups, need = Cutters(model, costs).blast_groups(policy, witness, frozenset())
    assert need >= 1
    spared = len(groups) - need + 1
    if spared <= 0:  # fewer cuttable paths than needed: no set fixes it
        assert evaluate(apply_changes(model, universe), policy)[0] == Status.VIOLATED
        return
    for kept in list(combinations(groups, spared))[:30]:
        rest = apply_changes(model, universe - frozenset().union(*kept))
        assert evaluate(rest, policy)[0] == Status.VIOLATED, sorted(frozenset().union(*kept))
