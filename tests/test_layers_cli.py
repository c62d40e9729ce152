"""Enforcement layers at the command line: `check` reads them for every kind of policy (attack
policies too, through the movement engine); commands that do not read them yet refuse a layered
model, exit 2 at the layer."""

from __future__ import annotations

import json
from pathlib import Path
from textwrap import dedent

import pytest
from typer.testing import CliRunner  # noqa: TID251 (tests drive the CLI)

from segverify.cli import app
from segverify.model.addresses import cidr_set
from segverify.model.load import load_model
from segverify.model.ports import parse_port_spec
from segverify.model.refs import Resolver
from segverify.results import Packet
from segverify.semantics.firstmatch import decide

ROOT = Path(__file__).resolve().parent.parent

MODEL = """\
    segverify: 1
    zones:
      a: {networks: [10.1.0.0/16]}
      b: {networks: [10.2.0.0/16]}
    hosts:
      pc: {zone: a, address: 10.1.0.5}
      web: {zone: b, address: 10.2.0.5, services: [https]}
    flows:
      - {name: a-to-b, from: a, to: b, services: [https]}
    layers:
      - name: host-fw
        flows:
          - {name: deny-all, from: any, to: web, services: any, action: deny}
    policies:
      - id: P1
        no_flow: {from: a, to: b}
    """


@pytest.mark.parametrize("command", [["fix"]])
def test_a_command_without_layer_support_refuses_at_the_layer(tmp_path: Path, command: list[str]) -> None:
    path = tmp_path / "model.yaml"
    path.write_text(dedent(MODEL), encoding="utf-8")
    result = CliRunner().invoke(app, [*command, str(path)])
    assert result.exit_code == 2, result.output
    assert f"{path}:11:5: error[layers-unsupported]" in result.stderr
    assert "Traceback" not in result.output


def test_check_cites_every_layers_deciding_rule(tmp_path: Path) -> None:
    path = tmp_path / "model.yaml"
    policies = "  - id: P2\n    reachable: {from: pc, to: web, services: [https]}\n"
    path.write_text(dedent(MODEL) + policies, encoding="utf-8")
    result = CliRunner().invoke(app, ["check", str(path), "--format", "json"])
    assert result.exit_code == 1, result.output
    by_id = {r["id"]: r for r in json.loads(result.stdout)["results"]}
    witness = by_id["P2"]["witness"]
    assert witness["rule"]["name"] == "deny-all"  # the denying layer's rule
    assert [r["name"] for r in witness["rules"]] == ["a-to-b", "deny-all"]
    # no_flow a -> b: the implicit layer opens https, but host-fw denies it (its rule or default)
    assert by_id["P1"]["status"] == "proved"


LATERAL = """\
    segverify: 1
    zones:
      a: {networks: [10.1.0.0/16]}
      b: {networks: [10.2.0.0/16]}
    hosts:
      pc: {zone: a, address: 10.1.0.5}
      kiosk: {zone: a, address: 10.1.0.6}
      web: {zone: b, address: 10.2.0.5, services: [ssh]}
    defaults:
      attacker: {exploits: exposed}
    flows:
      - {name: a-to-b, from: a, to: b, services: [ssh]}
    layers:
      - name: host-fw
        applies_to: {to: web}
        flows:
          - {name: fw-ssh, from: pc, to: web, services: [ssh]}
    policies:
      - id: FROM-PC
        isolated: {from: pc, to: web}
      - id: FROM-KIOSK
        isolated: {from: kiosk, to: web}
    """


def test_attack_policies_pass_every_layer(tmp_path: Path) -> None:
    """A move needs every layer that applies: the hop cites each layer's rule; the host firewall
    alone stops the kiosk, and the certificate cites both layers' deciding rules, and checks."""
    path, cert = tmp_path / "model.yaml", tmp_path / "cert.json"
    path.write_text(dedent(LATERAL), encoding="utf-8")
    result = CliRunner().invoke(app, ["check", str(path), "--format", "json", "--certificate", str(cert)])
    assert result.exit_code == 1, result.output
    by_id = {r["id"]: r for r in json.loads(result.stdout)["results"]}
    assert by_id["FROM-PC"]["status"] == "violated" and by_id["FROM-KIOSK"]["status"] == "proved"
    (hop,) = [h for h in by_id["FROM-PC"]["witness"]["path"] if h["move"] == "exploit"]
    assert hop["rule"]["name"] == "a-to-b"  # every layer allows: the first layer's rule
    assert [r["name"] for r in hop["rules"]] == ["a-to-b", "fw-ssh"]
    (boundary,) = [c for c in json.loads(cert.read_text(encoding="utf-8"))["certificates"]]
    entries = boundary["certificate"]["boundary"]  # the exploit and the login of web's ssh
    assert {(e["move"], e["to"]) for e in entries} == {("exploit", "web"), ("login", "web")}
    for entry in entries:
        assert "no-allowed-packet" in entry["reasons"]
        assert [r["name"] for r in entry["rules"]] == ["a-to-b", "default:inter_zone@host-fw"]
    verified = CliRunner().invoke(app, ["verify-certificate", str(cert), str(path)])
    assert verified.exit_code == 0, verified.output
    text = CliRunner().invoke(app, ["check", str(path)])
    assert "allow by a-to-b" in text.stdout and "(every layer: a-to-b, fw-ssh)" in text.stdout


def _readme_verdicts(example: str) -> dict[str, str]:
    """The verdict column of the README's policy table (`| ID ... | verdict | why |`)."""
    text = (ROOT / "examples" / example / "README.md").read_text(encoding="utf-8")
    rows = [line.split("|") for line in text.splitlines() if line.startswith(("| SHOP-", "| AWS-"))]
    return {row[1].split()[0]: row[2].strip().strip("*") for row in rows}


@pytest.mark.parametrize("example", ["k8s-app", "aws-vpc"])
def test_imported_examples_check_as_their_readmes_say(example: str) -> None:
    """Both importers' examples (two layers each, attack policies included) get the verdicts their
    README states, and every hop of every path cites the deciding rule of each layer that applies."""
    folder = ROOT / "examples" / example / "model"
    result = CliRunner().invoke(app, ["check", str(folder), "--format", "json"])
    assert result.exit_code == 1, result.output  # each has a violated policy
    results = json.loads(result.stdout)["results"]
    expected = _readme_verdicts(example)
    assert len(expected) == 5 and {r["id"]: r["status"] for r in results} == expected
    model = load_model([str(folder)])
    resolver = Resolver(model)
    hops = [h for r in results for h in (r.get("witness") or {}).get("path", []) if "packet" in h]
    assert hops or example == "aws-vpc"  # aws-vpc's only violation is a packet policy
    for hop in hops:
        p = hop["packet"]
        svc = parse_port_spec(f"{p['proto']}/{p['port']}").first()
        decision = decide(
            model, resolver, Packet(cidr_set(p["src"]).first(), cidr_set(p["dst"]).first(), svc)
        )
        assert decision.allowed and hop["rule"]["name"] == decision.rule.name
        assert [r["name"] for r in hop["rules"]] == [r.name for r in decision.rules]
        assert len(decision.rules) == 1 + len(model.layers)  # both layers apply to pod-to-pod moves
