"""Every output that cannot be written is exit 2 with one line naming the option: no traceback, no
half-written file, and refused before any work where it can be seen up front.

Most cases point the model at a path that does not exist: an output refused before any work is
reported, and the missing model is not. Writes that can only fail while writing (a full disk,
/proc) run a real check of the quickstart.
"""

from __future__ import annotations

import io
import os
import stat
import subprocess  # noqa: TID251 (/dev/stdout needs a process of its own)
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner  # noqa: TID251 (tests drive the CLI)

from segverify import cli, outputs
from segverify.cli import app
from segverify.errors import UsageError
from segverify.outputs import OutputError

ROOT = Path(__file__).resolve().parents[1]
QUICKSTART = str(ROOT / "examples" / "quickstart")
NO_MODEL = str(ROOT / "no-such-model")


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def refused(args: list[str], line: str) -> None:
    code, out, err = run(*args)
    assert (code, out, err) == (2, "", f"error: {line}\n")


@pytest.mark.parametrize(
    "option", ["-o", "--output", "--sarif", "--junit", "--json", "--certificate", "--report"]
)
def test_a_folder_as_an_output_file_is_refused_before_any_work(tmp_path: Path, option: str) -> None:
    name = "--output" if option == "-o" else option
    refused(["check", NO_MODEL, option, str(tmp_path)], f"{name} '{tmp_path}' is a folder: give a file name")


def test_two_outputs_into_one_file_are_refused_before_any_work(tmp_path: Path) -> None:
    (tmp_path / "latest.json").symlink_to("report.json")  # the same file by another name
    refused(
        ["check", NO_MODEL, "-o", f"{tmp_path}/./report.json", "--json", str(tmp_path / "latest.json")],
        f"--output and --json name the same file '{tmp_path / 'latest.json'}'",
    )


def test_several_outputs_may_go_to_the_null_device() -> None:
    code, _, err = run("check", NO_MODEL, "-o", os.devnull, "--sarif", os.devnull)
    assert (code, "file-not-found" in err) == (2, True)  # the model is missing: no output refused


def test_an_output_below_a_file_is_refused_before_any_work(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    target = tmp_path / "file" / "report.json"
    refused(
        ["check", NO_MODEL, "--json", str(target)],
        f"--json '{target}' cannot be created: '{tmp_path / 'file'}' is not a folder",
    )


@pytest.mark.parametrize("kind", ["file", "device"])
def test_graphs_into_something_not_a_folder_is_refused_before_any_work(tmp_path: Path, kind: str) -> None:
    target = tmp_path / "report.txt" if kind == "file" else Path(os.devnull)
    if kind == "file":
        target.write_text("keep me")
    refused(["check", NO_MODEL, "--graphs", str(target)], f"--graphs '{target}' is not a folder")
    if kind == "file":
        assert target.read_text() == "keep me"


@pytest.mark.parametrize(
    "args",
    [
        ["lint", NO_MODEL],
        ["explain", NO_MODEL],
        ["diff", NO_MODEL, NO_MODEL],
        ["diff", NO_MODEL, NO_MODEL, "--json"],
    ],
)
def test_other_commands_refuse_a_folder_before_any_work(tmp_path: Path, args: list[str]) -> None:
    option = "--json" if "--json" in args else "--output"
    flag = [] if "--json" in args else ["-o"]
    refused([*args, *flag, str(tmp_path)], f"{option} '{tmp_path}' is a folder: give a file name")


def test_render_into_a_folder_is_refused_before_any_work(tmp_path: Path) -> None:
    refused(
        ["render", NO_MODEL, "--view", "architecture", "-o", str(tmp_path)],
        f"--output '{tmp_path}' is a folder: give a file name",
    )


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full here")
def test_a_full_disk_is_a_clean_error() -> None:
    line = "--output '/dev/full' cannot be written: no space left on device"
    refused(["check", QUICKSTART, "-o", "/dev/full"], line)


@pytest.mark.skipif(not os.path.isfile("/proc/version"), reason="no /proc here")
def test_a_file_of_proc_is_a_clean_error() -> None:
    code, out, err = run("check", QUICKSTART, "--sarif", "/proc/version")
    assert (code, out.count("PROVED") > 0) == (2, True)  # the report went to stdout before
    assert err.startswith("error: --sarif '/proc/version' cannot be written: ")
    assert err.count("\n") == 1


@pytest.mark.parametrize(
    ("value", "line"),
    [
        ("nan", "--timeout takes a positive number of seconds, not 'nan'"),
        ("inf", "--timeout takes a positive number of seconds, not 'inf'"),
        ("0", "--timeout takes a positive number of seconds, not '0.0'"),
        ("1e300", "--timeout takes at most 4294967 seconds, not '1e+300'"),
    ],
)
@pytest.mark.parametrize("command", [["check"], ["fix"], ["explain"], ["diff", NO_MODEL]])
def test_timeouts_that_are_no_timeout_are_refused(value: str, line: str, command: list[str]) -> None:
    refused([*command, NO_MODEL, "--timeout", value], line)


def test_fix_write_into_a_file_is_refused_before_any_work(tmp_path: Path) -> None:
    target = tmp_path / "model.yaml"
    target.write_text("keep me")
    refused(["fix", NO_MODEL, "--write", str(target)], f"--write '{target}' is not a folder")
    assert target.read_text() == "keep me"


def test_fix_write_below_a_file_is_refused_before_any_work(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    target = tmp_path / "file" / "fixed"
    refused(
        ["fix", NO_MODEL, "--write", str(target)],
        f"--write '{target}' cannot be created: '{tmp_path / 'file'}' is not a folder",
    )


def test_a_tiny_timeout_is_one_millisecond_not_none() -> None:
    from segverify.cli import timeout_ms

    assert [timeout_ms(t) for t in (None, 0.0001, 0.001, 0.0015, 2.5)] == [0, 1, 1, 2, 2500]


def test_an_rlimit_past_what_z3_counts_is_refused() -> None:
    code, _, err = run("check", NO_MODEL, "--rlimit", str(2**32))
    assert code == 2
    assert "'--rlimit'" in err and "4294967295" in " ".join(err.replace("│", " ").split())


def test_a_check_with_no_policies_is_bad_input(tmp_path: Path) -> None:
    text = (Path(QUICKSTART) / "model.yaml").read_text()
    (tmp_path / "model.yaml").write_text(text.split("\npolicies:")[0] + "\n")
    refused(["check", str(tmp_path)], "no policies to check: the model and its --policy packs hold none")


def test_stdout_as_a_file_still_works() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "segverify", "check", QUICKSTART, "-f", "json", "-o", "/dev/stdout"],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert (done.returncode, done.stderr) == (1, "")
    assert done.stdout.startswith("{") and done.stdout.rstrip().endswith("}")


# ---- the writer itself ---------------------------------------------------------------------------


def failing_pieces() -> Iterator[bytes]:
    yield b"half a report"
    raise OSError(28, "No space left on device")


def test_a_failed_write_leaves_no_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    with pytest.raises(OutputError, match="cannot be written: no space left on device"):
        outputs.write_bytes(target, failing_pieces())
    assert list(tmp_path.iterdir()) == []


def test_a_failed_write_keeps_the_previous_report(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    target.write_text("the last whole report")
    with pytest.raises(OutputError):
        outputs.write_bytes(target, failing_pieces())
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]
    assert target.read_text() == "the last whole report"


def test_an_interrupt_leaves_no_temporary(tmp_path: Path) -> None:
    def interrupted() -> Iterator[bytes]:
        yield b"x"
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        outputs.write_bytes(tmp_path / "r.txt", interrupted())
    assert list(tmp_path.iterdir()) == []


def test_a_rewritten_report_keeps_its_mode_and_its_link(tmp_path: Path) -> None:
    target = tmp_path / "report.txt"
    target.write_text("old")
    target.chmod(0o600)
    link = tmp_path / "latest.txt"
    link.symlink_to(target.name)
    outputs.write_text(link, ["new ", "report"])
    assert link.is_symlink() and target.read_text() == "new report"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_a_folder_that_cannot_be_written_is_refused_up_front(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Tests may run as root, for whom every folder is writable: the permission check is faked.
    monkeypatch.setattr(outputs.os, "access", lambda path, mode: Path(path) != tmp_path)
    with pytest.raises(OutputError) as info:
        outputs.check_file(tmp_path / "new" / "r.txt")
    assert (
        str(info.value)
        == f"'{tmp_path}/new/r.txt' cannot be written: the folder '{tmp_path}' is not writable"
    )


def test_missing_folders_are_made(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "report.txt"
    outputs.write_text(target, ["ok"])
    assert target.read_text() == "ok"


# ---- stdout ---------------------------------------------------------------------------------------


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full here")
def test_stdout_on_a_full_disk_is_exit_2_not_a_verdict() -> None:
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [sys.executable, "-m", "segverify", "schema"],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
        )
    assert (done.returncode, done.stderr) == (2, "error: stdout cannot be written: no space left on device\n")


class _ClosedPipe(io.StringIO):
    def write(self, text: str) -> int:
        raise BrokenPipeError(32, "Broken pipe")


def test_a_closed_pipe_on_stdout_is_a_usage_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdout", _ClosedPipe())
    with pytest.raises(UsageError, match="^stdout cannot be written: broken pipe$"):
        cli.emit(["a report"], None)


@settings(max_examples=40, deadline=None)
@given(pieces=st.lists(st.text(max_size=50), max_size=8), fail_after=st.none() | st.integers(0, 8))
def test_a_file_is_the_whole_report_or_what_it_was(
    tmp_path_factory: pytest.TempPathFactory, pieces: list[str], fail_after: int | None
) -> None:
    folder = tmp_path_factory.mktemp("out")
    target = folder / "r.txt"
    target.write_text("before")

    def written() -> Iterator[str]:
        for number, piece in enumerate(pieces):
            if number == fail_after:
                raise OSError(5, "Input/output error")
            yield piece

    failed = fail_after is not None and fail_after < len(pieces)
    if failed:
        with pytest.raises(OutputError):
            outputs.write_text(target, written())
    else:
        outputs.write_text(target, written())
    assert target.read_bytes().decode("utf-8") == ("before" if failed else "".join(pieces))
    assert [p.name for p in folder.iterdir()] == ["r.txt"]
