"""Diff stage: `segverify diff` from parsed options to (output, exit code); cli.py only parses."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from segverify.api import CheckOptions
from segverify.diff.intended import read_intended
from segverify.diff.report import FAIL_ON, DiffReport, FailOn, diff, diff_exit_code
from segverify.diff.sides import load_side
from segverify.errors import UsageError
from segverify.model.ir import Foothold, Model, Ref, RefFoothold
from segverify.model.refs import Resolver

DIFF_FORMATS = ("text", "json", "markdown", "sarif")


@dataclass(frozen=True, slots=True)
class DiffArgs:
    paths: tuple[str, ...]
    policies: tuple[str, ...] = ()
    git: str | None = None
    intended: str | None = None
    footholds: tuple[str, ...] = ()
    fmt: str = "text"
    fail_on: str = "regressed"


def fail_condition(text: str) -> FailOn:
    for choice in FAIL_ON:
        if text == choice:
            return choice
    raise UsageError(f"--fail-on takes one of {', '.join(FAIL_ON)}, not '{text}'")


def sides(args: DiffArgs) -> tuple[Model, Model]:
    if args.git is not None:
        if not args.paths:
            raise UsageError("with --git, give the model files or folders to compare")
        before = load_side(f"BEFORE ({args.git})", args.paths, args.policies, args.git)
        return before, load_side("AFTER (working tree)", args.paths, args.policies)
    if len(args.paths) != 2:
        raise UsageError("give BEFORE and AFTER (each a model file or folder), or --git REF and the paths")
    before = load_side(f"BEFORE ({args.paths[0]})", args.paths[:1], args.policies)
    return before, load_side(f"AFTER ({args.paths[1]})", args.paths[1:], args.policies)


def _footholds(texts: Sequence[str], models: tuple[Model, Model]) -> tuple[Foothold, ...]:
    for text in texts:
        if not any(Resolver(m).is_known(text) for m in models):
            raise UsageError(f"--foothold '{text}' is not a zone, host, CIDR, `any` or tag of either side")
    return tuple(RefFoothold(Ref(t)) for t in texts)


def run(args: DiffArgs, options: CheckOptions) -> tuple[DiffReport, int]:
    if args.fmt not in DIFF_FORMATS:
        raise UsageError(f"--format takes one of {', '.join(DIFF_FORMATS)}, not '{args.fmt}'")
    fail_on = fail_condition(args.fail_on)
    before, after = sides(args)
    intents = None if args.intended is None else read_intended(args.intended, after)
    footholds = _footholds(args.footholds, (before, after))
    report = diff(before, after, options, intents, footholds)
    return report, diff_exit_code(report, fail_on)


def render(report: DiffReport, fmt: str) -> str:
    if fmt == "json":
        import json

        from segverify.diff.shape import diff_json

        return json.dumps(diff_json(report), indent=2, ensure_ascii=False) + "\n"
    if fmt == "markdown":
        from segverify.diff.text import render_markdown

        return render_markdown(report)
    if fmt == "sarif":
        from segverify.diff.sarif import render_diff_sarif

        return render_diff_sarif(report, ".")
    from segverify.diff.text import render_text

    return render_text(report)
