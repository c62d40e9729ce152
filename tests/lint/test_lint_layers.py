"""Lint on layered models: each layer's rules are judged by first match inside their layer, on the
packets the layer applies to, checked against lint_brute.py on every class of packets; every
witness is the layer's deciding rule when the reference decides it through every layer."""

from __future__ import annotations

from itertools import combinations

from hypothesis import HealthCheck, given, settings
from lint_brute import Brute

from segverify.lint.context import LintOptions
from segverify.lint.findings import Finding
from segverify.lint.run import lint
from segverify.model.ir import Flow, Model
from segverify.model.refs import Resolver
from segverify.results import Packet
from segverify.semantics.firstmatch import compile_layers, decide_layers
from tests.strategies import examples, layered_models

RULE_CODES = frozenset(
    {"shadowed", "partially-shadowed", "redundant-with-default", "empty-rule", "overly-broad"}
)


def by_rule(findings: tuple[Finding, ...]) -> dict[str, dict[str, Finding]]:
    out: dict[str, dict[str, Finding]] = {}
    for f in findings:
        out.setdefault(f.subject.name, {})[f.code] = f
    return out


def layer_decider(model: Model, k: int, packet: Packet) -> str:
    """The name of the rule (or default) layer k's reference decides the packet by, through all."""
    resolver = Resolver(model)
    layers = compile_layers(model, resolver)
    applying = [j for j, layer in enumerate(layers) if layer.applies(packet)]
    decision = decide_layers(layers, resolver, packet)
    return dict(zip(applying, decision.rules, strict=True))[k].name


def check_layer(model: Model, k: int, found: dict[str, dict[str, Finding]]) -> None:
    brute = Brute(model, layer=k)
    flows: dict[int, Flow] = {f.index: f for f in model.all_flows()}
    packets = [p for p in brute.packets() if brute.applies(p)]
    written = model.flows if k == 0 else model.layers[k - 1].flows
    name = "" if k == 0 else model.layers[k - 1].name
    for flow in written:
        i = flow.index
        box = [p for p in packets if brute.in_box(i, p)]
        own = [p for p in box if brute.first(p) == i]
        codes = found.get(flow.name, {})
        assert all(f.layer == name for f in codes.values())
        assert all(f.message.startswith(f"layer {name}: ") for f in codes.values() if name)
        assert ("empty-rule" in codes) == (not box), (flow.name, codes)
        assert ("shadowed" in codes) == (bool(box) and not own), (flow.name, codes)
        assert ("partially-shadowed" in codes) == (bool(own) and len(own) < len(box)), (flow.name, codes)
        if "shadowed" in codes:
            earlier = [next(f.index for f in written if f.name == r.name) for r in codes["shadowed"].related]
            assert all(j < i for j in earlier)
            assert all(any(brute.in_box(j, p) for j in earlier) for p in box), "the cover misses a packet"
            if "the smallest covering set" in codes["shadowed"].message:
                before = [f.index for f in written if f.index < i]
                for subset in combinations(before, len(earlier) - 1):
                    assert not all(any(brute.in_box(j, p) for j in subset) for p in box)
        if "partially-shadowed" in codes:
            f = codes["partially-shadowed"]
            taken = [p for p in box if brute.first(p) != i]
            opposite = [p for p in taken if flows[brute.first(p) or 0].action != flow.action]
            assert f.level == ("warning" if opposite else "note")
            assert f.witness is not None and brute.in_box(i, f.witness) and brute.applies(f.witness)
            decider = brute.first(f.witness)
            assert decider is not None and decider < i
            assert layer_decider(model, k, f.witness) == flows[decider].name
        if own:
            without = Brute(model, removed=i, layer=k)
            same = all(without.action(p) == flow.action for p in own)
            assert ("redundant-with-default" in codes) == same, (flow.name, codes)
        for code in ("redundant-with-default", "overly-broad"):
            if code in codes:
                witness = codes[code].witness
                assert witness is not None and brute.first(witness) == i and brute.applies(witness)
                assert layer_decider(model, k, witness) == flow.name


@settings(max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(layered_models(max_hosts=6, max_flows=5))
def test_each_layers_findings_agree_with_first_match_inside_the_layer(model: Model) -> None:
    report = lint(model, LintOptions(codes=RULE_CODES))
    found = by_rule(report.findings)
    for k in range(len(model.layers) + 1):
        check_layer(model, k, found)
    keys = [f.sort_key() for f in report.findings]
    assert keys == sorted(keys)
