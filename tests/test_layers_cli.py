"""Commands that do not read enforcement layers yet refuse a layered model: exit 2 at the layer."""

from __future__ import annotations

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


@pytest.mark.parametrize("command", [["fix"], ["lint"]])
def test_a_command_without_layer_support_refuses_at_the_layer(tmp_path: Path, command: list[str]) -> None:
    path = tmp_path / "model.yaml"
    path.write_text(dedent(MODEL), encoding="utf-8")
    result = CliRunner().invoke(app, [*command, str(path)])
    assert result.exit_code == 2, result.output
    assert f"{path}:11:5: error[layers-unsupported]" in result.stderr
    assert "Traceback" not in result.output
