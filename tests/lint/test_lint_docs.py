"""docs/lint.md: every code has an example, and each example prints exactly what the page shows."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner  # noqa: TID251 (tests drive the CLI)

from segverify.cli import app
from segverify.lint.codes import CODES

PAGE = Path(__file__).resolve().parents[2] / "docs" / "lint.md"
EXAMPLE = re.compile(
    r"<!-- lint: (?P<code>[\w-]+) -->\n```yaml\n(?P<model>.*?)```\n\n```text\n(?P<out>.*?)```", re.S
)


def examples() -> dict[str, tuple[str, str]]:
    return {m["code"]: (m["model"], m["out"]) for m in EXAMPLE.finditer(PAGE.read_text(encoding="utf-8"))}


def test_every_code_has_an_example() -> None:
    assert set(examples()) == set(CODES)


@pytest.mark.parametrize("code", sorted(CODES))
def test_the_example_prints_what_the_page_shows(
    code: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    model, shown = examples()[code]
    (tmp_path / "model.yaml").write_text(model, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["lint", "model.yaml", "--select", code, "--today", "2026-01-01"])
    assert result.stdout == shown
    assert result.exit_code == (1 if "error[" in shown else 0)
