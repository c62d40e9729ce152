"""Self-checks in forked children (selfchecks.py) report exactly what inline ones do."""

from __future__ import annotations

import os
import pickle
import signal
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import BinaryIO

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
def test_the_child_checks_from_the_front_and_the_parent_from_the_end(tmp_path: Path) -> None:
    model = _flawed()
    ids = sorted(p.id for p in model.policies)
    parent, log = os.getpid(), tmp_path / "checked"

    def problems(
        model: Model, policy: Policy, verdict: Verdict, certs: bool, sem: Semantics
    ) -> Sequence[str]:
        # A handshake makes both take part: the parent starts once the child has checked the
        # first verdict, the child goes past the second once the parent has checked one.
        if os.getpid() == parent:
            _wait_for(log.exists)
        elif policy.id == ids[1]:
            _wait_for(lambda: f"{parent} " in log.read_text())
        with log.open("a") as out:
            out.write(f"{os.getpid()} {policy.id}\n")
        return []

    _run(model, problems, True)
    checked = [line.split() for line in log.read_text().splitlines()]
    assert checked[0][1] == ids[0] and checked[0][0] != str(parent)  # the child took the first
    assert {i for _, i in checked} == set(ids)  # every verdict, by one or the other
    parents = [i for pid, i in checked if pid == str(parent)]
    assert parents and parents == sorted(parents, reverse=True)  # the parent works from the end


def _wait_for(done: Callable[[], bool], seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while not done():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


@FORK
def test_the_last_childs_failure_is_raised_when_the_check_ends() -> None:
    model = _flawed()
    last = max(p.id for p in model.policies)
    with pytest.raises(InternalError, match=f"self-check failed for {last}"):
        _run(model, _failing({last}), True)


@FORK
def test_a_raising_self_check_fails_the_check_wherever_it_runs() -> None:
    def raises(model: Model, policy: Policy, verdict: Verdict, certs: bool, sem: Semantics) -> Sequence[str]:
        raise KeyError("no such host")

    with pytest.raises(InternalError, match="(?s)the self-check raised: Traceback.*KeyError: 'no such host'"):
        _run(_flawed(), raises, True)


@FORK
def test_a_child_that_dies_fails_the_check() -> None:
    model = _flawed()
    verdict = Verdict(Status.VIOLATED)
    with pytest.raises(InternalError, match="ended after 0 of 1 verdicts without answering the rest"):
        with SelfChecks(model, Semantics(model), True, _failing(set()), True) as checks:
            child = checks._child
            assert child is not None
            os.kill(child.pid, signal.SIGKILL)
            _wait_for(lambda: bool(child.collect() is not None and child.ended))
            checks.submit(model.policies[0], verdict)


@FORK
def test_an_answer_out_of_place_fails_the_check(monkeypatch: pytest.MonkeyPatch) -> None:
    def answers_the_second_first(self: SelfChecks, source: BinaryIO, answers: BinaryIO) -> None:
        pickle.Unpickler(source).load()
        answers.write(b"[1, []]\n")  # a lost answer would shift every later one like this
        answers.flush()

    monkeypatch.setattr(SelfChecks, "_check_stream", answers_the_second_first)
    model = _flawed()
    with pytest.raises(InternalError, match="answered verdict 1 in place of 0"):
        with SelfChecks(model, Semantics(model), True, _failing(set()), True) as checks:
            checks.submit(model.policies[0], Verdict(Status.VIOLATED))
            child = checks._child
            assert child is not None
            _wait_for(lambda: bool(child.collect()) or child.ended)


def test_without_memory_to_spare_no_child_is_forked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(selfchecks, "FORK_FROM_HOSTS", 1)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    model = _flawed()
    monkeypatch.setattr(selfchecks, "_room", lambda: True)
    assert selfchecks.should_fork(model)
    monkeypatch.setattr(selfchecks, "_room", lambda: False)
    assert not selfchecks.should_fork(model)


def test_boundary_entries_pickle_to_equal_entries_and_stay_shared() -> None:
    """Blocked pickles through its constructor (results.py): equal fields, shared objects kept shared."""
    from segverify.results import Blocked, RuleRef

    rules = (RuleRef("deny-lab", "deny", 4), RuleRef("default:inter_zone", "deny"))
    entry = Blocked("login", "h1", "ssh", "mfa", rules, ("no-allowed-packet", "mfa"))
    bare = Blocked("exploit", "h2", "http", "no-allowed-packet")
    copies = pickle.loads(pickle.dumps((entry, bare, entry), protocol=pickle.HIGHEST_PROTOCOL))
    assert copies == (entry, bare, entry) and copies[0] is copies[2]
    assert copies[0].walls == ("no-allowed-packet", "mfa") and copies[1].walls == ("no-allowed-packet",)
