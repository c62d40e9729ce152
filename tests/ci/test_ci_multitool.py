"""SARIF passes Microsoft's SARIF Multitool with GitHub's ingestion rules (`--rule-kind Sarif;Gh`).

The binary is installed by scripts/install-sarif-multitool.sh (make test runs it). Missing in
CI (the CI variable set) is a failure, never a skip: the gate is only as good as this check.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import subprocess  # noqa: TID251 (the validator is an external binary)
import sys
from pathlib import Path
from typing import Any

import pytest
from ci_fixtures import full_report, only, policy, report_of

from segverify.diagnostics import Span
from segverify.render.sarif import render_sarif
from segverify.results import Report, Status

ROOT = Path(__file__).resolve().parents[2]
LOCAL = ROOT / ".tools/sarif-multitool/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool"


def multitool() -> str:
    """The binary: $SARIF_MULTITOOL, the project-local install, or one on PATH."""
    for candidate in (os.environ.get("SARIF_MULTITOOL"), str(LOCAL), shutil.which("Sarif.Multitool")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    reason = "Sarif.Multitool not installed: run scripts/install-sarif-multitool.sh (make test does)"
    if os.environ.get("CI"):
        pytest.fail(reason + " [CI is set: the SARIF check must run]")
    pytest.skip(reason)


def golden_reports(tmp_path: Path) -> dict[str, Report]:
    absolute = str(tmp_path / "infra" / "net.yaml")
    moved = dataclasses.replace(policy("ABS-1", "no_flow", Status.UNKNOWN, 4), source=Span(absolute, 4, 3))
    no_span = dataclasses.replace(policy("NOSPAN-1", "reachable", Status.UNKNOWN, 1), source=None)
    return {
        "full": full_report(),
        "shifted": full_report(shift=11, via="bastion"),
        "proved-only": only(full_report(), Status.PROVED),
        "waived-only": only(full_report(), Status.WAIVED),
        "unknown-only": only(full_report(), Status.UNKNOWN),
        "empty": Report(results=()),
        "absolute-paths": Report(results=(moved,), files=(absolute,)),
        "no-span": report_of(no_span),
    }


def validate(binary: str, files: list[Path], out: Path) -> list[dict[str, Any]]:
    """Run the validator once over all files; its findings are a SARIF log of their own."""
    args = [binary, "validate", *map(str, files), "--rule-kind", "Sarif;Gh", "--output", str(out)]
    done = subprocess.run(
        [*args, "--log", "ForceOverwrite"], capture_output=True, text=True, timeout=300, check=False
    )
    assert out.exists(), f"the multitool wrote no log (exit {done.returncode}):\n{done.stdout}\n{done.stderr}"
    log = json.loads(out.read_text(encoding="utf-8-sig"))
    run = log["runs"][0]
    assert all(inv.get("executionSuccessful", True) for inv in run.get("invocations", []))
    rules = {r["id"]: r for r in run["tool"]["driver"].get("rules", [])}
    findings = []
    for result in run.get("results", []):
        default = rules.get(result["ruleId"], {}).get("defaultConfiguration", {}).get("level", "warning")
        uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        text = result["message"].get("text") or json.dumps(result["message"])
        level = result.get("level", default)
        findings.append({"level": level, "rule": result["ruleId"], "file": uri, "text": text})
    return findings


def test_segverify_sarif_passes_the_multitool_with_github_rules(
    tmp_path: Path, real_reports: dict[str, Report]
) -> None:
    """Hand-built edge cases and the real report of every golden case and example."""
    binary = multitool()
    files = []
    for name, report in golden_reports(tmp_path).items():
        files.append(tmp_path / f"{name}.sarif")
        files[-1].write_text(render_sarif(report, str(tmp_path)), encoding="utf-8")
    for name, report in real_reports.items():
        files.append(tmp_path / (name.replace("/", "_") + ".sarif"))
        files[-1].write_text(render_sarif(report, str(ROOT)), encoding="utf-8")
    findings = validate(binary, files, tmp_path / "validation.sarif")
    print(f"multitool: {len(files)} logs, {len(findings)} findings")
    for f in findings:
        if f["level"] != "error":
            print(f"multitool {f['level']}: {f['rule']} {Path(f['file']).name}: {f['text']}")
    errors = [f for f in findings if f["level"] == "error"]
    assert errors == []


def test_the_validator_catches_what_github_rejects(tmp_path: Path) -> None:
    """The check can fail: a result without locations and a rule without help are errors."""
    binary = multitool()
    log = json.loads(render_sarif(full_report()))
    log["runs"][0]["results"][0]["locations"] = []
    del log["runs"][0]["tool"]["driver"]["rules"][0]["help"]
    broken = tmp_path / "broken.sarif"
    broken.write_text(json.dumps(log), encoding="utf-8")
    findings = validate(binary, [broken], tmp_path / "validation.sarif")
    rules = {f["rule"] for f in findings if f["level"] == "error"}
    assert {"GH1015", "GH2012"} <= rules


def test_a_missing_multitool_fails_in_ci_and_skips_elsewhere(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys.modules[__name__], "LOCAL", Path("/nonexistent/Sarif.Multitool"))
    monkeypatch.delenv("SARIF_MULTITOOL", raising=False)
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI is set"):
        multitool()
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception, match="install-sarif-multitool"):
        multitool()
