"""Diff stage: SARIF of what a change broke: regressed policies and collateral packets, in AFTER's files."""

from __future__ import annotations

import json

from segverify.diagnostics import Span
from segverify.diff.groups import Group
from segverify.diff.report import DiffReport
from segverify.diff.text import group_lines
from segverify.render.plain import Json
from segverify.render.sarif import location, sarif_log
from segverify.results import Report

COLLATERAL_RULE = "segverify-diff/collateral"


def render_diff_sarif(report: DiffReport, root: str = ".") -> str:
    regressed = tuple(p.after for p in report.regressed() if p.after is not None)
    log = sarif_log(Report(results=regressed, files=report.files), root, report.after)
    run = log["runs"][0]
    run["automationDetails"]["id"] = run["automationDetails"]["id"].replace(
        "segverify/", "segverify-diff/", 1
    )
    collateral = report.intended.collateral if report.intended is not None else ()
    if collateral:
        rules = run["tool"]["driver"]["rules"]
        rules.append(_collateral_rule())
        run["results"] += [_collateral(g, len(rules) - 1, report, root) for g in collateral]
    return json.dumps(log, ensure_ascii=False, separators=(",", ":")) + "\n"


def _collateral_rule() -> Json:
    text = "A packet the change re-decides outside the intended changes (--intended)."
    return {
        "id": COLLATERAL_RULE,
        "name": "DiffCollateral",
        "shortDescription": {"text": "Collateral change outside the intent"},
        "fullDescription": {"text": text},
        "help": {"text": text + " Narrow the rule to the intended sources, destinations and services."},
        "defaultConfiguration": {"level": "error"},
    }


def _anchor(g: Group, report: DiffReport) -> Span:
    """The AFTER rule that decides the packets; a default: AFTER's `defaults:` line, if written."""
    span = g.after.span
    if span is not None and span.line > 0:
        return span
    if g.after.is_default and report.after is not None:
        layer = g.after.name.partition("@")[2]  # a layer's default: the layer's own entry
        spans = (
            [x.span for x in report.after.layers if x.name == layer]
            if layer
            else [report.after.defaults.span]
        )
        if spans and spans[0].line > 0:
            return spans[0]
    return Span(report.files[0] if report.files else "model.yaml", 1, 1)


def _collateral(g: Group, index: int, report: DiffReport, root: str) -> Json:
    return {
        "ruleId": COLLATERAL_RULE,
        "ruleIndex": index,
        "level": "error",
        "message": {"text": "\n".join(group_lines(g.direction, g))},
        "locations": [location(_anchor(g, report), root)],
        "partialFingerprints": {"segverify/v1": _fingerprint(g)},
    }


def _fingerprint(g: Group) -> str:
    import hashlib

    text = json.dumps(
        [
            g.from_zone,
            g.to_zone,
            g.before.name,
            g.after.name,
            g.src.intervals,
            g.dst.intervals,
            g.svc.intervals,
        ]
    )
    return hashlib.sha256(text.encode()).hexdigest()[:32]
