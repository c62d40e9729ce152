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


GROUP_FOOTHOLD = """\
segverify: 1
zones:
  internet: {external: true, networks: [0.0.0.0/0]}
  prod: {networks: [10.0.4.0/24]}
hosts:
  app: {zone: prod, address: 10.0.4.10, services: [ssh], logins: [bob]}
  db: {zone: prod, address: 10.0.4.20, services: [ssh], logins: [carol]}
accounts: {bob: {member_of: [ops]}, carol: {member_of: [dba]}}
groups: {dba: {member_of: [ops]}}
flows: [{name: vpn, from: internet, to: prod, services: [ssh]}]
policies:
  - {id: G, isolated: {from: {account: ops, at: internet}, to: db}}
  - {id: H, isolated: {from: {account: dba, at: internet}, to: app}}
"""


def test_group_foothold_holds_every_member_accounts_credentials(tmp_path: Path) -> None:
    """docs/model-format.md: an account foothold may name a group (transitive members' credentials)."""
    report = check_text(tmp_path, GROUP_FOOTHOLD)
    by_id = {r.id: r for r in report.results}
    assert by_id["H"].status == Status.PROVED  # dba holds carol only, who may not log in on app
    g = by_id["G"]
    assert g.status == Status.VIOLATED and isinstance(g.witness, PathWitness)
    assert [(h.move, h.credential) for h in g.witness.path] == [("foothold", "carol"), ("login", "carol")]


def run_cli(*args: str) -> tuple[int, str, str]:
    from typer.testing import CliRunner  # noqa: TID251 (tests drive the CLI)

    from segverify.cli import app

    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_paths_account_may_name_a_group(tmp_path: Path) -> None:
    (tmp_path / "m.yaml").write_text(GROUP_FOOTHOLD, encoding="utf-8")
    code, out, err = run_cli(
        "paths",
        str(tmp_path / "m.yaml"),
        "--from",
        "internet",
        "--to",
        "db",
        "--account",
        "ops",
        "-f",
        "json",
    )
    assert code == 1, err
    assert "carol" in out


TAGGED_INTERNET = GROUP_FOOTHOLD.replace(
    "internet: {external: true, networks: [0.0.0.0/0]}",
    "internet: {external: true, networks: [0.0.0.0/0], tags: [outside]}",
).replace("logins: [bob]}", "logins: [bob], vulnerable: [ssh]}")


def test_paths_from_a_tag_only_hostless_zones_carry(tmp_path: Path) -> None:
    """`check` accepts `from: tag:outside` carried by the hostless internet zone; so does `paths`."""
    (tmp_path / "m.yaml").write_text(TAGGED_INTERNET, encoding="utf-8")
    code, out, err = run_cli("paths", str(tmp_path / "m.yaml"), "--from", "tag:outside", "--to", "app")
    assert code == 1, err
    assert "exploit" in out
    code, _, err = run_cli("paths", str(tmp_path / "m.yaml"), "--from", "tag:nowhere", "--to", "app")
    assert code == 2 and "no zone or host carries" in err
    code, _, err = run_cli("paths", str(tmp_path / "m.yaml"), "--from", "internet", "--to", "tag:outside")
    assert code == 2 and "no host carries" in err


EMPTY_GROUP = """\
segverify: 1
zones: {corp: {networks: [10.0.3.0/24]}, prod: {networks: [10.0.4.0/24]}}
hosts:
  pc: {zone: corp, address: 10.0.3.5, services: [rdp], logins: [alice, SECOND]}
  app: {zone: prod, address: 10.0.4.10, services: [ssh], logins: [FIRST], sessions: [SESSION]}
accounts: {alice: {}, bob: {}}
groups: {break-glass: {member_of: [admins]}, admins: {}}
policies: [{id: S, separate_accounts: {zones: [corp, prod]}}]
"""


@pytest.mark.parametrize(
    ("first", "second", "session", "reason"),
    [
        ("break-glass", "break-glass", "bob", "login"),  # one empty group granted in both zones
        ("admins", "break-glass", "bob", "login"),  # through the group it is in
        ("bob", "break-glass", "admins", "session"),  # sessions of its parent group in prod
    ],
)
def test_separate_accounts_reports_a_group_without_members(
    tmp_path: Path, first: str, second: str, session: str, reason: str
) -> None:
    """A group is a principal: granted in two zones, its next member breaks separation."""
    text = EMPTY_GROUP.replace("FIRST", first).replace("SECOND", second).replace("SESSION", session)
    result = only_result(check_text(tmp_path, text))
    assert result.status == Status.VIOLATED
    assert result.witness is not None
    assert (result.witness.principal, result.witness.reason) == ("break-glass", reason)  # type: ignore[union-attr]


def test_separate_accounts_still_proves_an_empty_group_in_one_zone(tmp_path: Path) -> None:
    text = EMPTY_GROUP.replace("FIRST", "bob").replace("SECOND", "break-glass").replace("SESSION", "bob")
    result = only_result(check_text(tmp_path, text))
    assert result.status == Status.PROVED


def test_paths_are_ordered_by_steps_fewest_first() -> None:
    """docs/cli.md: fewest steps (moves, footholds aside) first; the first is the shortest."""
    import json

    root = Path(__file__).resolve().parent.parent
    code, out, err = run_cli(
        "paths", str(root / "examples/remote-access-vendor/flawed"), "--from", "internet",
        "--account", "alice", "--to", "production", "-k", "6", "-f", "json",
    )  # fmt: skip
    assert code == 1, err
    steps = [sum(1 for h in p["path"] if h["move"] != "foothold") for p in json.loads(out)["paths"]]
    assert len(steps) == 6 and steps == sorted(steps) and steps[0] == 4
