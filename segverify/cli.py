"""Command line: arguments -> api -> render -> exit code. The only module that prints or imports typer."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import ParamSpec

import typer

from segverify.errors import InternalError, ModelError, UsageError
from segverify.model.ir import Model
from segverify.model.load import load_model
from segverify.model.schema import json_schema

EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 70  # EX_SOFTWARE: a bug in segverify, never a verdict

app = typer.Typer(
    name="segverify",
    help="Prove network segmentation and lateral-movement isolation of a design, or show the attack path.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

P = ParamSpec("P")

ModelArg = typer.Argument(..., help="Model files or folders (*.yaml, *.yml; folders are not recursive).")
PolicyOpt = typer.Option(
    [], "--policy", "-p", help="A policy pack: a file of the model form holding policies."
)


def err(text: str) -> None:
    print(text, file=sys.stderr)


def exits(command: Callable[P, int]) -> Callable[P, None]:
    """Run a command body and turn its result or error into the exit code (the one place that does).

    Bad input and usage errors are the user's to fix: their diagnostics, no traceback, exit 2.
    An internal error is ours: its message and exit 70.
    """

    @functools.wraps(command)
    def run(*args: P.args, **kwargs: P.kwargs) -> None:
        try:
            code = command(*args, **kwargs)
        except ModelError as exc:
            for diag in exc.diagnostics:
                err(diag.render())
            code = EXIT_BAD_INPUT
        except UsageError as exc:
            err(f"error: {exc}")
            code = EXIT_BAD_INPUT
        except InternalError as exc:
            err(str(exc))
            code = EXIT_INTERNAL
        raise typer.Exit(code)

    return run


def load(models: list[Path], policies: list[Path]) -> Model:
    return load_model([str(p) for p in models], [str(p) for p in policies])


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def summary(model: Model) -> str:
    fleets = sum(1 for h in model.hosts.values() if h.fleet)
    accounts = len(model.accounts())
    counts = [
        _plural(len(model.zones), "zone"),
        _plural(len(model.hosts), "host") + f" ({_plural(fleets, 'fleet')})",
        _plural(accounts, "account"),
        _plural(len(model.principals) - accounts, "group"),
        _plural(len(model.flows), "flow"),
        _plural(len(model.policies), "policy").replace("policys", "policies"),
        _plural(len(model.waivers), "waiver"),
    ]
    return "valid: " + ", ".join(counts)


@app.command()
@exits
def validate(models: list[Path] = ModelArg, policy: list[Path] = PolicyOpt) -> int:
    """Load and validate a model; print what it holds."""
    print(summary(load(models, policy)))
    return 0


@app.command()
@exits
def schema() -> int:
    """Print the JSON Schema (draft-07) of model files, for editors and CI."""
    print(json.dumps(json_schema(), indent=2, sort_keys=True))
    return 0


def main() -> None:
    """The console script."""
    app()
