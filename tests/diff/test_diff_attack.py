"""Attack reach in the diff: the engine's sets, checked on both bounds, are the reference fixpoint's."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from segverify.api import new_context
from segverify.diff.attack import Side, reach_of
from segverify.encode.solve import Budget
from segverify.model.ir import AttackerProfile, Foothold, Model
from segverify.semantics.attack import attack_for
from segverify.semantics.context import Semantics
from tests.strategies import PROFILES, attack_policies_for, examples, models

SETTINGS = settings(max_examples=examples(30), deadline=None, suppress_health_check=list(HealthCheck))


@st.composite
def probes(draw: st.DrawFn) -> tuple[Model, Foothold, AttackerProfile]:
    model = draw(models())
    policy = draw(attack_policies_for(model))
    return model, policy.spec.footholds[0], draw(PROFILES)  # type: ignore[union-attr]


def _reference(model: Model, fh: Foothold, profile: AttackerProfile) -> tuple[frozenset[str], frozenset[str]]:
    from segverify.diff.attack import _probe_policy  # the probe the diff asks

    attack = attack_for(model, _probe_policy(fh, profile, 0))
    return attack.controlled, attack.held


@SETTINGS
@given(probes())
def test_engine_reach_is_the_reference_fixpoint(probe: tuple[Model, Foothold, AttackerProfile]) -> None:
    model, fh, profile = probe
    reach = reach_of(Side(new_context(model, Budget()), Semantics(model)), fh, profile)
    assert (frozenset(reach.paths), reach.credentials) == _reference(model, fh, profile)


@settings(max_examples=examples(10), deadline=None, suppress_health_check=list(HealthCheck))
@given(probes())
def test_when_the_solver_gives_up_the_reference_answers(
    probe: tuple[Model, Foothold, AttackerProfile],
) -> None:
    model, fh, profile = probe
    starved = Side(new_context(model, Budget(rlimit=1)), Semantics(model))
    reach = reach_of(starved, fh, profile)
    assert (frozenset(reach.paths), reach.credentials) == _reference(model, fh, profile)
