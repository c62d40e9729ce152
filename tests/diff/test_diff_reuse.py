"""The reusing diff (diff/reuse.py) equals the unoptimised one: both sides checked in full and
every reach probe run on both sides, on random pairs of models and changes."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from segverify import api
from segverify.analyses.base import Verdict
from segverify.diff import attack, reuse
from segverify.diff.changes import model_changes
from segverify.diff.groups import packet_diff
from segverify.diff.report import DiffReport, diff, run_diff
from segverify.diff.reuse import change_of
from segverify.diff.shape import diff_json
from segverify.diff.text import render_text
from segverify.model.ir import (
    AttackerProfile,
    Defaults,
    Foothold,
    IsolatedSpec,
    Model,
    Policy,
    Ref,
    RefFoothold,
    Waiver,
)
from segverify.semantics.attack import attack_for
from segverify.semantics.context import Semantics
from segverify.semantics.moves import foothold_text as _sends_from
from tests.diff.test_diff_packets import changed
from tests.strategies import (
    PROFILES,
    account,
    attack_policies_for,
    examples,
    flow,
    footholds,
    host,
    make_model,
    models,
    no_flow,
    policies_for,
    policy,
    reachable,
    refs,
    zone,
)

SETTINGS = settings(max_examples=examples(40), deadline=None, suppress_health_check=list(HealthCheck))
OPTIONS = api.CheckOptions(fork_self_checks=False)


@st.composite
def checked_pairs(draw: st.DrawFn) -> tuple[Model, Model, tuple[RefFoothold, ...]]:
    """A model with policies of every kind (some waived), and the model after a pull request's change."""
    base = draw(models())
    policies = [replace(draw(policies_for(base)), id=f"P-{i}") for i in range(draw(st.integers(1, 5)))]
    waivers = tuple(
        Waiver(p.id, "accepted", date(2000, 1, 1)) for p in policies if draw(st.integers(0, 3)) == 0
    )
    before = replace(base, policies=tuple(policies), waivers=waivers)
    after = draw(changed(before))
    if draw(st.integers(0, 4)) == 0:  # a waiver added or dropped by the same change
        after = replace(after, waivers=() if after.waivers else waivers[:1] or after.waivers)
    pool = sorted({*before.zones, *before.hosts})
    extra = tuple(RefFoothold(Ref(t)) for t in draw(st.lists(st.sampled_from(pool), max_size=1)))
    return before, after, extra


def _output(report: DiffReport) -> tuple[str, str]:
    return json.dumps(diff_json(report), indent=2), render_text(report)


def _full(before: Model, after: Model, extra: tuple[RefFoothold, ...]) -> DiffReport:
    reports = (api.check(before, OPTIONS), api.check(after, OPTIONS))
    return run_diff(before, after, reports, footholds=extra, budget=OPTIONS.budget)


@SETTINGS
@given(checked_pairs())
def test_the_reusing_diff_is_the_full_diff(pair: tuple[Model, Model, tuple[RefFoothold, ...]]) -> None:
    before, after, extra = pair
    fast = diff(before, after, OPTIONS, footholds=extra)
    full = _full(before, after, extra)
    assert _output(fast) == _output(full)
    assert [(p.id, p.before and p.before.status, p.after and p.after.status) for p in fast.policies] == [
        (p.id, p.before and p.before.status, p.after and p.after.status) for p in full.policies
    ]
    changes = (*fast.changes.added, *fast.changes.removed, *fast.changes.changed)
    event(f"a change of rules alone (reuse): {all(d.kind == 'rule' for d in changes)}")
    event(f"a policy regressed: {bool(fast.regressed())}")


# ---- that reuse happens (the property above would also hold if it never did) -------------------


def _small() -> tuple[Model, Model]:
    """Three zones; a change that opens ssh from `dmz` to the database. The office's attacker (its
    proved closed set: the office alone) never sends from dmz, web's postgres and the office's
    traffic to core are not the changed packets; dmz to core is, and regresses."""
    zones = [zone("office", "10.1.0.0/24"), zone("dmz", "10.2.0.0/24"), zone("core", "10.3.0.0/24")]
    hosts = [
        host("pc", "office", "10.1.0.5", ["rdp"], logins=["alice"], sessions=["alice"]),
        host("web", "dmz", "10.2.0.5", ["https"]),
        host("db", "core", "10.3.0.5", ["ssh", "postgres"], logins=["bob"]),
    ]
    flows = [flow("office-web", "office", "web", "https"), flow("web-db", "web", "db", "postgres")]
    base = make_model(zones, hosts, [account("alice"), account("bob")], flows, Defaults("deny", "deny"))
    policies = (
        policy(IsolatedSpec(footholds("office"), refs("db")), "ISO"),
        replace(no_flow(base, ["office"], ["core"]), id="A-NOFLOW"),
        replace(no_flow(base, ["dmz"], ["core"], ["postgres"]), id="B-DMZ"),
        replace(reachable(base, ["web"], ["db"], ["postgres"]), id="C-REACH"),
    )
    before = replace(base, policies=policies)
    opened = make_model(zones, hosts, flows=[flow("dmz-db-ssh", "dmz", "db", "ssh")]).flows[0]
    after = replace(before, flows=tuple(replace(f, index=i) for i, f in enumerate((opened, *before.flows))))
    return before, after


def test_a_change_away_from_the_policies_keeps_their_verdicts_and_skips_the_probe(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before, after = _small()
    kept: list[str] = []
    runs: list[bool] = []  # per reach probe run: on AFTER?
    verdict, reach_of = reuse.Carried.verdict, attack.reach_of

    def counted_verdict(self: reuse.Carried, policy: Policy) -> Verdict | None:
        found = verdict(self, policy)
        if found is not None:
            kept.append(policy.id)
        return found

    def counted_reach(side: attack.Side, fh: Foothold, profile: AttackerProfile) -> attack.Reach:
        runs.append(side.sem.model is after)
        return reach_of(side, fh, profile)

    monkeypatch.setattr(reuse.Carried, "verdict", counted_verdict)
    monkeypatch.setattr(attack, "reach_of", counted_reach)
    pc = (RefFoothold(Ref("pc")),)  # inside the office: ISO's closed set covers it too
    fast = diff(before, after, OPTIONS, footholds=pc)
    # A-NOFLOW's region is clear of the change, but it is decided before B-DMZ, which is not:
    # decided afresh too, so that B-DMZ's witness is the one a full check finds.
    assert sorted(kept) == ["C-REACH", "ISO"]
    assert runs == []  # the office's closed set never sends from dmz: both probes are skipped
    monkeypatch.undo()
    assert _output(fast) == _output(_full(before, after, pc))
    assert [p.change for p in fast.policies] == ["unchanged", "regressed", "unchanged", "unchanged"]


# ---- the lemma itself (fact 2 of diff/reuse.py), against the reference fixpoint alone ---------


@st.composite
def probe_pairs(draw: st.DrawFn) -> tuple[Model, Model, Foothold, Foothold, AttackerProfile, AttackerProfile]:
    """A change of rules, two footholds and two profiles of the model, the first no weaker."""
    before = draw(models())
    after = draw(changed(before))
    first = draw(attack_policies_for(before)).spec.footholds[0]  # type: ignore[union-attr]
    second = draw(attack_policies_for(before)).spec.footholds[0]  # type: ignore[union-attr]
    strong, weak = draw(PROFILES), draw(PROFILES)
    return before, after, first, second, strong, weak


def _fixpoint(model: Model, fh: Foothold, profile: AttackerProfile) -> tuple[frozenset[str], frozenset[str]]:
    found = attack_for(model, attack._probe_policy(fh, profile, 0))
    return found.controlled, found.held


@SETTINGS
@given(probe_pairs())
def test_a_harmless_change_leaves_the_fixpoint_alone(
    case: tuple[Model, Model, Foothold, Foothold, AttackerProfile, AttackerProfile],
) -> None:
    before, after, first, second, strong, weak = case
    sem = Semantics(after)
    change = change_of(
        after, packet_diff(Semantics(before).table, sem.table), model_changes(before, after), sem
    )
    if change is None or not all(sem.resolver.is_known(_sends_from(fh)) for fh in (first, second)):
        return
    hosts, held = _fixpoint(before, first, strong)  # the least fixpoint: closed, and least
    if change.closed_unaffected(hosts, held, (first,), strong, least=True):
        event("BEFORE's fixpoint unaffected")
        assert _fixpoint(after, first, strong) == (hosts, held)
    # Closed from `first` under the stronger profile: closed for `second` under the weaker one
    # when it covers it; then a harmless change leaves `second`'s fixpoint alone.
    covered = attack.Closed(tuple(hosts), tuple(held), (first,), strong)
    event(f"weaker profile: {attack.weaker(weak, strong)}")
    if covered.holds(change, second, weak):
        event("covered")
        assert _fixpoint(after, second, weak) == _fixpoint(before, second, weak)
