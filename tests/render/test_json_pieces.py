"""The JSON report and certificate file, written in pieces, are exactly what json.dumps gives.

The report carries certificate digests; their canonical text is checked against json.dumps too.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from segverify import api
from segverify.evidence.binding import Binding
from segverify.evidence.digest import report_choice_digests, report_digests
from segverify.model.load import load_model
from segverify.render.json import certificate_chunks, indented, render_json
from segverify.render.paths import certificates_json
from segverify.render.plain import certificate_json, report_json
from segverify.results import Blocked, ClosedSetCertificate, PolicyResult, Report, RuleRef, Status

ROOT = Path(__file__).resolve().parent.parent.parent


def _binding(report: Report) -> Binding:
    digests, choices = report_digests(report), report_choice_digests(report)
    return Binding("0", date(2026, 1, 1), (("m.yaml", "0" * 64),), "1" * 64, digests, choices)


def _whole(report: Report) -> tuple[str, str]:
    """The texts as json.dumps writes them for the whole document at once."""
    digests = {
        r.id: hashlib.sha256(
            json.dumps(certificate_json(r.certificate), sort_keys=True, separators=(",", ":")).encode()
        ).hexdigest()
        for r in report.results
        if r.certificate is not None
    }
    return (
        json.dumps(report_json(report, digests, report_choice_digests(report)), indent=2, ensure_ascii=False)
        + "\n",
        json.dumps(certificates_json(report, _binding(report)), indent=2) + "\n",
    )


@pytest.fixture(scope="module")
def flawed() -> Report:
    model_dir = ROOT / "examples" / "remote-access-vendor" / "flawed"
    packs = [ROOT / "policies" / "three-plane.yaml", ROOT / "policies" / "baseline.yaml"]
    return api.check(load_model([str(model_dir)], [str(p) for p in packs]))


def test_a_checked_report_is_written_byte_for_byte(flawed: Report) -> None:
    closed = [r.certificate for r in flawed.results if isinstance(r.certificate, ClosedSetCertificate)]
    assert closed and all(c.boundary for c in closed)
    report_text, certificates_text = _whole(flawed)
    assert render_json(flawed) == report_text
    assert "".join(certificate_chunks(flawed, _binding(flawed))) == certificates_text
    pieces = list(certificate_chunks(flawed, _binding(flawed)))
    assert len(pieces) == 1 + 2 * len(closed)  # each boundary a piece of its own


def test_a_resilient_proof_with_its_choices_is_written_byte_for_byte() -> None:
    model_dir = ROOT / "examples" / "remote-access-vendor" / "segregated"
    report = api.check(load_model([str(model_dir)], [str(ROOT / "policies" / "three-plane.yaml")]))
    assert sum(len(r.choices) for r in report.results) > 1
    report_text, certificates_text = _whole(report)
    assert render_json(report) == report_text
    assert "".join(certificate_chunks(report, _binding(report))) == certificates_text


def test_empty_boundaries_shared_entries_and_other_alphabets() -> None:
    rule = RuleRef(name="deny-ünïcode", action="deny", index=0)
    shared = Blocked("login", "höst-1", "ssh", "no-allowed-packet", (rule,))
    certificates = [
        ClosedSetCertificate(hosts=("a",), credentials=(), senders=("zone:ü",), boundary=()),
        ClosedSetCertificate(
            hosts=("b",),
            credentials=("alice",),
            senders=(),
            boundary=(shared, Blocked("exploit", "c", "smb", "no-allowed-packet"), shared),
            excluded=("via-1",),
        ),
        ClosedSetCertificate(hosts=("d",), credentials=(), senders=(), boundary=(shared,)),
    ]
    report = Report(
        results=tuple(
            # A title spelling a boundary marker without its nonce stays a title.
            PolicyResult(
                id=f"P-{i}",
                kind="isolated",
                status=Status.PROVED,
                title="\x00boundary:0\x00" if i == 0 else "tïtle",
                certificate=c,
            )
            for i, c in enumerate(certificates)
        )
    )
    report_text, certificates_text = _whole(report)
    assert render_json(report) == report_text
    assert "".join(certificate_chunks(report, _binding(report))) == certificates_text


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=20,
)


@settings(derandomize=True, max_examples=400)
@given(json_values, st.integers(0, 6), st.booleans())
def test_indented_is_json_dumps_with_an_indent(value: object, depth: int, ascii_only: bool) -> None:
    pad = " " * depth
    expected = json.dumps(value, indent=2, ensure_ascii=ascii_only).replace("\n", "\n" + pad)
    assert indented(value, pad, ascii_only) == expected
