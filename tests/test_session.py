"""engine Session (segverify/session.py): the same verdicts as a check, reach as the reference's
fixpoint, and caches kept across a policy-only change but never across a network change."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from pathlib import Path

import pytest

from segverify import api
from segverify.model.intervals import IntervalSet
from segverify.model.ir import Model, Ref, RefFoothold
from segverify.model.load import load_model
from segverify.results import PolicyResult
from segverify.semantics.attack import Attack
from segverify.semantics.context import Semantics
from segverify.semantics.moves import Setup
from segverify.session import Session

ROOT = Path(__file__).resolve().parent.parent
FLAGSHIP = ["examples/remote-access-vendor/segregated", "policies/three-plane.yaml", "policies/baseline.yaml"]
FLAWED = ["examples/remote-access-vendor/flawed", "policies/three-plane.yaml", "policies/baseline.yaml"]


def load(paths: list[str]) -> Model:
    model_dir, *packs = paths
    return load_model([str(ROOT / model_dir)], [str(ROOT / p) for p in packs])


@pytest.fixture(scope="module")
def flawed() -> Model:
    return load(FLAWED)


def verdicts(results: Iterable[PolicyResult]) -> dict[str, tuple[object, ...]]:
    """Status, certificate and the witness's kind: a violating packet is any packet Z3 finds,
    and which one depends on the questions its context was asked before (both are replayed)."""
    return {r.id: (r.status, r.certificate, type(r.witness).__name__) for r in results}


def checked(model: Model) -> dict[str, tuple[object, ...]]:
    return verdicts(api.check(model, api.CheckOptions(use_waivers=False)).results)


@pytest.mark.parametrize("paths", [FLAGSHIP, FLAWED])
def test_verdicts_are_the_checks(paths: list[str]) -> None:
    model = load(paths)
    session = Session(model)
    assert verdicts(session.verdict(p) for p in model.policies) == checked(model)


def test_reach_is_the_reference_fixpoint(flawed: Model) -> None:
    session, sem = Session(flawed), Semantics(flawed)
    profile = flawed.defaults.attacker
    for host in sorted(flawed.hosts)[:6]:
        footholds = (RefFoothold(Ref(host)),)
        reach = session.reach(footholds, profile)
        reference = Attack(sem, Setup(footholds, frozenset(), frozenset(), IntervalSet(), profile))
        assert (reach.hosts, reach.credentials) == (reference.controlled, reference.held), host
        assert host in reach.hosts


def test_a_policy_only_change_keeps_the_caches(flawed: Model) -> None:
    session = Session(flawed)
    for p in flawed.policies:
        session.verdict(p)
    # Half the policies go, every only_via stays: its via hosts cut the source atoms.
    kept = [p for i, p in enumerate(flawed.policies) if i % 2 or p.kind == "only_via"]
    fewer = dataclasses.replace(flawed, policies=tuple(kept))
    changed = session.with_changes(fewer)
    assert changed.ctx.memo is session.ctx.memo and changed.ctx.horn is session.ctx.horn
    assert verdicts(changed.verdict(p) for p in fewer.policies) == checked(fewer)


def test_a_policy_change_that_moves_via_hosts_builds_again(flawed: Model) -> None:
    session = Session(flawed)
    fewer = dataclasses.replace(flawed, policies=tuple(p for p in flawed.policies if p.kind != "only_via"))
    assert len(fewer.policies) < len(flawed.policies)
    changed = session.with_changes(fewer)
    assert changed.ctx.memo is not session.ctx.memo
    assert verdicts(changed.verdict(p) for p in fewer.policies) == checked(fewer)


def test_a_network_change_builds_again(flawed: Model) -> None:
    session = Session(flawed)
    for p in flawed.policies:
        session.verdict(p)
    opened = dataclasses.replace(flawed, flows=flawed.flows[:-1])
    changed = session.with_changes(opened)
    assert changed.ctx.memo is not session.ctx.memo and changed.ctx.index is not session.ctx.index
    assert verdicts(changed.verdict(p) for p in opened.policies) == checked(opened)
