"""Lint's rule findings are exact: checked against first match on every class of packets (lint_brute.py)."""

from __future__ import annotations

from itertools import combinations

from hypothesis import HealthCheck, given, settings
from lint_brute import Brute

from segverify.lint.codes import CODES
from segverify.lint.context import LintOptions
from segverify.lint.findings import Finding
from segverify.lint.run import lint
from segverify.model.ir import Model
from segverify.results import Packet
from tests.strategies import examples, models

RULE_CODES = frozenset(
    {"shadowed", "partially-shadowed", "redundant-with-default", "empty-rule", "overly-broad"}
)


def by_rule(findings: tuple[Finding, ...]) -> dict[str, dict[str, Finding]]:
    out: dict[str, dict[str, Finding]] = {}
    for f in findings:
        out.setdefault(f.subject.name, {})[f.code] = f
    return out


def index_of(model: Model, name: str) -> int:
    return next(f.index for f in model.flows if f.name == name)


def check_shadowed(model: Model, brute: Brute, i: int, box: list[Packet], f: Finding) -> None:
    earlier = [index_of(model, r.name) for r in f.related]
    assert all(j < i for j in earlier)
    opposite = any(model.flows[brute.first(p) or 0].action != model.flows[i].action for p in box)
    assert f.level == ("error" if opposite else "warning")
    assert all(any(brute.in_box(j, p) for j in earlier) for p in box), "the cover misses a packet"
    if "the smallest covering set" in f.message:
        for subset in combinations(range(i), len(earlier) - 1):
            assert not all(any(brute.in_box(j, p) for j in subset) for p in box), f"{subset} covers too"


def check_partial(model: Model, brute: Brute, i: int, box: list[Packet], f: Finding) -> None:
    action = model.flows[i].action
    taken = [p for p in box if brute.first(p) != i]
    opposite = [p for p in taken if model.flows[brute.first(p) or 0].action != action]
    assert f.level == ("warning" if opposite else "note")
    assert f.witness is not None and brute.in_box(i, f.witness)
    decider = brute.first(f.witness)
    assert decider is not None and decider < i
    assert (model.flows[decider].action != action) == bool(opposite)
    part = opposite or taken
    assert {r.name for r in f.related} == {model.flows[brute.first(p) or 0].name for p in part}
    check_overlap(brute, f, part)


def check_overlap(brute: Brute, f: Finding, part: list[Packet]) -> None:
    """The reported overlap is exactly the projections of the packets decided earlier.

    A projection is a union of whole classes of the brute force's cut (which is finer than any
    sweep's), so a representative lies in it exactly when some such packet has it.
    """
    box = f.overlap
    assert box is not None
    sides = (
        (box.sources, {p.src for p in part}, brute.addrs),
        (box.destinations, {p.dst for p in part}, brute.addrs),
        (box.services, {p.svc for p in part}, brute.svcs),
    )
    for reported, seen, reps in sides:
        assert {r for r in reps if r in reported} == seen


def check_redundancy(model: Model, i: int, own: list[Packet], reported: bool) -> None:
    without = Brute(model, removed=i)
    same = all(without.action(p) == model.flows[i].action for p in own)
    assert reported == same


@settings(max_examples=examples(40), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(models())
def test_rule_findings_agree_with_first_match_on_every_packet(model: Model) -> None:
    report = lint(model, LintOptions(codes=RULE_CODES))
    found = by_rule(report.findings)
    brute = Brute(model)
    packets = list(brute.packets())
    for flow in model.flows:
        i = flow.index
        box = [p for p in packets if brute.in_box(i, p)]
        own = [p for p in box if brute.first(p) == i]
        codes = found.get(flow.name, {})
        assert ("empty-rule" in codes) == (not box)
        assert ("shadowed" in codes) == (bool(box) and not own), (flow.name, codes)
        assert ("partially-shadowed" in codes) == (bool(own) and len(own) < len(box))
        if "shadowed" in codes:
            check_shadowed(model, brute, i, box, codes["shadowed"])
        if "partially-shadowed" in codes:
            check_partial(model, brute, i, box, codes["partially-shadowed"])
        if own:
            check_redundancy(model, i, own, "redundant-with-default" in codes)
        if "overly-broad" in codes:
            witness = codes["overly-broad"].witness
            assert flow.action == "allow" and witness is not None and brute.first(witness) == i


@settings(max_examples=examples(15), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(models())
def test_every_code_runs_on_random_models_and_findings_come_sorted(model: Model) -> None:
    report = lint(model)
    keys = [f.sort_key() for f in report.findings]
    assert keys == sorted(keys)
    assert {f.code for f in report.findings} <= set(CODES)
