"""The CLI's surface: help shows what a user types (no Python types), -h, --version, strict dates."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner  # noqa: TID251 (tests drive the CLI)

from segverify import __version__, cli

ROOT = Path(__file__).resolve().parents[1]
QUICKSTART = ROOT / "examples" / "quickstart"
FLAWED = ROOT / "examples" / "remote-access-vendor" / "flawed"
COMMANDS = ["validate", "schema", "check", "render", "paths", "lint", "diff"]
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


# ---- files: every option that writes one creates its folder; a view refuses a policy it cannot draw


def test_every_output_creates_its_folder(tmp_path: Path) -> None:
    out = tmp_path / "a" / "b"
    code, _, _ = invoke(
        "check",
        str(QUICKSTART),
        "--output",
        str(out / "r.txt"),
        "--sarif",
        str(out / "s" / "r.sarif"),
        "--certificate",
        str(out / "c" / "cert.json"),
    )
    assert code == 1 and (out / "r.txt").is_file() and (out / "s" / "r.sarif").is_file()
    assert (out / "c" / "cert.json").is_file()
    code, _, err = invoke("render", str(QUICKSTART), "--view", "architecture", "-o", str(out / "d" / "x.dot"))
    assert code == 0 and (out / "d" / "x.dot").is_file(), err


@pytest.mark.parametrize(
    ("view", "policy"), [("blast", "RAV-009"), ("blast", "RAV-006"), ("matrix", "RAV-001")]
)
def test_a_view_refuses_a_policy_of_another_kind(view: str, policy: str, tmp_path: Path) -> None:
    code, _, err = invoke(
        "render", str(FLAWED), "--view", view, "--policy-id", policy, "-o", str(tmp_path / "x.dot")
    )
    assert code == 2 and not (tmp_path / "x.dot").exists()
    assert f"the {view} view draws" in err and f"(--view {view} --policy-id {policy})" in err


def test_no_arguments_print_the_help_and_errors_name_arguments_by_metavar() -> None:
    code, out, _ = invoke()
    assert code == 2 and out.startswith("Usage: segverify [OPTIONS] COMMAND [ARGS]...")
    code, _, err = invoke("check")
    assert code == 2 and "Usage: segverify check [OPTIONS] MODEL..." in err and "{" not in err
