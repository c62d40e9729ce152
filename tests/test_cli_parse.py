"""How the command line parses: values reach the commands as typed, bad values are usage errors.

The CLI uses typer's public API only; these hold the parsing a user sees to its contract whatever
typer does inside (it parses with pydantic since 0.29): repeated options keep their order, paths
keep their text, numbers are checked against their bounds, and every refusal is exit 2 naming the
option, never a traceback.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner  # noqa: TID251 (tests drive the CLI)

from segverify.cli import app

ROOT = Path(__file__).resolve().parents[1]
QUICKSTART = ROOT / "examples" / "quickstart"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def one_line(text: str) -> str:
    """typer draws usage errors in a box: the words, without the frame and line breaks."""
    return " ".join(text.replace("│", " ").split())


def test_paths_keep_their_text_spaces_and_all(tmp_path: Path) -> None:
    folder = tmp_path / "a model folder ünï"
    shutil.copytree(QUICKSTART, folder)
    code, out, _ = run("validate", str(folder))
    assert (code, out.startswith("valid: ")) == (0, True)


def policy_count(*packs: str) -> int:
    code, out, _ = run("validate", str(ROOT / "examples" / "remote-access-vendor" / "segregated"), *packs)
    assert code == 0
    return int(out.split(" policies,")[0].rsplit(" ", 1)[1])


def test_repeated_policy_packs_are_all_loaded() -> None:
    baseline, three_plane = (
        str(ROOT / "policies" / "baseline.yaml"),
        str(ROOT / "policies" / "three-plane.yaml"),
    )
    alone = policy_count()
    one, other = policy_count("-p", baseline), policy_count("--policy", three_plane)
    assert alone < one and alone < other
    assert policy_count("--policy", three_plane, "-p", baseline) == one + other - alone


def test_several_model_paths_are_one_model(tmp_path: Path) -> None:
    files = sorted(QUICKSTART.glob("*.yaml"))
    code, out, _ = run("validate", *map(str, files))
    assert (code, out) == run("validate", str(QUICKSTART))[:2]
    assert code == 0


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["check", str(QUICKSTART), "--rlimit", "-1"], "Invalid value for '--rlimit'"),
        (["check", str(QUICKSTART), "--rlimit", "2.5"], "Invalid value for '--rlimit'"),
        (["check", str(QUICKSTART), "--timeout", "soon"], "Invalid value for '--timeout'"),
        (["paths", str(QUICKSTART), "--from", "a", "--to", "b", "--limit", "0"], "'--limit'"),
        (["check"], "Missing argument"),
        (["check", str(QUICKSTART), "--no-such-option"], "No such option: --no-such-option"),
        (["render", str(QUICKSTART), "--view", "architecture"], "Missing option '--output'"),
        (["nonsense"], "No such command"),
    ],
)
def test_bad_values_are_usage_errors_naming_the_option(args: list[str], words: str) -> None:
    code, out, err = run(*args)
    assert code == 2
    assert out == ""
    assert words in one_line(err)
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--format", "yaml"], "--format takes one of text, json, sarif, junit, github, not 'yaml'"),
        (["--fail-on", "severe"], "--fail-on takes one of"),
        (["--today", "2027-13-01"], "--today takes a date as YYYY-MM-DD, not '2027-13-01'"),
    ],
)
def test_bad_choices_are_refused_before_any_work(args: list[str], words: str) -> None:
    # The model does not exist: a choice checked after loading would be reported as that instead.
    code, out, err = run("check", str(ROOT / "nothing-here"), *args)
    assert (code, out) == (2, "")
    assert err.startswith(f"error: {words}")
    assert err.count("\n") == 1


def test_numbers_reach_the_command_as_numbers() -> None:
    # --rlimit 1 is too small for any query: every policy is unknown (exit 3), so the number arrived.
    code, _, _ = run("check", str(QUICKSTART), "--rlimit", "1")
    assert code == 3
    code, _, _ = run("check", str(QUICKSTART), "--rlimit", "0", "--timeout", "60")
    assert code in (0, 1)
