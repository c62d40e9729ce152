"""Golden cases: tests/cases/<name>/*.yaml checked end to end; the JSON report must match expected.json.

The report carries each certificate's summary and SHA-256; the certificates themselves are
golden in expected-certificates.json (the certificate file's `certificates`, without the header
that records version, date and input digests). Rewrite the goldens with
SEGVERIFY_UPDATE_GOLDENS=1 and review the diff: a changed golden is a changed verdict, witness
or certificate.
"""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

import pytest

from segverify import api
from segverify.evidence.binding import Binding
from segverify.evidence.digest import report_choice_digests, report_digests
from segverify.model.load import load_model
from segverify.render.json import render_json
from segverify.render.paths import certificates_json

ROOT = Path(__file__).resolve().parent.parent
CASES = sorted(p for p in (ROOT / "tests" / "cases").iterdir() if p.is_dir())
TODAY = date(2026, 11, 23)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_case_matches_golden(case: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # reports cite files relative to the working directory
    model = load_model([str(case.relative_to(ROOT))])
    report = api.check(model, api.CheckOptions(today=TODAY))
    check_golden(case / "expected.json", render_json(report))
    binding = Binding("", TODAY, (), "", report_digests(report), report_choice_digests(report))
    certificates = json.dumps(certificates_json(report, binding)["certificates"], indent=2) + "\n"
    check_golden(case / "expected-certificates.json", certificates)
    expected_exit = 1 if report.count(api.Status.VIOLATED) else 0
    assert report.exit_code == expected_exit


def check_golden(golden: Path, text: str) -> None:
    if os.environ.get("SEGVERIFY_UPDATE_GOLDENS") == "1":
        golden.write_text(text, encoding="utf-8")
    assert golden.exists(), f"no golden {golden}: run with SEGVERIFY_UPDATE_GOLDENS=1 and review it"
    assert text == golden.read_text(encoding="utf-8")


def test_every_case_has_both_verdicts_somewhere() -> None:
    """The goldens must exercise proofs and violations, or they prove little."""
    statuses = set()
    for case in CASES:
        golden = (case / "expected.json").read_text(encoding="utf-8")
        statuses |= {s for s in ("proved", "violated", "waived") if f'"status": "{s}"' in golden}
    assert statuses == {"proved", "violated", "waived"}
