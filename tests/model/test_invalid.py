"""Invalid inputs with inline expectations: each `# E: code` names a diagnostic on that line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from segverify.diagnostics import CODES
from segverify.errors import ModelError
from segverify.model.load import load_model

INVALID = Path(__file__).parent / "invalid"
FILES = sorted(INVALID.glob("*.yaml"))
EXPECT = re.compile(r"#\s*E:\s*([a-z-]+(?:\s*,\s*[a-z-]+)*)")


def expectations(path: Path) -> set[tuple[str, int]]:
    text = path.read_bytes().decode("utf-8", errors="replace")
    out = set()
    for number, line in enumerate(text.splitlines(), start=1):
        match = EXPECT.search(line)
        if match:
            out.update((code.strip(), number) for code in match.group(1).split(","))
    return out


def diagnostics(path: Path) -> set[tuple[str, int]]:
    with pytest.raises(ModelError) as info:
        load_model([str(path)])
    for diag in info.value.diagnostics:
        assert diag.span.file == str(path)
        assert diag.span.line >= 1 and diag.span.column >= 1
    return {(d.code, d.span.line) for d in info.value.diagnostics}


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_invalid_file_reports_exactly_its_expectations(path: Path) -> None:
    expected = expectations(path)
    assert expected, f"{path.name} has no `# E:` expectation"
    assert diagnostics(path) == expected


def test_every_file_level_code_has_an_invalid_file() -> None:
    covered = {code for path in FILES for code, _ in expectations(path)}
    elsewhere = {"file-not-found", "file-too-large"}  # need paths or sizes a file cannot hold: test_yamlio
    elsewhere.add("layers-unsupported")  # a command refuses a valid file: tests/test_layers_cli.py
    elsewhere |= {
        "json-syntax",
        "aws-shape",
        "aws-unknown-ref",
    }  # import aws input: tests/aws/test_aws_input.py
    assert set(CODES) - covered - elsewhere == set()


def test_five_faults_in_one_file_are_all_reported_at_once() -> None:
    found = diagnostics(INVALID / "five_faults.yaml")
    assert len({code for code, _ in found}) == 5
