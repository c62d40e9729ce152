"""The cross-checks of analyses/crosscheck.py fire on every disagreement (an internal error, exit 70)."""

from __future__ import annotations

import pytest

from segverify.analyses.base import Verdict
from segverify.analyses.crosscheck import closure_agrees, isolation_agrees, self_check, self_check_problems
from segverify.encode.solve import Outcome
from segverify.errors import InternalError
from segverify.model.ir import IsolatedSpec, Model, Policy
from segverify.results import Status

POLICY = Policy(id="P-1", kind="isolated", spec=IsolatedSpec((), ()))


def test_z3_and_the_worklist_must_agree_on_isolation() -> None:
    isolation_agrees(POLICY, Outcome("sat"), [])  # proved, nothing reached: agreement
    isolation_agrees(POLICY, Outcome("unsat"), ["db"])  # violated, a target reached: agreement
    isolation_agrees(POLICY, Outcome("unknown"), [])  # no verdict: nothing to compare
    with pytest.raises(InternalError, match="P-1: the solver avoids the targets, the fixpoint reaches db"):
        isolation_agrees(POLICY, Outcome("sat"), ["db"])
    with pytest.raises(InternalError, match="P-1: solver found a path, the fixpoint reaches no target"):
        isolation_agrees(POLICY, Outcome("unsat"), [])


def test_z3_must_find_the_least_fixpoint_closed() -> None:
    closure_agrees(POLICY, Outcome("sat"))
    with pytest.raises(InternalError, match="least fixpoint not closed"):
        closure_agrees(POLICY, Outcome("unsat"))


def test_a_verdict_without_its_evidence_fails_the_self_check() -> None:
    model = Model()
    assert self_check_problems(model, POLICY, Verdict(Status.VIOLATED), True) == [
        "a violation without a witness"
    ]
    assert self_check_problems(model, POLICY, Verdict(Status.PROVED), True) == [
        "a proof without a certificate"
    ]
    assert self_check_problems(model, POLICY, Verdict(Status.UNKNOWN, reason="timeout"), True) == ()
    with pytest.raises(InternalError, match=r"self-check failed for P-1 \(proved\)"):
        self_check(model, POLICY, Verdict(Status.PROVED), True)
