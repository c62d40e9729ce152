"""CLI contract of `segverify fix`: the flagship fixed and its written model checks clean,
exit codes 0/1/2/3, JSON shape, costs file, --keep, alternatives, an infeasible conflict."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from segverify import api
from segverify.model.load import load_model
from tests.test_cli_check import run

ROOT = Path(__file__).resolve().parent.parent.parent
VENDOR = "examples/remote-access-vendor"
PACKS = ("-p", "policies/three-plane.yaml", "-p", "policies/baseline.yaml")

# One web server, SSH for alice only; a stolen alice password from the internet must not take it.
SMALL = """\
segverify: 1
zones:
  internet: {external: true, networks: [0.0.0.0/0]}
  dmz: {networks: [10.1.0.0/24]}
hosts:
  web: {zone: dmz, address: 10.1.0.10, services: [ssh, https], logins: [alice]}
accounts:
  alice: {}
flows:
  - name: internet-to-web   # the only way in
    from: internet
    to: web
    services: [ssh, https]
policies:
  - id: ISO-1
    isolated: {from: {account: alice, at: internet}, to: web}
"""

REACH = """\
  - id: REACH-1
    reachable: {from: internet, to: web, services: [ssh]}
"""


@pytest.fixture(autouse=True)
def _at_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def small(tmp_path: Path, text: str = SMALL) -> str:
    path = tmp_path / "model.yaml"
    path.write_text(text)
    return str(path)


def test_flagship_fixed_optimally_and_written_model_checks_clean(tmp_path: Path) -> None:
    out_dir = tmp_path / "fixed"
    named = ("-p", "pack:three-plane", "-p", "pack:baseline")  # shipped: --write copies them out too
    code, out, err = run(
        "fix",
        f"{VENDOR}/flawed",
        *named,
        "--costs",
        "docs/fix-costs.yaml",
        "-f",
        "json",
        "--write",
        str(out_dir),
    )
    assert code == 0, err
    answer = json.loads(out)
    assert answer["optimal"] is True and answer["cost"] == answer["lower_bound"] == 36
    assert set(answer["recheck"].values()) == {"proved"} and len(answer["recheck"]) == 22
    assert answer["out_of_scope"] == ["PLANE-010", "PLANE-011"]  # resilient: not targeted
    kinds = {(c["kind"], c["target"]["name"]) for c in answer["changes"]}
    assert ("delete_rule", "migration-temp") in kinds  # F4, as in the segregated variant
    assert ("patch_service", "www") in kinds  # F8
    first = answer["changes"][0]
    assert first["target"]["file"].endswith(".yaml") and first["target"]["line"] > 0 and first["cuts"]
    report = api.check(load_model([str(out_dir)]))
    assert {r.status.value for r in report.results} == {"proved"} and len(report.results) == 22


def test_nothing_to_fix_exits_0() -> None:
    code, out, _ = run("fix", f"{VENDOR}/segregated", *PACKS)
    assert code == 0 and out.startswith("nothing to fix")


def test_text_names_the_change_with_file_line_and_optimality(tmp_path: Path) -> None:
    code, out, _ = run("fix", small(tmp_path))
    assert code == 0
    assert "model.yaml:8: account alice: require MFA (mfa: true)  [cost 1; cuts ISO-1]" in out
    assert "cost 1: optimal (lower bound = 1)" in out
    assert "PROVED   ISO-1" in out


def test_alternatives_of_the_same_cost(tmp_path: Path) -> None:
    code, out, _ = run("fix", small(tmp_path), "--alternatives", "1", "-f", "json")
    answer = json.loads(out)
    assert code == 0 and answer["cost"] == 1 and len(answer["alternatives"]) == 1
    first = {c["kind"] for c in answer["changes"]}
    other = {c["kind"] for c in answer["alternatives"][0]["changes"]}
    assert answer["alternatives"][0]["cost"] == 1 and first != other
    assert first | other == {"require_mfa", "remove_login"}


def test_keep_freezes_an_item(tmp_path: Path) -> None:
    frozen = ("--keep", "alice", "--keep", "web", "--keep", "dmz")
    code, out, _ = run("fix", small(tmp_path), *frozen, "-f", "json")
    answer = json.loads(out)
    assert code == 0
    assert {c["target"]["name"] for c in answer["changes"]} == {"internet-to-web"}
    assert answer["changes"][0]["kind"] == "narrow_rule" and answer["cost"] == 2


def test_costs_file_changes_the_answer(tmp_path: Path) -> None:
    costs = tmp_path / "costs.yaml"
    costs.write_text(
        "kinds: {require_mfa: 5, remove_login: 5, remove_member: never}\nnames: {dmz: 9, web: 9}\n"
    )
    code, out, _ = run("fix", small(tmp_path), "--costs", str(costs), "-f", "json")
    answer = json.loads(out)
    assert code == 0 and answer["cost"] == 2
    assert [c["kind"] for c in answer["changes"]] == ["narrow_rule"]


def test_bad_costs_file_is_bad_input_with_location(tmp_path: Path) -> None:
    costs = tmp_path / "costs.yaml"
    costs.write_text("kinds:\n  delete_rule: 0\n")
    code, out, err = run("fix", small(tmp_path), "--costs", str(costs))
    assert code == 2 and out == ""
    assert f"{costs}:2:" in err and "bad-value" in err


def test_unknown_keep_is_a_usage_error(tmp_path: Path) -> None:
    code, _, err = run("fix", small(tmp_path), "--keep", "nosuch")
    assert code == 2 and "--keep 'nosuch'" in err


def test_infeasible_conflict_exits_1_with_the_policies(tmp_path: Path) -> None:
    # REACH-1 needs internet -> web on SSH, the very door ISO-1 must close; alice and web frozen.
    code, out, _ = run("fix", small(tmp_path, SMALL + REACH), "--keep", "alice", "--keep", "web")
    assert code == 1
    assert "these policies conflict: ISO-1, REACH-1" in out
    assert "VIOLATED ISO-1" in out  # the witness of the conflict


def test_infeasible_json(tmp_path: Path) -> None:
    code, out, _ = run(
        "fix", small(tmp_path, SMALL + REACH), "--keep", "alice", "--keep", "web", "-f", "json"
    )
    answer = json.loads(out)
    assert code == 1 and answer["status"] == "infeasible" and answer["optimal"] is False
    assert answer["conflict"]["policies"] == ["ISO-1", "REACH-1"]


def test_timeout_is_unknown_exit_3_never_a_fix(tmp_path: Path) -> None:
    code, out, _ = run("fix", small(tmp_path), "--timeout", "0.000001", "-f", "json")
    answer = json.loads(out)
    assert code == 3 and answer["status"] == "unknown" and answer["optimal"] is False


def test_docs_show_the_cost_and_flow_files_they_name() -> None:
    page = (ROOT / "docs" / "fix.md").read_text()
    for name, shown in (
        ("fix-costs.yaml", "fix-costs.yaml"),
        ("fix-business-flows.yaml", "business-flows.yaml"),
    ):
        text = (ROOT / "docs" / name).read_text()
        assert f"<!-- file: {shown} -->\n```yaml\n{text}```" in page


WAIVED = (
    SMALL
    + """\
waivers:
  - policy: ISO-1
    reason: MFA rollout tracked in SEC-1
    expires: 2999-12-31
"""
)


def test_waived_violations_are_fixed_unless_kept(tmp_path: Path) -> None:
    code, out, _ = run("fix", small(tmp_path, WAIVED), "-f", "json")
    answer = json.loads(out)
    assert code == 0 and answer["targets"] == ["ISO-1"] and answer["cost"] == 1
    code, out, _ = run("fix", small(tmp_path, WAIVED), "--keep-waived")
    assert code == 0 and out.startswith("nothing to fix")
