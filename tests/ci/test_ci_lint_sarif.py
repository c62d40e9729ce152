"""`segverify lint --format sarif` passes the SARIF Multitool under GitHub's rules, as check's SARIF does."""

from __future__ import annotations

import os
from pathlib import Path

from test_ci_multitool import ROOT, multitool, validate

from segverify.diagnostics import Span
from segverify.lint.context import LintOptions
from segverify.lint.findings import Finding, LintReport, Subject
from segverify.lint.run import lint
from segverify.lint.sarif import render_sarif
from segverify.model.load import load_model

MODELS = (
    "examples/acl-lint",
    "tests/lint/data/hygiene.yaml",
    "tests/lint/data/unzoned.yaml",
    "examples/quickstart",
)


def lint_reports() -> dict[str, LintReport]:
    before = os.getcwd()
    os.chdir(ROOT)
    try:
        return {m: lint(load_model([m]), LintOptions()) for m in MODELS}
    finally:
        os.chdir(before)


def test_lint_sarif_passes_the_multitool_with_github_rules(tmp_path: Path) -> None:
    binary = multitool()
    reports = lint_reports()
    # Edge cases: no findings at all, and a finding with no place (anchored at the first file).
    reports["empty"] = LintReport(())
    nowhere = Finding("unused", "note", "tag x is used by no tag: reference", Subject("tag", "x"))
    reports["no-span"] = LintReport((nowhere,), ("examples/acl-lint/model.yaml",))
    absolute = Span(str(ROOT / "examples/acl-lint/model.yaml"), 3, 1)
    reports["absolute"] = LintReport((Finding("unused", "note", "m", Subject("zone", "z", absolute)),))
    files = []
    for name, report in reports.items():
        files.append(tmp_path / (name.replace("/", "_") + ".sarif"))
        files[-1].write_text(render_sarif(report, str(ROOT)), encoding="utf-8")
    findings = validate(binary, files, tmp_path / "validation.sarif")
    for f in findings:
        if f["level"] != "error":
            print(f"multitool {f['level']}: {f['rule']} {Path(f['file']).name}: {f['text']}")
    assert [f for f in findings if f["level"] == "error"] == []
