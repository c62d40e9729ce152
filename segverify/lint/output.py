"""Lint stage: a lint report in the format asked for (paths as given: run from the repository root)."""

from __future__ import annotations

from segverify.lint.findings import LintReport


def render_lint(report: LintReport, fmt: str) -> str:
    if fmt == "sarif":
        from segverify.lint.sarif import render_sarif

        return render_sarif(report, ".")
    from segverify.lint import render

    if fmt == "json":
        return render.render_json(report)
    if fmt == "github":
        return render.render_github(report, ".")
    return render.render_text(report)
