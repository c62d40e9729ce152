"""Commands that do not read enforcement layers yet refuse a layered model: exit 2 at the layer."""

from __future__ import annotations

import json
from pathlib import Path
from textwrap import dedent

import pytest
from typer.testing import CliRunner  # noqa: TID251 (tests drive the CLI)

from segverify.cli import app

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
