"""Defects the independent differential run found (issue 16), each with its model.

Each model once made a self-check fail (exit 70); the engine and the reference now agree, and
the answer is the one the semantics gives.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from segverify import api
from segverify.model.load import load_model
from segverify.results import PathWitness, Status

TODAY = date(2026, 11, 23)

LAPTOPS_HOLD_JUMP = """\
segverify: 1
zones: {corp: {networks: [10.0.3.0/24]}, prod: {networks: [10.0.4.0/24]}}
hosts:
  laptops: {zone: corp, address: 10.0.3.0/30, sessions: [alice]}
  jump: {zone: corp, address: 10.0.3.1, services: [ssh], logins: [alice]}
  app: {zone: prod, address: 10.0.4.10, services: [ssh], logins: [alice]}
accounts: {alice: {}}
flows: [{name: jump-to-app, from: FROM, to: app, services: [ssh]}]
policies: [{id: V, only_via: {from: FOOTHOLD, to: app, via: [jump]}}]
"""


def check_text(tmp_path: Path, text: str) -> api.Report:
    path = tmp_path / "model.yaml"
    path.write_text(text, encoding="utf-8")
    return api.check(load_model([str(path)]), api.CheckOptions(today=TODAY))


def only_result(report: api.Report) -> api.PolicyResult:
    (result,) = report.results
    return result


@pytest.mark.parametrize("foothold", ["laptops", "10.0.3.0/30", "corp"])
def test_only_via_fleet_holding_the_via_address_sends_from_the_rest_only(
    tmp_path: Path, foothold: str
) -> None:
    """The issue's model: only the jump host's address may reach app, and no one sends from it."""
    text = LAPTOPS_HOLD_JUMP.replace("FROM", "10.0.3.1").replace("FOOTHOLD", foothold)
    assert only_result(check_text(tmp_path, text)).status == Status.PROVED


def test_only_via_fleet_sends_from_its_other_addresses(tmp_path: Path) -> None:
    """The same fleet, and a rule that lets its whole range through: its other addresses pass."""
    text = LAPTOPS_HOLD_JUMP.replace("FROM", "10.0.3.0/30").replace("FOOTHOLD", "laptops")
    result = only_result(check_text(tmp_path, text))
    assert result.status == Status.VIOLATED
    assert isinstance(result.witness, PathWitness)
    sources = [h.packet.src for h in result.witness.path if h.packet is not None]
    assert sources and all(src != 0x0A000301 for src in sources)  # never 10.0.3.1, the jump host's
