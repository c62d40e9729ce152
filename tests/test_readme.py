"""The README's example is run as written: its model and its printed output cannot drift apart."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner  # noqa: TID251 (tests drive the CLI)

from segverify.cli import app

README = Path(__file__).resolve().parent.parent / "README.md"


def block(text: str, fence: str) -> str:
    start = text.index(f"```{fence}\n") + len(fence) + 4
    return text[start : text.index("```", start)]


def test_readme_example_output_is_what_check_prints(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = README.read_text(encoding="utf-8")
    (tmp_path / "model.yaml").write_text(block(text, "yaml"), encoding="utf-8")
    command, *expected = block(text, "console").splitlines()
    assert command == "$ segverify check model.yaml"
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["check", "model.yaml"])
    assert result.exit_code == 1
    assert result.stdout.splitlines()[: len(expected)] == expected
