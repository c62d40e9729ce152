"""A witness the reference first match does not confirm is an internal error, never a finding."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner  # noqa: TID251 (tests drive the CLI)

from segverify.cli import app
from segverify.errors import InternalError
from segverify.lint.replay import replay, replay_without
from segverify.lint.space import Spaces
from segverify.model.load import load_model
from segverify.model.refs import Resolver
from segverify.results import Packet
from segverify.semantics.regions import FlowTable

ROOT = Path(__file__).resolve().parents[2]


def table() -> FlowTable:
    model = load_model([str(ROOT / "examples/acl-lint")])
    return FlowTable(model, Resolver(model))


def test_a_witness_decided_by_another_rule_is_an_internal_error() -> None:
    t = table()
    deny, permit = t.flows[0], t.flows[1]  # office-no-servers, laptops-to-web (shadowed)
    space = Spaces(t).space(1)
    packet = Packet(0x0A0A0001, 0x0A14000A, 6 * 65536 + 443)  # 10.10.0.1 -> 10.20.0.10 tcp/443
    replay(t, space, packet, deny.rule, "shadowed")  # the truth: the deny decides it
    assert t.decide(packet) == deny.rule  # and first match over the whole list agrees
    with pytest.raises(InternalError, match="decided by office-no-servers"):
        replay(t, space, packet, permit.rule, "partially-shadowed")
    outside = Packet(0x0A0A0001, 0x0A14000B, 6 * 65536 + 443)  # not the web host: not in the box
    with pytest.raises(InternalError, match="in its box: False"):
        replay(t, space, outside, deny.rule, "shadowed")


def test_a_removal_that_changes_the_decision_is_an_internal_error() -> None:
    t = table()
    web_to_db = t.flows[5]
    packet = Packet(0x0A14000A, 0x0A140014, 6 * 65536 + 5432)  # web -> db postgres, intra_zone allow
    assert replay_without(t, web_to_db, [], packet).name == "default:intra_zone"
    deny = t.flows[0]  # office-no-servers: without it, office -> servers falls to inter_zone deny
    office = Packet(0x0A0A0001, 0x0A14000A, 6 * 65536 + 22)
    assert replay_without(t, deny, [], office).action == "deny"
    with pytest.raises(InternalError, match="without it"):
        replay_without(t, t.flows[4], [], Packet(0xCB007101, 0x0A14000A, 6 * 65536 + 22))


def test_a_model_without_rules_lints_clean_of_rule_findings(tmp_path: Path) -> None:
    model = tmp_path / "m.yaml"
    model.write_text(
        "segverify: 1\nzones:\n  a: {networks: [10.0.0.0/24]}\nhosts:\n  h: {zone: a, address: 10.0.0.1}\n"
    )
    result = CliRunner().invoke(app, ["lint", str(model), "--format", "json"])
    assert result.exit_code == 0
    assert '"segverify_lint": 1' in result.stdout and "shadowed" not in result.stdout
