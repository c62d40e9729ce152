"""Render stage: the JSON report (`--format json`)."""

from __future__ import annotations

import json

from segverify.render.plain import report_json
from segverify.results import Report


def render_json(report: Report) -> str:
    return json.dumps(report_json(report), indent=2, ensure_ascii=False) + "\n"
