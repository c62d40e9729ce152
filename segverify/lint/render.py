"""Lint stage: findings as text, JSON (the issue's contract), GitHub annotations and SARIF."""

from __future__ import annotations

import json
from typing import Any

from segverify.lint.findings import Finding, LintReport, Subject
from segverify.lint.text import services_list
from segverify.model.addresses import format_set
from segverify.render.github import command
from segverify.render.hops import packet_text
from segverify.render.plain import packet_json
from segverify.render.sarif import usable

Json = dict[str, Any]
GITHUB = {"error": "error", "warning": "warning", "note": "notice"}


def where(s: Subject) -> str:
    return f"{s.span.file}:{s.span.line}:{s.span.column}" if usable(s.span) else "<model>"


def detail_lines(f: Finding) -> list[str]:
    """The witness packet and the related rules, one line each."""
    lines = [f"witness: {packet_text(f.witness)}"] if f.witness is not None else []
    return lines + [f"related: {r.name} at {where(r)}" for r in f.related]


def finding_lines(f: Finding) -> list[str]:
    head = f"{where(f.subject)}: {f.level}[{f.code}]: {f.message}"
    return [head, *("    " + line for line in detail_lines(f))]


def full_message(f: Finding) -> str:
    """The message and its detail lines, for SARIF and GitHub annotations."""
    return "\n".join([f.message, *detail_lines(f)])


def render_text(report: LintReport) -> str:
    lines = [line for f in report.findings for line in finding_lines(f)]
    counts = {
        level: sum(1 for f in report.findings if f.level == level) for level in ("error", "warning", "note")
    }
    lines.append(", ".join(f"{n} {level}{'' if n == 1 else 's'}" for level, n in counts.items()))
    return "\n".join(lines) + "\n"


def subject_json(s: Subject) -> Json:
    out: Json = {"name": s.name, "file": s.span.file if usable(s.span) else None}
    out["line"] = s.span.line if usable(s.span) else None
    return out


def finding_json(f: Finding) -> Json:
    out: Json = {"code": f.code, "level": f.level, "message": f.message}
    if f.subject.kind == "rule":
        out["rule"] = subject_json(f.subject)
    else:
        out["subject"] = {"kind": f.subject.kind, **subject_json(f.subject)}
    out["related"] = [subject_json(r) for r in f.related]
    if f.witness is not None:
        out["witness"] = packet_json(f.witness)
    if f.overlap is not None:
        out["overlap"] = {
            "sources": format_set(f.overlap.sources),
            "destinations": format_set(f.overlap.destinations),
            "services": services_list(f.overlap.services),
        }
    return out


def render_json(report: LintReport) -> str:
    doc = {"segverify_lint": 1, "findings": [finding_json(f) for f in report.findings]}
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def render_github(report: LintReport, root: str = ".") -> str:
    lines = []
    for f in report.findings:
        lines.append(
            command(GITHUB[f.level], full_message(f), f.subject.span, root, f"segverify lint {f.code}")
        )
    return "".join(line + "\n" for line in lines)
