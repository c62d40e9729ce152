"""The CLI's plain coercion (segverify/cli.py, PlainParam) gives typer's answers without pydantic.

Every parameter of every command is fed values of each kind a command line, a default or a
caller can give; the answer (value and type, or the error's message) must be the one typer's
own coercion gives. Values plain_value does not know go to typer's coercion, so this mostly
checks the ones it answers itself: strs, paths, path lists and in-range ints.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import typer.main  # noqa: TID251 (tests drive the CLI)
from typer._click import Context  # noqa: TID251 (tests drive the CLI)
from typer._coercion import build_runtime_param  # noqa: TID251 (tests drive the CLI)

from segverify import cli

ROOT = Path(__file__).resolve().parents[1]

VALUES: list[Any] = [
    None,
    "",
    "text",
    " text ",
    "-",
    "a/",
    "./a//b",
    "nothing/here.yaml",
    str(ROOT / "examples" / "quickstart"),  # a folder
    str(ROOT / "policies" / "baseline.yaml"),  # a file
    str(ROOT / "policies" / "baseline.yaml") + "/",  # a file as a folder
    "a\x00b",
    "5",
    " 5",
    "-1",
    "2.5",
    0,
    1,
    3,
    -1,
    2.5,
    True,
    False,
    Path("a"),
    [],
    (),
    ["a/", "b"],
    ("examples/quickstart", str(ROOT / "policies" / "baseline.yaml")),
    ["a", 5],
    ["a\x00b"],
]


def answer(coerce: Any, value: Any, param: Any, ctx: Context) -> tuple[str, Any]:
    try:
        got = coerce(value, param=param, ctx=ctx)
    except Exception as exc:  # the error is the answer
        return ("error", (type(exc).__name__, str(exc)))
    kinds = [type(item).__name__ for item in got] if isinstance(got, (list, tuple)) else []
    return ("value", (type(got).__name__, got, kinds))


def parameters() -> list[tuple[str, Any, Any]]:
    group = typer.main.get_command(cli.app)
    assert isinstance(group, cli.Group)
    found = []
    for name, command in [("", group), *sorted(group.commands.items())]:  # type: ignore[attr-defined]
        ctx = Context(command)
        found += [(f"{name}:{param.name}", command, param) for param in command.get_params(ctx)]
    return found


@pytest.mark.skipif(not cli.PLAIN_VALUES, reason="this typer has no pydantic coercion to skip")
@pytest.mark.parametrize(
    ("name", "command", "param"), parameters(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_plain_coercion_answers_as_typer_does(name: str, command: Any, param: Any) -> None:
    ctx = Context(command)
    plain = cli.PlainParam(param.type_descriptor.parameter_info, param.type_descriptor.annotation)
    typers = build_runtime_param(param.type_descriptor)
    for value in VALUES:
        expected = answer(typers.coerce, value, param, ctx)
        assert answer(plain.coerce, value, param, ctx) == expected, (name, value)


def test_every_command_and_the_group_use_plain_coercion() -> None:
    group = typer.main.get_command(cli.app)
    assert isinstance(group, cli.Group)
    assert all(isinstance(c, cli.Command) for c in group.commands.values())  # type: ignore[attr-defined]
