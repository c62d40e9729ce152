"""CLI contract of `segverify diff`: the JSON shape, exit codes, intent, each side's errors, --git."""

from __future__ import annotations

import json
import shutil
import subprocess  # noqa: TID251 (the --git test builds a repository)
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner  # noqa: TID251 (tests drive the CLI)

from segverify.cli import app

ROOT = Path(__file__).resolve().parent.parent.parent
REVIEW = "examples/change-review"
VENDOR = "examples/remote-access-vendor"
PACKS = ("-p", "policies/three-plane.yaml", "-p", "policies/baseline.yaml")
GROUP_KEYS = {"from_zone", "to_zone", "src", "dst", "services", "example", "before", "after"}


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["diff", *args])
    return result.exit_code, result.stdout, result.stderr


def run_json(*args: str) -> tuple[int, Any]:
    code, out, _ = run(*args, "--format", "json")
    return code, json.loads(out)


@pytest.fixture(autouse=True)
def _at_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def test_a_prefix_one_bit_too_wide_is_caught_as_collateral() -> None:
    code, doc = run_json(f"{REVIEW}/before", f"{REVIEW}/too-wide", "--intended", f"{REVIEW}/intended.yml")
    assert code == 1
    assert set(doc) == {"segverify_diff", "policies", "packets", "intended", "attack", "changes"}
    (collateral,) = doc["intended"]["collateral"]
    assert set(collateral) == GROUP_KEYS
    assert (collateral["src"], collateral["dst"], collateral["services"]) == (
        ["10.1.0.20/30"],
        ["10.2.0.0/24"],
        ["tcp/22"],
    )
    assert collateral["example"] == {"src": "10.1.0.21", "dst": "10.2.0.1", "proto": "tcp", "port": 22}
    assert collateral["before"] == {
        "action": "deny",
        "rule": {"name": "default:inter_zone", "file": None, "line": None},
    }
    assert collateral["after"]["rule"] == {
        "name": "admin-ssh",
        "file": f"{REVIEW}/too-wide/model.yaml",
        "line": 39,
    }
    assert doc["intended"]["unmet"] == []
    assert doc["changes"]["added"] == [
        {"kind": "rule", "name": "admin-ssh", "after": {"file": f"{REVIEW}/too-wide/model.yaml", "line": 39}}
    ]


def test_the_corrected_change_passes() -> None:
    code, doc = run_json(f"{REVIEW}/before", f"{REVIEW}/corrected", "--intended", f"{REVIEW}/intended.yml")
    assert code == 0
    assert doc["intended"] == {"collateral": [], "unmet": []}
    (opened,) = doc["packets"]["opened"]
    assert opened["src"] == ["10.1.0.16/30"] and doc["packets"]["closed"] == []
    assert [(p["id"], p["change"]) for p in doc["policies"]] == [("CR-001", "unchanged"), ("CR-002", "fixed")]
    assert run(f"{REVIEW}/before", f"{REVIEW}/corrected", "--fail-on", "opened")[0] == 1


def test_an_intended_change_not_made_is_unmet(tmp_path: Path) -> None:
    intent = tmp_path / "intent.yaml"
    intent.write_text("- {from: laptops, to: app-01, services: [https], action: deny}\n")
    code, doc = run_json(f"{REVIEW}/before", f"{REVIEW}/corrected", "--intended", str(intent))
    assert code == 1
    (unmet,) = doc["intended"]["unmet"]
    assert (unmet["src"], unmet["dst"], unmet["after"]["rule"]["name"]) == (
        ["10.1.0.128/25"],
        ["10.2.0.10/32"],
        "office-to-apps",
    )
    assert len(doc["intended"]["collateral"]) == 1  # the admin SSH is now outside the intent


def test_the_migration_change_reopens_the_breach() -> None:
    code, doc = run_json(f"{VENDOR}/segregated", f"{VENDOR}/migration", *PACKS)
    assert code == 1
    regressed = {p["id"]: p for p in doc["policies"] if p["change"] == "regressed"}
    assert {"RAV-003", "RAV-004"} <= set(regressed)
    assert regressed["RAV-003"]["after"] == "violated" and "witness" in regressed["RAV-003"]
    gained = [
        g
        for g in doc["attack"]["gained"]
        if g.get("host") == "prod-db-01" and g["foothold"] == "alice@internet"
    ]
    assert gained and gained[0]["witness"]["path"][-1]["to"] == "prod-db-01"
    assert gained[0]["witness"]["path"][-1]["credential"] == "svc-migration"
    assert doc["attack"]["lost"] == []
    (opened,) = doc["packets"]["opened"]
    assert (opened["src"], opened["dst"], opened["services"]) == (
        ["10.10.1.30/32"],
        ["10.20.30.10/32"],
        ["tcp/22"],
    )


def test_reversed_sides_swap_opened_and_closed_and_identical_sides_are_empty() -> None:
    _, forward = run_json(f"{REVIEW}/before", f"{REVIEW}/too-wide")
    _, backward = run_json(f"{REVIEW}/too-wide", f"{REVIEW}/before")

    def spaces(groups: list[dict[str, Any]]) -> list[tuple[object, ...]]:
        return sorted((g["src"], g["dst"], g["services"]) for g in groups)

    assert forward["packets"]["opened"] and spaces(forward["packets"]["opened"]) == spaces(
        backward["packets"]["closed"]
    )
    assert spaces(forward["packets"]["closed"]) == spaces(backward["packets"]["opened"]) == []
    assert "intended" not in forward  # only with --intended
    code, same = run_json(f"{REVIEW}/before", f"{REVIEW}/before", "--fail-on", "any")
    assert code == 0
    assert same["packets"] == {"opened": [], "closed": []}
    assert same["attack"] == {"gained": [], "lost": []}
    assert same["changes"] == {"added": [], "removed": [], "changed": []}


def test_bad_input_names_the_side_and_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "after"
    shutil.copytree(ROOT / REVIEW / "corrected", bad)
    text = (
        (bad / "model.yaml")
        .read_text()
        .replace("to: servers\n    services: [ssh]", "to: serverz\n    services: [ssh]")
    )
    (bad / "model.yaml").write_text(text)
    code, out, err = run(f"{REVIEW}/before", str(bad))
    assert code == 2 and out == ""
    assert "in AFTER" in err and f"{bad / 'model.yaml'}:41:" in err and "Traceback" not in err
    code, _, err = run(str(bad), f"{REVIEW}/before")
    assert code == 2 and "in BEFORE" in err
    assert run(f"{REVIEW}/before")[0] == 2
    assert run(f"{REVIEW}/before", f"{REVIEW}/before", "--fail-on", "sometimes")[0] == 2
    assert run(f"{REVIEW}/before", f"{REVIEW}/before", "--format", "yaml")[0] == 2


def test_a_bad_intent_file_is_located(tmp_path: Path) -> None:
    intent = tmp_path / "intent.yaml"
    intent.write_text("- {from: admin-ws, to: nowhere, services: [ssh], action: allow}\n")
    code, _, err = run(f"{REVIEW}/before", f"{REVIEW}/corrected", "--intended", str(intent))
    assert code == 2 and f"{intent}:1:" in err and "nowhere" in err


def test_an_unknown_policy_after_exits_3() -> None:
    code, doc = run_json(f"{REVIEW}/before", f"{REVIEW}/before", "--rlimit", "1")
    assert code == 3
    assert {p["after"] for p in doc["policies"]} == {"unknown"}


def test_markdown_is_a_comment_and_sarif_anchors_in_after() -> None:
    code, out, _ = run(f"{VENDOR}/segregated", f"{VENDOR}/migration", *PACKS, "--format", "markdown")
    assert code == 1 and out.startswith("**segverify diff**: policies: 7 regressed")
    assert "| `RAV-003` | proved | violated | **regressed** |" in out and "<details>" in out
    _, out, _ = run(
        f"{REVIEW}/before", f"{REVIEW}/too-wide", "--intended", f"{REVIEW}/intended.yml", "-f", "sarif"
    )
    (sarif_run,) = json.loads(out)["runs"]
    assert sarif_run["automationDetails"]["id"] == "segverify-diff/"  # apart from check's alerts
    (result,) = sarif_run["results"]
    assert result["ruleId"] == "segverify-diff/collateral"
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == f"{REVIEW}/too-wide/model.yaml"
    assert location["region"]["startLine"] == 39
    _, out, _ = run(f"{VENDOR}/segregated", f"{VENDOR}/migration", *PACKS, "-f", "sarif")
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in json.loads(out)["runs"][0]["results"]
    }
    assert uris and all(u.startswith(("policies/", f"{VENDOR}/migration/")) for u in uris)


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_git_compares_the_work_tree_with_a_ref(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(ROOT / REVIEW / "before", repo / "models")
    _git(repo, "init", "-q")
    _git(repo, "add", ".")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "base")
    shutil.copy(ROOT / REVIEW / "too-wide" / "model.yaml", repo / "models" / "model.yaml")
    monkeypatch.chdir(repo)
    code, doc = run_json("--git", "HEAD", "models", "--intended", str(ROOT / REVIEW / "intended.yml"))
    assert code == 1 and len(doc["intended"]["collateral"]) == 1
    assert doc["changes"]["added"][0]["after"]["file"] == "models/model.yaml"
    assert _status(repo) == ""  # nothing written, nothing checked out
    (repo / "models" / "model.yaml").write_text("segverify: 1\nzones: [\n")
    code, _, err = run("--git", "HEAD", "models")
    assert code == 2 and "in AFTER" in err
    code, _, err = run("--git", "no-such-ref", "models")
    assert code == 2 and "--git" in err
    code, _, err = run("--git", "HEAD", "elsewhere")
    assert code == 2 and "'elsewhere' does not exist at HEAD" in err


def _status(repo: Path) -> str:
    done = subprocess.run(["git", "-C", str(repo), "status", "--porcelain"], capture_output=True, text=True)
    return done.stdout.replace(" M models/model.yaml\n", "")


def test_a_foothold_option_adds_a_reach_probe() -> None:
    _, plain = run_json(f"{REVIEW}/before", f"{REVIEW}/too-wide")
    assert plain["attack"]["gained"] == []  # CR-001's laptops gain nothing
    code, doc = run_json(
        f"{REVIEW}/before", f"{REVIEW}/too-wide", "--foothold", "admin-ws", "--fail-on", "opened"
    )
    assert code == 1
    gained = {g["host"]: g["witness"]["path"] for g in doc["attack"]["gained"] if "host" in g}
    assert sorted(gained) == ["app-01", "app-02"]  # admin-ws holds the admins' sessions, now with SSH
    assert gained["app-01"][-1]["move"] == "login" and gained["app-01"][-1]["rule"]["name"] == "admin-ssh"
    assert run(f"{REVIEW}/before", f"{REVIEW}/too-wide", "--foothold", "nowhere")[0] == 2


LAYERS = "tests/diff/data/layers"


def _deciders(rules: list[dict[str, Any]]) -> list[tuple[str | None, str]]:
    return [(r["layer"], r["name"]) for r in rules]


def test_a_layered_change_reports_every_layers_deciding_rule() -> None:
    code, doc = run_json(f"{LAYERS}/before.yaml", f"{LAYERS}/after.yaml")
    assert code == 1  # WEB-SSH regressed
    assert [(p["id"], p["change"]) for p in doc["policies"]] == [("WEB-SSH", "regressed")]
    (opened,) = doc["packets"]["opened"]
    assert set(opened) == GROUP_KEYS | {"rules_before", "rules_after"}
    assert (opened["src"], opened["dst"], opened["services"]) == (
        ["10.1.0.5/32"],
        ["10.2.0.5/32"],
        ["tcp/22"],
    )
    assert opened["before"]["rule"]["name"] == "default:inter_zone@host-fw"  # the denying layer's
    assert _deciders(opened["rules_before"]) == [
        (None, "office-to-servers"),
        ("host-fw", "default:inter_zone@host-fw"),
    ]
    assert _deciders(opened["rules_after"]) == [
        (None, "office-to-servers"),
        ("host-fw", "web-ssh-pc"),
        ("pc-fw", "default:inter_zone@pc-fw"),  # a layer the change added decides too
    ]
    assert opened["rules_after"][1] == {
        "layer": "host-fw",
        "name": "web-ssh-pc",
        "action": "allow",
        "file": f"{LAYERS}/after.yaml",
        "line": 15,
    }
    # https from pc is closed by the added layer: to web (where host-fw applies) and to the rest
    # of servers (where it does not) are two groups, as their deciding rules differ
    closed = doc["packets"]["closed"]
    assert [_deciders(g["rules_before"]) for g in closed] == [
        [(None, "office-to-servers")],
        [(None, "office-to-servers"), ("host-fw", "web-https")],
    ]
    assert {g["after"]["rule"]["name"] for g in closed} == {"pc-no-https"}
    assert doc["changes"]["added"] == [
        {"kind": "rule", "name": "pc-no-https", "after": {"file": f"{LAYERS}/after.yaml", "line": 20}},
        {"kind": "rule", "name": "web-ssh-pc", "after": {"file": f"{LAYERS}/after.yaml", "line": 15}},
        {"kind": "layer", "name": "pc-fw", "after": {"file": f"{LAYERS}/after.yaml", "line": 16}},
    ]
    code, doc = run_json(f"{LAYERS}/after.yaml", f"{LAYERS}/before.yaml")  # the layer removed
    assert [g["src"] for g in doc["packets"]["opened"]] == [g["src"] for g in closed]
    assert [r["name"] for r in doc["changes"]["removed"]] == ["pc-no-https", "web-ssh-pc", "pc-fw"]


def test_a_layered_diff_in_text_and_markdown_names_layer_and_rule() -> None:
    code, text, _ = run(f"{LAYERS}/before.yaml", f"{LAYERS}/after.yaml")
    assert code == 1
    assert (
        "OPENED office -> servers: deny by host-fw:default:inter_zone -> "
        f"allow by office-to-servers ({LAYERS}/after.yaml:9:5)"
    ) in text
    assert "  every layer after: office-to-servers, host-fw:web-ssh-pc, pc-fw:default:inter_zone\n" in text
    _, markdown, _ = run(f"{LAYERS}/before.yaml", f"{LAYERS}/after.yaml", "--format", "markdown")
    assert "allow by `office-to-servers` (every layer: `office-to-servers`, `host-fw:web-ssh-pc`" in markdown


def test_identical_layered_models_have_an_empty_diff() -> None:
    code, doc = run_json(f"{LAYERS}/after.yaml", f"{LAYERS}/after.yaml")
    assert code == 0
    assert doc["packets"] == {"opened": [], "closed": []}
    assert doc["changes"] == {"added": [], "removed": [], "changed": []}


LAYERED_REACH = """\
segverify: 1
zones:
  office: {networks: [10.1.0.0/16]}
  servers: {networks: [10.2.0.0/16]}
hosts:
  pc: {zone: office, address: 10.1.0.5}
  web: {zone: servers, address: 10.2.0.5, services: [https, ssh]}
  db: {zone: servers, address: 10.2.0.6, services: [postgres]}
defaults:
  attacker: {exploits: exposed}
flows:
  - {name: office-to-servers, from: office, to: servers, services: [https, ssh]}
  - {name: web-to-db, from: web, to: db, services: [postgres]}
layers:
  - name: host-fw
    applies_to: {to: web}
    flows:
      - {name: web-https, from: any, to: web, services: [https]}
policies:
  - id: DB
    isolated: {from: office, to: db}
"""


def test_attack_reach_passes_every_layer_on_both_sides(tmp_path: Path) -> None:
    """Closing https in the host firewall layer takes web and db out of the office's reach."""
    before, after = tmp_path / "before.yaml", tmp_path / "after.yaml"
    before.write_text(LAYERED_REACH, encoding="utf-8")
    after.write_text(LAYERED_REACH.replace("services: [https]}", "services: [https], action: deny}"))
    code, doc = run_json(str(before), str(after), "--foothold", "office")
    assert code == 0, doc  # a policy fixed is no regression
    lost = {(x["foothold"], x["host"]) for x in doc["attack"]["lost"]}
    assert lost == {("office", "web"), ("office", "db")} and doc["attack"]["gained"] == []
    code, doc = run_json(str(after), str(before), "--foothold", "office")
    gained = {x["host"]: x["witness"] for x in doc["attack"]["gained"]}
    assert code == 1 and set(gained) == {"web", "db"}
    (hop,) = [h for h in gained["web"]["path"] if h["move"] == "exploit"]
    assert [r["name"] for r in hop["rules"]] == ["office-to-servers", "web-https"]


def test_an_intent_on_a_layered_change_finds_the_collateral(tmp_path: Path) -> None:
    intent = tmp_path / "intent.yaml"
    intent.write_text("- {from: pc, to: web, services: [ssh], action: allow}\n")
    code, doc = run_json(f"{LAYERS}/before.yaml", f"{LAYERS}/after.yaml", "--intended", str(intent))
    assert code == 1
    assert doc["intended"]["unmet"] == []
    collateral = doc["intended"]["collateral"]  # the https the added layer closes was not intended
    assert [g["services"] for g in collateral] == [["tcp/443"], ["tcp/443"]]
    assert all(g["rules_after"][-1]["name"] == "pc-no-https" for g in collateral)


def test_collateral_a_layers_default_decides_is_anchored_at_the_layer(tmp_path: Path) -> None:
    intent = tmp_path / "intent.yaml"
    intent.write_text("- {from: pc, to: servers, services: [https], action: allow}\n")
    # back from AFTER to BEFORE: ssh from pc to web falls to host-fw's default deny again
    code, out, _ = run(
        f"{LAYERS}/after.yaml", f"{LAYERS}/before.yaml", "--intended", str(intent), "--format", "sarif"
    )
    assert code == 1
    (result,) = json.loads(out)["runs"][0]["results"]
    where = result["locations"][0]["physicalLocation"]
    assert (where["artifactLocation"]["uri"], where["region"]["startLine"]) == (f"{LAYERS}/before.yaml", 11)
    assert result["message"]["text"].splitlines()[0].endswith("deny by host-fw:default:inter_zone")
