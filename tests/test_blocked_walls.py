"""A certificate file's both-wall entries (no packet AND no credential) survive the round trip."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner  # noqa: TID251 (tests drive the CLI)

from segverify.cli import app

ROOT = Path(__file__).resolve().parent.parent


def test_certificate_file_with_both_walls_verifies(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    cert = tmp_path / "cert.json"
    runner = CliRunner()
    runner.invoke(app, ["check", "tests/cases/lateral", "--certificate", str(cert), "--today", "2026-11-23"])
    walls = [
        b["reasons"]
        for c in json.loads(cert.read_text())["certificates"]
        for b in c["certificate"].get("boundary", [])
    ]
    assert ["no-allowed-packet", "no-usable-credential"] in walls
    result = runner.invoke(app, ["verify-certificate", str(cert), "tests/cases/lateral"])
    assert result.exit_code == 0, result.stdout + result.stderr
