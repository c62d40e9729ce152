"""Lint stage: SARIF 2.1.0 of lint findings, under render/sarif.py's conventions for GitHub.

One rule per lint code (every code, so a fixed alert closes); each result carries a relative
`uri` and a `startLine >= 1` (a finding without a place anchors at the first model file's top),
related rules as relatedLocations, and a fingerprint from code, subject and related names only.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from segverify import __version__
from segverify.diagnostics import Span
from segverify.lint.codes import CODES, Code
from segverify.lint.findings import Finding, LintReport, Subject
from segverify.lint.render import full_message
from segverify.render.sarif import FINGERPRINT_KEY, INFORMATION_URI, MAX_RESULTS, SCHEMA, location, usable

Json = dict[str, Any]
SARIF_LEVEL = {"error": "error", "warning": "warning", "note": "note"}


def render_sarif(report: LintReport, root: str = ".") -> str:
    log = {"$schema": SCHEMA, "version": "2.1.0", "runs": [_run(report, root)]}
    return json.dumps(log, ensure_ascii=False, separators=(",", ":")) + "\n"


def _run(report: LintReport, root: str) -> Json:
    names = sorted(CODES)
    index = {name: i for i, name in enumerate(names)}
    fallback = Span(report.files[0] if report.files else "model.yaml", 1, 1)
    kept = report.findings[:MAX_RESULTS]
    notes = []
    if len(report.findings) > len(kept):
        dropped = len(report.findings) - len(kept)
        text = f"{dropped} findings left out: GitHub rejects runs with more than {MAX_RESULTS}"
        notes.append({"level": "warning", "message": {"text": text}})
    return {
        "tool": {"driver": _driver([_rule(CODES[n]) for n in names])},
        "automationDetails": {"id": automation_id(report)},
        "invocations": [{"executionSuccessful": True, "toolExecutionNotifications": notes}],
        "results": [_result(f, index[f.code], root, fallback) for f in kept],
        "columnKind": "unicodeCodePoints",
    }


def automation_id(report: LintReport) -> str:
    """`segverify-lint/`: its own code-scanning category, apart from check's, and never derived
    from a file name (a file added or renamed would rename the analysis, and old alerts would
    never close)."""
    return "segverify-lint/"


def _driver(rules: list[Json]) -> Json:
    return {
        "name": "segverify-lint",
        "informationUri": INFORMATION_URI,
        "version": __version__,
        "semanticVersion": __version__,
        "rules": rules,
    }


def _rule(code: Code) -> Json:
    return {
        "id": code.name,
        "name": "Lint" + "".join(part.capitalize() for part in code.name.split("-")),
        "shortDescription": {"text": code.doc},
        "fullDescription": {"text": f"{code.name}: {code.doc}."},
        "help": {
            "text": f"{code.name}: {code.doc}. See docs/lint.md.",
            "markdown": f"**{code.name}**: {code.doc}. See `docs/lint.md`.",
        },
        "defaultConfiguration": {"level": SARIF_LEVEL[code.level]},
        "properties": {"tags": ["maintainability", "network-segmentation", "lint"], "precision": "very-high"},
    }


def _span(s: Subject, fallback: Span) -> Span:
    return s.span if usable(s.span) else fallback


def _result(f: Finding, rule_index: int, root: str, fallback: Span) -> Json:
    out: Json = {
        "ruleId": f.code,
        "ruleIndex": rule_index,
        "level": SARIF_LEVEL[f.level],
        "message": {"text": full_message(f)},
        "locations": [location(_span(f.subject, fallback), root)],
        "partialFingerprints": _fingerprints(f),
    }
    related = [
        location(_span(r, fallback), root, f"{r.kind} {r.name}", k) for k, r in enumerate(f.related[:1000])
    ]
    if related:
        out["relatedLocations"] = related
    return out


def _fingerprints(f: Finding) -> dict[str, str]:
    # Names, never files or lines; a non-rule finding's message names only model entities.
    data = {
        "code": f.code,
        "subject": [f.subject.kind, f.subject.name],
        "related": [r.name for r in f.related],
    }
    if f.subject.kind != "rule":
        data["message"] = f.message
    digest = hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:32]
    return {FINGERPRINT_KEY: digest, "primaryLocationLineHash": digest}
