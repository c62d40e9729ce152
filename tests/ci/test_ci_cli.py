"""The CI formats and knobs through `segverify check`: payload alone on stdout, several outputs, exits.

These run once the CLI offers `--format sarif` (the wiring lives in segverify/cli.py).
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from ci_real import ROOT
from test_ci_github import LINE
from typer.testing import CliRunner  # noqa: TID251 (tests drive the CLI)

from segverify import cli
from segverify.render.github import render_github
from segverify.results import PolicyResult, Report, Status

CHECK_HELP = CliRunner().invoke(cli.app, ["check", "--help"], terminal_width=200).stdout
DIFF_HELP = CliRunner().invoke(cli.app, ["diff", "--help"], terminal_width=200).stdout  # ci.md's PR job
pytestmark = pytest.mark.skipif(
    "--sarif" not in CHECK_HELP, reason="the CI formats are not wired into `segverify check` yet"
)

QUICKSTART = "examples/quickstart/model.yaml"  # QS-002 (high) violated, two proved
WAIVERS = "tests/cases/waivers"  # WV-01 waived, WV-02 expired, WV-03 stale
TODAY = ("--today", "2026-11-23")


@pytest.fixture(autouse=True)
def _at_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli.app, ["check", *args])
    return result.exit_code, result.stdout, result.stderr


def test_sarif_on_stdout_is_the_payload_alone() -> None:
    code, out, _ = run(QUICKSTART, "--format", "sarif")
    log = json.loads(out)
    assert code == 1 and [r["ruleId"] for r in log["runs"][0]["results"]] == ["QS-002"]
    uri = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == QUICKSTART


def test_junit_and_github_on_stdout() -> None:
    code, out, _ = run(QUICKSTART, "--format", "junit")
    assert code == 1 and ET.fromstring(out).get("failures") == "1"
    code, out, _ = run(QUICKSTART, "--format", "github")
    assert code == 1 and all(LINE.match(line) for line in out.splitlines())
    assert out.startswith("::error file=examples/quickstart/model.yaml,line=67,")


def test_several_formats_in_one_run(tmp_path: Path) -> None:
    sarif, junit, report = tmp_path / "a.sarif", tmp_path / "b.xml", tmp_path / "c.json"
    code, out, _ = run(QUICKSTART, "--format", "json", "--output", str(report), "--sarif", str(sarif))
    assert code == 1 and out == ""
    assert json.loads(report.read_text())["summary"]["violated"] == 1
    assert json.loads(sarif.read_text())["version"] == "2.1.0"
    code, out, _ = run(QUICKSTART, "--format", "github", "--junit", str(junit))
    assert code == 1 and LINE.match(out.splitlines()[0])
    assert ET.fromstring(junit.read_text()).tag == "testsuites"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((), 1),
        (("--fail-on", "high"), 1),
        (("--fail-on", "critical"), 0),  # QS-002 is high: reported, not failing
        (("--exit-zero",), 0),
        (("--fail-on", "low", "--exit-zero"), 0),
    ],
)
def test_fail_on_and_exit_zero(args: tuple[str, ...], expected: int) -> None:
    code, out, _ = run(QUICKSTART, "--format", "json", *args)
    assert code == expected
    assert json.loads(out)["summary"]["violated"] == 1  # still reported


def test_bad_fail_on_is_a_usage_error() -> None:
    code, out, _ = run(QUICKSTART, "--fail-on", "severe")
    assert code == 2 and out == ""


@pytest.mark.parametrize(
    ("args", "summary", "expected"),
    [
        (TODAY, {"proved": 1, "violated": 1, "waived": 1, "unknown": 0}, 1),  # WV-02 expired
        ((*TODAY, "--no-waivers"), {"proved": 1, "violated": 2, "waived": 0, "unknown": 0}, 1),
        (("--today", "2025-01-01"), {"proved": 1, "violated": 0, "waived": 2, "unknown": 0}, 0),
    ],
)
def test_waiver_governance(args: tuple[str, ...], summary: dict[str, int], expected: int) -> None:
    code, out, _ = run(WAIVERS, "--format", "json", *args)
    assert json.loads(out)["summary"] == summary and code == expected


def test_stale_waiver_is_reported_in_every_ci_format() -> None:
    _, sarif, _ = run(WAIVERS, "--format", "sarif", *TODAY)
    notes = json.loads(sarif)["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert any("WV-03" in n["message"]["text"] for n in notes)
    _, github, _ = run(WAIVERS, "--format", "github", *TODAY)
    assert "::notice file=tests/cases/waivers/model.yaml,line=15,col=5,title=WV-03 stale waiver::" in github
    _, junit, _ = run(WAIVERS, "--format", "junit", *TODAY)
    assert "stale waiver" in junit


# docs/ci.md also shows the SARIF validator's command and gh's (the diff job's comment)
MULTITOOL_OPTIONS = {"--rule-kind", "--log", "--body-file"}


def test_the_docs_only_use_options_the_cli_has() -> None:
    docs = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
    used = set(re.findall(r"(?<![\w-])--[a-z][a-z-]+", docs)) - MULTITOOL_OPTIONS
    assert {"--fail-on", "--exit-zero", "--no-waivers", "--sarif", "--junit"} <= used
    assert sorted(o for o in used if o not in CHECK_HELP and o not in DIFF_HELP) == []


# ---- issue #16: a CI set-up that works on a real repository ---------------------------------------

FLAWED = "examples/remote-access-vendor/flawed"


def sarif_results(out: str) -> list[dict[str, object]]:
    results: list[dict[str, object]] = json.loads(out)["runs"][0]["results"]
    return results


def test_sarif_category_is_stable_and_set_by_option(tmp_path: Path) -> None:
    """Adding a file that sorts first must not rename the analysis (old alerts would never close)."""
    model = tmp_path / "net"
    model.mkdir()
    (model / "model.yaml").write_text((ROOT / QUICKSTART).read_text())
    _, before, _ = run(str(model), "--format", "sarif")
    (model / "00-meta.yaml").write_text("segverify: 1\n")
    _, after, _ = run(str(model), "--format", "sarif")
    ids = [json.loads(out)["runs"][0]["automationDetails"]["id"] for out in (before, after)]
    assert ids == ["segverify/", "segverify/"]
    _, out, _ = run(str(model), "--format", "sarif", "--category", "prod-network")
    assert json.loads(out)["runs"][0]["automationDetails"]["id"] == "segverify/prod-network/"


def test_policy_packs_ship_inside_the_package_and_are_named() -> None:
    code, out, _ = run(FLAWED, "-p", "pack:baseline", *TODAY)
    assert code == 1 and "(pack:baseline:" in out  # the text report names the pack
    code, out, _ = run(FLAWED, "-p", "pack:baseline", "--format", "github", *TODAY)
    files = set(re.findall(r"file=([^,]*)", out))
    assert files and all((ROOT / f).is_file() and f.startswith(FLAWED) for f in files)
    code, _, err = run(QUICKSTART, "-p", "pack:nope")
    assert code == 2 and "no policy pack 'pack:nope'; the packs: pack:baseline" in err


def test_fail_on_makes_a_lower_violation_a_warning() -> None:
    code, out, _ = run(QUICKSTART, "--format", "github", "--fail-on", "critical")  # QS-002 is high
    assert code == 0
    assert out.splitlines()[0].startswith("::warning file=examples/quickstart/model.yaml")
    _, out, _ = run(QUICKSTART, "--format", "sarif", "--fail-on", "critical")
    assert [r["level"] for r in sarif_results(out)] == ["warning"]
    _, out, _ = run(QUICKSTART, "--format", "sarif", "--fail-on", "high")
    assert [r["level"] for r in sarif_results(out)] == ["error"]


def test_one_policy_is_not_one_policies() -> None:
    one = Report(results=(PolicyResult("A", "isolated", Status.PROVED),))
    tally = "::notice title=segverify::1 policy: 1 proved, 0 violated, 0 waived, 0 unknown"
    assert render_github(one).splitlines()[-1] == tally


def test_sarif_message_paths_match_the_locations() -> None:
    code, out, _ = run(str(ROOT / FLAWED), "-p", "pack:three-plane", "--format", "sarif", *TODAY)
    assert code == 1
    for result in sarif_results(out):
        text = result["message"]["text"]  # type: ignore[index]
        assert str(ROOT) not in text
        for cited in re.findall(r"\(([^()\s]+\.yaml):\d+:\d+\)", text):
            assert cited.startswith(FLAWED) and (ROOT / cited).is_file(), cited


def test_a_packet_decided_by_a_default_points_at_the_defaults_line(tmp_path: Path) -> None:
    model = tmp_path / "m.yaml"
    model.write_text(
        "segverify: 1\n"
        "zones: {prod: {networks: [10.20.0.0/16]}}\n"
        "hosts:\n"
        "  mon: {zone: prod, address: 10.20.50.10}\n"
        "  db: {zone: prod, address: 10.20.31.7}\n"
        "flows: [{name: scrape, from: mon, to: db, services: [node-exporter]}]\n"
        "defaults: {intra_zone: deny, inter_zone: deny}\n"
        "policies: [{id: R, reachable: {from: mon, to: prod, services: [node-exporter]}}]\n"
    )
    code, out, _ = run(str(model), "--format", "sarif")
    (result,) = sarif_results(out)
    region = result["locations"][0]["physicalLocation"]["region"]  # type: ignore[index]
    assert code == 1 and region["startLine"] == 7  # `defaults:`, the line that denies it
    assert result["relatedLocations"][0]["message"]["text"] == "the policy"  # type: ignore[index]


def test_lint_sarif_category_is_stable() -> None:
    result = CliRunner().invoke(cli.app, ["lint", "examples/acl-lint", "--format", "sarif"])
    assert json.loads(result.stdout)["runs"][0]["automationDetails"]["id"] == "segverify-lint/"
