"""`segverify validate` and `schema` through the CLI: exit codes, streams, located diagnostics."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import typer  # noqa: TID251 (tests drive the CLI)
from typer.testing import CliRunner  # noqa: TID251 (tests drive the CLI)

from segverify.cli import app, exits
from segverify.errors import InternalError, UsageError
from segverify.model.schema import json_schema

LOCATED = re.compile(r"^(?P<file>[^\s:]+):(?P<line>\d+):(?P<column>\d+): error\[(?P<code>[a-z-]+)\]: ", re.M)


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def test_validate_prints_counts() -> None:
    code, out, err = run("validate", str(Path(__file__).resolve().parents[2] / "examples" / "quickstart"))
    assert code == 0, err
    assert out == "valid: 3 zones, 5 hosts (1 fleet), 3 accounts, 3 groups, 5 flows, 3 policies, 0 waivers\n"


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (bytes(range(256)) * 8, "bad-encoding"),
        (b"", "empty-file"),
        (b"segverify: 1\nzones: [\n", "yaml-syntax"),
    ],
)
def test_bad_input_exits_2_with_located_diagnostics(tmp_path: Path, content: bytes, code: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_bytes(content)
    status, out, err = run("validate", str(path))
    assert (status, out) == (2, "")
    match = LOCATED.search(err)
    assert match and match["file"] == str(path) and match["code"] == code
    assert int(match["line"]) >= 1 and int(match["column"]) >= 1
    assert "Traceback" not in err


def test_every_diagnostic_is_printed(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text("segverify: 1\nzones:\n  a: {networks: [10.0.0.1/8], colour: red}\n")
    status, out, err = run("validate", str(path))
    assert (status, out) == (2, "")
    assert [m["code"] for m in LOCATED.finditer(err)] == ["bad-cidr", "unknown-key"]
    assert "hint: did you mean 10.0.0.0/8?" in err


def test_missing_path_exits_2(tmp_path: Path) -> None:
    status, out, err = run("validate", str(tmp_path / "absent.yaml"))
    assert (status, out) == (2, "")
    assert "error[file-not-found]" in err


def test_schema_prints_the_schema() -> None:
    status, out, _ = run("schema")
    assert status == 0
    assert json.loads(out) == json_schema()


def test_one_helper_maps_errors_to_exit_codes() -> None:
    def boom(error: Exception) -> int:
        raise error

    wrapped = exits(boom)
    for error, expected in ((UsageError("bad flag"), 2), (InternalError("invariant"), 70)):
        with pytest.raises(typer.Exit) as info:
            wrapped(error)
        assert info.value.exit_code == expected
    with pytest.raises(typer.Exit) as info:
        exits(lambda: 3)()
    assert info.value.exit_code == 3
