"""Enforcement layers in the model: read, numbered, validated and described by the JSON Schema."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import jsonschema
import pytest
import yaml

from segverify.errors import ModelError
from segverify.model.load import load_model
from segverify.model.ports import parse_port_spec
from segverify.model.refs import Resolver
from segverify.model.schema import json_schema
from segverify.results import Packet
from segverify.semantics.firstmatch import decide

LAYERED = """\
    segverify: 1
    zones:
      a: {networks: [10.1.0.0/16]}
      b: {networks: [10.2.0.0/16]}
    hosts:
      pc: {zone: a, address: 10.1.0.5}
      web: {zone: b, address: 10.2.0.5, services: [https]}
    flows:
      - {name: a-to-b, from: a, to: b, services: [https, sctp/9]}
    layers:
      - name: host-fw
        description: the web server's own firewall
        applies_to: {to: web}
        flows:
          - {name: deny-sctp, from: any, to: web, services: [sctp/9], action: deny}
        defaults: {inter_zone: allow}
      - name: egress
        applies_to: {from: a}
        flows:
          - {name: pc-out, from: pc, to: any, services: any}
    """


def write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "model.yaml"
    path.write_text(dedent(text), encoding="utf-8")
    return str(path)


def test_layers_are_read_in_order_with_rules_numbered_after_the_implicit_layer(tmp_path: Path) -> None:
    model = load_model([write(tmp_path, LAYERED)], [])
    assert [layer.name for layer in model.layers] == ["host-fw", "egress"]
    fw, egress = model.layers
    assert [(f.name, f.index, f.layer) for f in model.all_flows()] == [
        ("a-to-b", 0, ""),
        ("deny-sctp", 1, "host-fw"),
        ("pc-out", 2, "egress"),
    ]
    assert (fw.intra_zone, fw.inter_zone, egress.inter_zone) == ("allow", "allow", "deny")
    assert fw.applies_from is None and [r.text for r in fw.applies_to or ()] == ["web"]
    assert fw.span.line == 11 and fw.description == "the web server's own firewall"


def test_a_model_without_layers_has_none(tmp_path: Path) -> None:
    text = LAYERED[: LAYERED.index("    layers:")]
    model = load_model([write(tmp_path, text)], [])
    assert model.layers == () and model.all_flows() == model.flows


def test_every_layer_that_applies_must_allow(tmp_path: Path) -> None:
    model = load_model([write(tmp_path, LAYERED)], [])
    resolver = Resolver(model)
    pc, web = 0x0A010005, 0x0A020005
    https, sctp = parse_port_spec("tcp/443").first(), parse_port_spec("sctp/9").first()
    ok = decide(model, resolver, Packet(pc, web, https))
    assert ok.allowed and [r.name for r in ok.rules] == ["a-to-b", "default:inter_zone@host-fw", "pc-out"]
    assert ok.rule.name == "a-to-b"  # nothing denies: the first allowing layer's rule
    denied = decide(model, resolver, Packet(pc, web, sctp))
    assert not denied.allowed and denied.rule.name == "deny-sctp"
    # another host of zone a: outside `egress`'s rules, so its default (inter_zone deny) decides
    other = decide(model, resolver, Packet(0x0A010006, web, https))
    assert not other.allowed and other.rule.name == "default:inter_zone@egress"
    # from b to a: only the implicit layer applies
    back = decide(model, resolver, Packet(web, pc, https))
    assert [r.name for r in back.rules] == ["default:inter_zone"]


@pytest.mark.parametrize(
    ("old", "new", "code", "line"),
    [
        ("name: pc-out", "name: a-to-b", "duplicate-name", 20),
        ("name: egress", "name: host-fw", "duplicate-name", 17),
        ("applies_to: {to: web}", "applies_to: {to: nowhere}", "dangling-ref", 13),
        ("defaults: {inter_zone: allow}", "defaults: {inter_zone: maybe}", "bad-value", 16),
        ("applies_to: {from: a}", "applies_to: {form: a}", "unknown-key", 18),
        ("- name: egress", "- nam: egress", "missing-field", 17),
    ],
)
def test_bad_layers_are_located(tmp_path: Path, old: str, new: str, code: str, line: int) -> None:
    assert old in LAYERED
    with pytest.raises(ModelError) as info:
        load_model([write(tmp_path, LAYERED.replace(old, new))], [])
    assert (code, line) in [(d.code, d.span.line) for d in info.value.diagnostics]


def test_the_schema_accepts_layers_and_rejects_unknown_keys() -> None:
    validator = jsonschema.Draft7Validator(json_schema())
    data = yaml.safe_load(dedent(LAYERED))
    assert [e.message for e in validator.iter_errors(data)] == []
    data["layers"][0]["applies_to"]["via"] = "x"
    assert list(validator.iter_errors(data))
