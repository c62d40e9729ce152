"""The CLI's surface: help shows what a user types (no Python types), -h, --version, strict dates."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner  # noqa: TID251 (tests drive the CLI)

from segverify import __version__, cli

COMMANDS = ["validate", "schema", "check", "render", "paths"]
INTERNAL = re.compile(r"<\w|list\[|\{\w|\bPath\b|\bbool\b|\bstr\b|\bint\b|\bfloat\b")


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli.app, list(args), terminal_width=200)
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("command", ["", *COMMANDS])
def test_help_shows_no_internal_type_names(command: str) -> None:
    words = [command] if command else []
    code, long_help, _ = invoke(*words, "--help")
    assert code == 0 and "Usage: segverify" in long_help
    assert INTERNAL.search(long_help) is None, long_help
    assert invoke(*words, "-h")[1] == long_help  # -h is --help


def test_flags_take_no_value_and_options_name_theirs() -> None:
    _, text, _ = invoke("check", "--help")
    rows = {line.split()[0].rstrip(","): line for line in text.splitlines() if line.startswith("  -")}
    for flag in ("--exit-zero", "--no-waivers", "--no-verify"):
        assert re.match(rf"\s+{flag}\s{{2,}}\S", rows[flag]), rows[flag]  # the help follows at once
    assert (
        "--today YYYY-MM-DD" in text
        and "--fail-on SEVERITY" in text
        and "Usage: segverify check [OPTIONS] MODEL..." in text
    )


def test_version() -> None:
    assert invoke("--version") == (0, f"segverify {__version__}\n", "")


@pytest.mark.parametrize("day", ["20260101", "2026-1-01", "2026-W01-1", "2026-02-30", "26-01-01"])
def test_today_takes_only_yyyy_mm_dd(day: str) -> None:
    code, out, err = invoke("check", "examples/quickstart", "--today", day)
    assert (code, out) == (2, "") and err == f"error: --today takes a date as YYYY-MM-DD, not '{day}'\n"
