"""Self-checks in forked children (selfchecks.py) report exactly what inline ones do."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import pytest

from segverify import api, selfchecks
from segverify.analyses.base import Verdict
from segverify.errors import InternalError
from segverify.model.ir import Model, Policy
from segverify.model.load import load_model
from segverify.results import Status
from segverify.selfchecks import Problems, SelfChecks
from segverify.semantics.context import Semantics

ROOT = Path(__file__).resolve().parent.parent
FORK = pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this platform")


def _flawed() -> Model:
    model_dir = ROOT / "examples" / "remote-access-vendor" / "flawed"
    packs = [ROOT / "policies" / "three-plane.yaml", ROOT / "policies" / "baseline.yaml"]
    return load_model([str(model_dir)], [str(p) for p in packs])


@FORK
def test_forked_self_checks_give_the_inline_report() -> None:
    model = _flawed()
    inline = api.check(model, api.CheckOptions(fork_self_checks=False))
    forked = api.check(model, api.CheckOptions(fork_self_checks=True))
    assert {r.status for r in inline.results} >= {Status.PROVED, Status.VIOLATED}
    assert forked == inline


def _failing(bad: set[str]) -> Problems:
    def problems(
        model: Model, policy: Policy, verdict: Verdict, certs: bool, sem: Semantics
    ) -> Sequence[str]:
        return [f"planted problem in {os.getpid()}"] if policy.id in bad else []

    return problems


def _run(model: Model, problems: Problems, fork: bool) -> None:
    verdict = Verdict(Status.VIOLATED)
    with SelfChecks(model, Semantics(model), True, problems, fork) as checks:
        for policy in sorted(model.policies, key=lambda p: p.id):
            checks.submit(policy, verdict)


@FORK
@pytest.mark.parametrize("fork", [False, True])
def test_the_first_failing_policy_is_raised(fork: bool) -> None:
    model = _flawed()
    ids = sorted(p.id for p in model.policies)
    with pytest.raises(InternalError, match=f"self-check failed for {ids[1]} \\(violated\\): planted"):
        _run(model, _failing({ids[1], ids[2]}), fork)


@FORK
def test_the_first_verdict_is_checked_in_a_child() -> None:
    model = _flawed()
    first = min(p.id for p in model.policies)
    with pytest.raises(InternalError, match=f"self-check failed for {first}") as error:
        _run(model, _failing({first}), True)
    assert f"planted problem in {os.getpid()}" not in str(error.value)


@FORK
def test_the_last_childs_failure_is_raised_when_the_check_ends() -> None:
    model = _flawed()
    last = max(p.id for p in model.policies)
    with pytest.raises(InternalError, match=f"self-check failed for {last}"):
        _run(model, _failing({last}), True)


@FORK
def test_a_child_that_raises_or_dies_fails_the_check() -> None:
    model = _flawed()

    def raises(model: Model, policy: Policy, verdict: Verdict, certs: bool, sem: Semantics) -> Sequence[str]:
        raise KeyError("no such host")

    def dies(model: Model, policy: Policy, verdict: Verdict, certs: bool, sem: Semantics) -> Sequence[str]:
        os._exit(7)

    with pytest.raises(InternalError, match="(?s)the self-check raised: Traceback.*KeyError: 'no such host'"):
        _run(model, raises, True)
    with pytest.raises(InternalError, match="ended without an answer"):
        _run(model, dies, True)


@FORK
def test_without_memory_to_spare_the_checks_run_here(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(selfchecks, "_room", lambda: False)
    model = _flawed()
    first = min(p.id for p in model.policies)
    with pytest.raises(InternalError, match=f"self-check failed for {first}") as error:
        _run(model, _failing({first}), True)
    assert f"planted problem in {os.getpid()}" in str(error.value)


@FORK
def test_a_child_answering_fewer_verdicts_fails_the_check(monkeypatch: pytest.MonkeyPatch) -> None:
    original = SelfChecks._answers

    def one_short(self: SelfChecks) -> list[list[str]]:
        return original(self)[:-1]

    monkeypatch.setattr(SelfChecks, "_answers", one_short)
    with pytest.raises(InternalError, match="answered 0 of 1 verdicts"):
        _run(_flawed(), _failing(set()), True)
