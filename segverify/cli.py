"""Command line: arguments -> api -> render -> exit code. The only module that prints or imports typer."""

from __future__ import annotations

import dataclasses
import functools
import json
import math
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, ParamSpec

import typer
import typer.core

from segverify.errors import EXIT_BAD_INPUT, EXIT_INTERNAL, InternalError, ModelError, UsageError

# Start-up time is part of every run (issue #7): this module imports only typer and the error
# types at load, and each command imports what it needs when it runs, so `validate` and
# `schema` never load z3, text output never loads graphviz, and SARIF/JUnit only when asked.
# tests/test_cli_imports.py fails if an eager import of z3 or graphviz comes back.
if TYPE_CHECKING:
    from segverify.api import CheckOptions
    from segverify.evidence.binding import Binding
    from segverify.model.ir import Model, Policy, Ref, Severity
    from segverify.results import Report


# ---- help: what a user types, never a Python type name (issue #16) -------------------------------
# typer's own help shows `<list[Path]>`, `<bool>` and `{models}...`; ours shows each option's
# metavar (a flag: none), from the parameters' public attributes only.


def _param_row(param: Any) -> tuple[str, str]:
    extra = []
    if param.param_type_name == "argument":
        name = param.metavar or param.name.upper()
    else:
        name = ", ".join(sorted([*param.opts, *param.secondary_opts], key=lambda o: (o.startswith("--"), o)))
        if not param.is_flag:
            name += f" {param.metavar or param.name.upper()}"
            if param.default not in (None, [], (), "") and not param.required:
                extra.append(f"default: {param.default}")
    if param.required:
        extra.append("required")
    return name, (param.help or "") + (f"  [{'; '.join(extra)}]" if extra else "")


def usage_pieces(command: Any, ctx: Any) -> list[str]:
    """`[OPTIONS] MODEL...`: each argument by its metavar, never typer's `{models}...`."""
    params = [p for p in command.get_params(ctx) if not p.hidden and p.param_type_name == "argument"]
    return ["[OPTIONS]", *(p.metavar or p.name.upper() for p in params)]


def plain_help(command: Any, ctx: Any, formatter: Any, commands: list[tuple[str, str]]) -> None:
    params = [p for p in command.get_params(ctx) if not p.hidden]
    formatter.write_usage(ctx.command_path, " ".join(command.collect_usage_pieces(ctx)))
    if command.help:
        formatter.write_paragraph()
        with formatter.indentation():
            formatter.write_text(command.help)
    sections = (
        ("Arguments", [_param_row(p) for p in params if p.param_type_name == "argument"]),
        ("Options", [_param_row(p) for p in params if p.param_type_name != "argument"]),
        ("Commands", commands),
    )
    for title, rows in sections:
        if rows:
            with formatter.section(title):
                formatter.write_dl(rows)


class Command(typer.core.TyperCommand):
    """typer's command (public API) with plain help."""

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        return usage_pieces(self, ctx)

    def format_help(self, ctx: Any, formatter: Any) -> None:
        plain_help(self, ctx, formatter, [])


class Group(typer.core.TyperGroup):
    """typer's group of commands (public API) with plain help."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if not args and self.no_args_is_help and not ctx.resilient_parsing:
            print(ctx.get_help())  # typer shows no error for this one: the help is the answer (exit 2)
        return super().parse_args(ctx, args)

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        return ["[OPTIONS]", "COMMAND [ARGS]..."]

    def format_help(self, ctx: Any, formatter: Any) -> None:
        found = [(n, self.get_command(ctx, n)) for n in self.list_commands(ctx)]
        commands = [(n, c.get_short_help_str(limit=200)) for n, c in found if c is not None]
        plain_help(self, ctx, formatter, commands)


app = typer.Typer(
    cls=Group,
    name="segverify",
    help="Prove network segmentation and lateral-movement isolation of a design, or show the attack path.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        from segverify import __version__

        print(f"segverify {__version__}")
        raise typer.Exit(0)


@app.callback()
def _options(
    version: bool = typer.Option(
        False, "--version", is_eager=True, callback=_version, help="Print the version and exit."
    ),
) -> None:
    """Prove network segmentation and lateral-movement isolation of a design, or show the attack path."""


P = ParamSpec("P")

ModelArg = typer.Argument(
    ..., metavar="MODEL...", help="Model files or folders (*.yaml, *.yml; folders are not recursive)."
)
PolicyOpt = typer.Option(
    [],
    "--policy",
    "-p",
    metavar="PACK",
    help="A policy pack: a file of the model form holding policies, or pack:NAME (shipped).",
)


# Options several commands take, defined once so their names and help stay the same everywhere.
TodayOpt = typer.Option(
    None, "--today", metavar="YYYY-MM-DD", help="The date waivers are judged on (YYYY-MM-DD)."
)
TimeoutOpt = typer.Option(
    None, "--timeout", metavar="SECONDS", help="Seconds per solver query; past it: unknown."
)
# Z3 reads its timeout and rlimit as unsigned 32-bit numbers: a larger one would wrap around.
MAX_SOLVER_UNITS = 2**32 - 1
RlimitOpt = typer.Option(
    0,
    "--rlimit",
    min=0,
    max=MAX_SOLVER_UNITS,
    metavar="N",
    help="Solver resource units per query (deterministic, for CI); 0: none.",
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


def heap_paused(command: Callable[P, int]) -> Callable[P, int]:
    """Run a command with the cyclic collector off from its start until it returns.

    For commands that load a large model and keep it, and what they derive from it, until they
    end (collector.py): the collector comes back on only once the command's locals are freed,
    so it never scans the model or the report.
    """

    @functools.wraps(command)
    def run(*args: P.args, **kwargs: P.kwargs) -> int:
        from segverify import collector

        with collector.paused():
            return command(*args, **kwargs)

    return run


def load(models: list[Path], policies: list[Path]) -> Model:
    from segverify.model.load import load_model

    return load_model([str(p) for p in models], [str(p) for p in policies])


def load_from(source: str, models: list[Path], policies: list[Path]) -> Model:
    """`--from model` (the default) or `--from k8s`: manifests imported in memory, never written."""
    if source not in SOURCES:
        raise UsageError(f"--from takes one of {', '.join(SOURCES)}, not '{source}'")
    if source == "model":
        return load(models, policies)
    from segverify.importers.k8s.command import import_k8s, load_imported

    imported = import_k8s([str(p) for p in models])
    for warning in imported.warnings:
        err(warning.render())
    return load_imported(imported, [str(p) for p in policies])


SOURCES = ("model", "k8s")


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


@app.command(cls=Command)
@exits
def validate(models: list[Path] = ModelArg, policy: list[Path] = PolicyOpt) -> int:
    """Load and validate a model; print what it holds."""
    emit(summary(load(models, policy)) + "\n", None)
    return 0


@app.command(cls=Command)
@exits
def schema() -> int:
    """Print the JSON Schema (draft-07) of model files, for editors and CI."""
    from segverify.model.schema import json_schema

    emit(json.dumps(json_schema(), indent=2, sort_keys=True) + "\n", None)
    return 0


FORMATS = ("text", "json")
DotBinaryOpt = typer.Option(
    None,
    "--dot-binary",
    metavar="PATH",
    help="The Graphviz `dot` to render with (else $SEGVERIFY_DOT, dot, graphviz-pure).",
)


def _today(text: str | None) -> date:
    if text is None:
        return date.today()
    try:
        # Only YYYY-MM-DD: Python 3.11's fromisoformat also takes 20260101 and 2026-W01-1.
        if len(text) != 10 or text[4] != "-" or text[7] != "-":
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"--today takes a date as YYYY-MM-DD, not '{text}'") from None


def _progress(index: int, total: int, policy: Policy) -> None:
    # Progress goes to stderr and only to a terminal, so machine formats on stdout stay clean.
    if sys.stderr.isatty() and total > 1:
        print(
            f"\r[{index + 1}/{total}] {policy.id} ({policy.kind})\x1b[K", end="", file=sys.stderr, flush=True
        )


CHECK_FORMATS = ("text", "json", "sarif", "junit", "github")


@dataclass(frozen=True)
class Ci:
    """What SARIF and GitHub annotations need beyond the report: the model (to point at the
    lines that enable a finding), the --fail-on threshold (below it: a warning) and --category."""

    model: Model | None = None
    fail_on: Severity | None = None
    category: str = ""


def report_pieces(
    report: Report,
    fmt: str,
    ci: Ci = Ci(),
    digests: Mapping[str, str] | None = None,
    choices: Mapping[str, tuple[tuple[str, ...], str]] | None = None,
) -> Iterable[str]:
    """The report in pieces to write one after the other; `digests`: the certificates' SHA-256,
    `choices`: those of resilient proofs' choices (evidence/digest.report_choice_digests)."""
    if fmt == "json":
        from segverify.render.json import report_chunks

        return report_chunks(report, digests, choices)
    return [_render_whole(report, fmt, ci)]


def _render_whole(report: Report, fmt: str, ci: Ci) -> str:
    if fmt == "sarif":
        from segverify.render.sarif import render_sarif

        return render_sarif(report, ".", ci.model, ci.category, ci.fail_on)
    if fmt == "junit":
        from segverify.render.junit import render_junit

        return render_junit(report)
    if fmt == "github":
        from segverify.render.github import render_github

        return render_github(report, ".", ci.model, ci.fail_on)
    from segverify.render.text import render_text

    return render_text(report)


def _severity(text: str | None) -> Severity | None:
    if text is None:
        return None
    from segverify.model.ir import SEVERITIES

    for severity in SEVERITIES:
        if text == severity:
            return severity
    raise UsageError(f"--fail-on takes one of {', '.join(SEVERITIES)}, not '{text}'")


@contextmanager
def writing(option: str) -> Iterator[None]:
    """An output that cannot be written is a usage error naming its option (exit 2)."""
    from segverify.outputs import OutputError

    try:
        yield
    except OutputError as exc:
        raise UsageError(f"{option} {exc}") from None


def to_stdout(pieces: Iterable[str]) -> None:
    """A report that could not reach stdout (a full disk, a closed pipe) is an error, not a verdict."""
    try:
        for piece in pieces:
            sys.stdout.write(piece)
        sys.stdout.flush()
    except OSError as exc:
        from segverify.outputs import reason

        _silence_stdout()
        raise UsageError(f"stdout cannot be written: {reason(exc)}") from None


def _silence_stdout() -> None:
    """Point stdout at the null device, so the flush at exit does not fail a second time."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # no file descriptor (tests capture stdout in memory)
        pass


def check_outputs(files: dict[str, Path | None], folders: dict[str, Path | None]) -> None:
    """Refuse outputs that cannot be written before any work is done."""
    from segverify import outputs

    for option, path in files.items():
        if path is not None:
            with writing(option):
                outputs.check_file(path)
    clash = outputs.same_files({option: path for option, path in files.items() if path is not None})
    if clash is not None:
        raise UsageError(f"{clash[0]} and {clash[1]} name the same file '{clash[2]}'")
    for option, path in folders.items():
        if path is not None:
            with writing(option):
                outputs.check_folder(path)


def emit(text: str | Iterable[str], output: Path | None, option: str = "--output") -> None:
    """Write to stdout, or whole to the file `output` (never half of it)."""
    pieces = [text] if isinstance(text, str) else text
    if output is None:
        to_stdout(pieces)
        return
    from segverify.outputs import write_text

    with writing(option):
        write_text(output, pieces)


def timeout_ms(timeout: float | None) -> int:
    """--timeout in whole milliseconds (Z3's unit), rounded up: a tiny timeout is never none (0)."""
    if timeout is None:
        return 0
    if not math.isfinite(timeout) or timeout <= 0:
        raise UsageError(f"--timeout takes a positive number of seconds, not '{timeout}'")
    milliseconds = math.ceil(timeout * 1000)
    if milliseconds > MAX_SOLVER_UNITS:
        raise UsageError(f"--timeout takes at most {MAX_SOLVER_UNITS // 1000} seconds, not '{timeout:g}'")
    return milliseconds


def _check_options(
    timeout: float | None,
    rlimit: int,
    today: str | None,
    no_waivers: bool,
    no_verify: bool,
    all_paths: bool = False,
) -> CheckOptions:
    budget_ms = timeout_ms(timeout)
    from segverify.api import Budget, CheckOptions

    budget = Budget(timeout_ms=budget_ms, rlimit=rlimit)
    return CheckOptions(
        budget=budget,
        today=_today(today),
        use_waivers=not no_waivers,
        verify_certificates=not no_verify,
        progress=_progress,
        all_paths=all_paths,
    )


@app.command(cls=Command)
@exits
@heap_paused
def check(
    models: list[Path] = ModelArg,
    policy: list[Path] = PolicyOpt,
    fmt: str = typer.Option(
        "text", "--format", "-f", metavar="FORMAT", help="text, json, sarif, junit or github."
    ),
    output: Path | None = typer.Option(
        None, "--output", "-o", metavar="FILE", help="Write the report here, not to stdout."
    ),
    sarif: Path | None = typer.Option(None, "--sarif", metavar="FILE", help="Also write SARIF 2.1.0 here."),
    junit: Path | None = typer.Option(None, "--junit", metavar="FILE", help="Also write JUnit XML here."),
    json_out: Path | None = typer.Option(
        None, "--json", metavar="FILE", help="Also write the JSON report here."
    ),
    fail_on: str | None = typer.Option(
        None,
        "--fail-on",
        metavar="SEVERITY",
        help="Exit 1 only for violations of this severity or above (critical..low).",
    ),
    exit_zero: bool = typer.Option(False, "--exit-zero", help="Report, but always exit 0."),
    certificate: Path | None = typer.Option(
        None, "--certificate", metavar="FILE", help="Write every proof's certificate here."
    ),
    timeout: float | None = TimeoutOpt,
    rlimit: int = RlimitOpt,
    today: str | None = TodayOpt,
    no_waivers: bool = typer.Option(False, "--no-waivers", help="Ignore every waiver (central CI)."),
    no_verify: bool = typer.Option(
        False, "--no-verify", help="Skip re-deriving proofs (witnesses are always replayed)."
    ),
    graphs: Path | None = typer.Option(
        None, "--graphs", metavar="DIR", help="Write diagrams and an index.html here."
    ),
    report_html: Path | None = typer.Option(
        None,
        "--report",
        metavar="FILE.html",
        help="Write the audit evidence report here: one self-contained HTML file.",
    ),
    dot_binary: str | None = DotBinaryOpt,
    category: str = typer.Option(
        "",
        "--category",
        metavar="NAME",
        help="SARIF analysis category: automationDetails.id segverify/CATEGORY/.",
    ),
    explain: bool = typer.Option(
        False, "--explain", help="Add load-bearing controls and margin to each proved attack policy."
    ),
    all_paths: bool = typer.Option(
        False, "--all-paths", help="Show the shortest attack path to every protected host reached."
    ),
    source: str = typer.Option(
        "model", "--from", metavar="KIND", help="model, or k8s: MODEL... are Kubernetes manifests."
    ),
) -> int:
    """Prove or refute every policy; exit 0 proved/waived, 1 violated, 2 bad input, 3 unknown."""
    if fmt not in CHECK_FORMATS:
        raise UsageError(f"--format takes one of {', '.join(CHECK_FORMATS)}, not '{fmt}'")
    threshold = _severity(fail_on)
    options = _check_options(timeout, rlimit, today, no_waivers, no_verify, all_paths)
    files = {"--output": output, "--sarif": sarif, "--junit": junit, "--json": json_out}
    check_outputs({**files, "--certificate": certificate, "--report": report_html}, {"--graphs": graphs})
    model = load_from(source, models, policy)
    if not model.policies:  # a CI job pointed at the wrong folder must not go green
        raise UsageError("no policies to check: the model and its --policy packs hold none")
    from segverify import api

    report = api.check(model, options)
    if explain:
        from segverify.explain.command import explain_report

        report = explain_report(model, report, options.budget)
    if sys.stderr.isatty():
        print("\r\x1b[K", end="", file=sys.stderr)
    ci = Ci(model, threshold, category)
    binding = None
    if certificate is not None or report_html is not None:
        from segverify.evidence.binding import bind

        binding = bind(model, report, options.today)  # input and certificate digests, once
    digests = binding.digests if binding is not None else None
    choices = binding.choices if binding is not None else None
    emit(report_pieces(report, fmt, ci, digests, choices), output)
    for option, extra_fmt in (("--sarif", "sarif"), ("--junit", "junit"), ("--json", "json")):
        if files[option] is not None:
            emit(report_pieces(report, extra_fmt, ci, digests, choices), files[option], option)
    if graphs is not None:
        from segverify.render.graphs import write_graphs

        with writing("--graphs"):
            pictures = write_graphs(model, report, graphs, dot_binary=dot_binary)
        err(f"diagrams: {len(pictures) - 1} pictures, index at {pictures[-1]}")
    if binding is not None:
        _write_evidence(model, report, binding, certificate, report_html, dot_binary)
    from segverify.results import Gate

    return dataclasses.replace(report, gate=Gate(threshold, exit_zero)).exit_code


def _write_evidence(
    model: Model,
    report: Report,
    binding: Binding,
    certificate: Path | None,
    report_html: Path | None,
    dot_binary: str | None,
) -> None:
    """The certificate file and the audit report, both bound to the inputs by `binding`."""
    if certificate is not None:
        from segverify.render.json import certificate_chunks

        emit(certificate_chunks(report, binding), certificate, "--certificate")
    if report_html is not None:
        from segverify.render.html import report_html_chunks

        cert_name = str(certificate) if certificate is not None else ""
        emit(
            report_html_chunks(model, report, binding, certificate_file=cert_name, dot_binary=dot_binary),
            report_html,
            "--report",
        )


@app.command(cls=Command)
@exits
def render(
    models: list[Path] = ModelArg,
    policy: list[Path] = PolicyOpt,
    view: str = typer.Option(
        ..., "--view", metavar="VIEW", help="architecture, paths, matrix, blast or controls."
    ),
    output: Path = typer.Option(
        ..., "--output", "-o", metavar="FILE", help="FILE.svg, .png, .pdf or .dot (no renderer needed)."
    ),
    policy_id: str | None = typer.Option(
        None, "--policy-id", metavar="ID", help="The policy to draw (paths, matrix, blast, controls)."
    ),
    dot_binary: str | None = DotBinaryOpt,
) -> int:
    """Draw one view of the model (and of a checked policy) as a picture."""
    from segverify.errors import EXIT_OK
    from segverify.render.images import format_of, render_image

    check_outputs({"--output": output}, {})
    format_of(output)
    model = load(models, policy)
    dot = _controls_dot(model, policy_id) if view == "controls" else _view_dot(model, view, policy_id)
    with writing("--output"):
        render_image(dot, output, dot_binary=dot_binary)
    err(f"wrote {output}")
    return EXIT_OK


def _view_dot(model: Model, view: str, policy_id: str | None) -> str:
    from segverify.render.dot import ViewError, render_view

    report = None
    if view != "architecture":
        from segverify import api

        report = api.check(model, api.CheckOptions())
    try:
        return render_view(model, view, report, policy_id)
    except ViewError as exc:  # the renderer names no flag: say which options asked for this view
        flags = f"--view {view}" + (f" --policy-id {policy_id}" if policy_id is not None else "")
        raise UsageError(f"{exc} ({flags})") from None


def _controls_dot(model: Model, policy_id: str | None) -> str:
    """The controls view: the named (else the first) attack policy, explained."""
    from segverify.explain.command import select
    from segverify.explain.explain import explain
    from segverify.render.dot_controls import render_controls

    chosen = select(model, [policy_id] if policy_id else [])[0]
    return render_controls(model, explain(model, chosen))


def _ref(model: Model, text: str, option: str, hosts: bool) -> Ref:
    """A reference as `check` reads it; `hosts`: it must name a host (a target), not only addresses."""
    from segverify.model.ir import Ref
    from segverify.model.refs import Resolver

    resolver = Resolver(model)
    if text.startswith("tag:"):
        # A foothold tag may be carried by hostless zones only (`tag:internet`): it sends.
        found = resolver.hosts(text) if hosts else resolver.hosts(text) or resolver.addresses(text)
        if not found:
            what = "host" if hosts else "zone or host"
            raise UsageError(f"{option} '{text}' is a tag that no {what} carries")
    elif not resolver.is_known(text):
        raise UsageError(f"{option} '{text}' is not a zone, host, CIDR, `any` or tag:NAME")
    return Ref(text)


@app.command(cls=Command)
@exits
def paths(
    models: list[Path] = ModelArg,
    source: str = typer.Option(
        ..., "--from", metavar="REF", help="Foothold: a zone, host, CIDR, `any` or tag:NAME."
    ),
    target: str = typer.Option(
        ..., "--to", metavar="REF", help="Target: a zone, host, CIDR, `any` or tag:NAME."
    ),
    account: str | None = typer.Option(
        None, "--account", metavar="ACCOUNT", help="Start holding this account, sending from --from."
    ),
    limit: int = typer.Option(
        3, "--limit", "-k", min=1, metavar="K", help="At most this many distinct paths."
    ),
    fmt: str = typer.Option("text", "--format", "-f", metavar="FORMAT", help="text or json."),
) -> int:
    """List up to K distinct attack paths, shortest first; exit 1 when one exists, 0 when none."""
    if fmt not in FORMATS:
        raise UsageError(f"--format takes one of {', '.join(FORMATS)}, not '{fmt}'")
    from segverify import api
    from segverify.errors import EXIT_OK, EXIT_VIOLATED
    from segverify.model.ir import AccountFoothold, RefFoothold
    from segverify.render.paths import render_paths_json, render_paths_text

    model = load(models, [])
    at = _ref(model, source, "--from", hosts=False)
    if account is not None and account not in model.principals:
        raise UsageError(f"--account '{account}' is not an account or group of the model")
    foothold = AccountFoothold(account, at) if account else RefFoothold(at)
    found = api.paths(model, (foothold,), (_ref(model, target, "--to", hosts=True),), limit)
    emit(render_paths_json(found) if fmt == "json" else render_paths_text(found), None)
    return EXIT_VIOLATED if found else EXIT_OK


LINT_FORMATS = ("text", "json", "sarif", "github")


def _lint_codes(select: str | None, ignore: str | None) -> frozenset[str]:
    from segverify.lint.codes import enabled, parse_codes

    try:
        return enabled(parse_codes(select, "--select"), parse_codes(ignore, "--ignore"))
    except ValueError as exc:
        raise UsageError(str(exc)) from None


@app.command(cls=Command)
@exits
def lint(
    models: list[Path] = ModelArg,
    policy: list[Path] = PolicyOpt,
    select: str | None = typer.Option(
        None, "--select", metavar="CODES", help="Report only these codes (comma-separated)."
    ),
    ignore: str | None = typer.Option(
        None, "--ignore", metavar="CODES", help="Leave out these codes (comma-separated)."
    ),
    fmt: str = typer.Option("text", "--format", "-f", metavar="FORMAT", help="text, json, sarif or github."),
    output: Path | None = typer.Option(
        None, "--output", "-o", metavar="FILE", help="Write the findings here, not to stdout."
    ),
    broad_prefix4: int = typer.Option(
        0,
        "--broad-prefix4",
        metavar="N",
        min=0,
        max=32,
        help="overly-broad: IPv4 sources this short count as the internet.",
    ),
    broad_prefix6: int = typer.Option(
        0,
        "--broad-prefix6",
        metavar="N",
        min=0,
        max=128,
        help="overly-broad: IPv6 sources this short count as the internet.",
    ),
    today: str | None = TodayOpt,
) -> int:
    """Rule hygiene (shadowed, redundant, broad, empty, unused); exit 0 no error, 1 errors, 2 bad input."""
    if fmt not in LINT_FORMATS:
        raise UsageError(f"--format takes one of {', '.join(LINT_FORMATS)}, not '{fmt}'")
    codes = _lint_codes(select, ignore)
    from segverify.lint.context import LintOptions
    from segverify.lint.output import render_lint
    from segverify.lint.run import lint as run_lint

    options = LintOptions(codes, broad_prefix4, broad_prefix6, _today(today))
    check_outputs({"--output": output}, {})
    report = run_lint(load(models, policy), options)
    emit(render_lint(report, fmt), output)
    return 1 if report.errors() else 0


import_app = typer.Typer(
    cls=Group,
    name="import",
    help="Import deployed configurations as a model folder.",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(import_app, name="import")


@import_app.command(name="aws", cls=Command)
@exits
def import_aws(
    paths: list[Path] = typer.Argument(
        ..., metavar="PATH...", help="describe-* JSON files or folders (recursive)."
    ),
    output: Path = typer.Option(
        ..., "--output", "-o", metavar="DIR", help="The model folder to write aws.yaml into."
    ),
) -> int:
    """AWS security groups, network ACLs, subnets and ENIs (EC2 describe-* JSON) as a model folder."""
    from segverify.importers.aws.command import MODEL_FILE, check_written
    from segverify.importers.aws.command import import_aws as run_import

    text, warnings = run_import([str(p) for p in paths])
    check_written(text, str(output / MODEL_FILE))
    try:
        output.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"--output: cannot make the folder '{output}': {exc.strerror}") from None
    emit(text, output / MODEL_FILE)
    for warning in warnings:
        err(warning.render())
    return 0


@app.command(name="verify-certificate", cls=Command)
@exits
def verify_certificate(
    certificate: Path = typer.Argument(..., help="A certificate file written by `check --certificate`."),
    models: list[Path] = ModelArg,
    policy: list[Path] = PolicyOpt,
) -> int:
    """Re-check a certificate file against the model, without the solver; exit 0 all check, 1 not."""
    from segverify.errors import EXIT_OK, EXIT_VIOLATED
    from segverify.evidence.read import read_certificate_file
    from segverify.evidence.recheck import outcome_lines, recheck

    cert_file = read_certificate_file(str(certificate))
    outcome = recheck(load(models, policy), cert_file)
    for note in outcome.notes:
        err(f"note: {note}")
    emit("\n".join(outcome_lines(outcome)) + "\n", None)
    return EXIT_OK if outcome.ok else EXIT_VIOLATED


@app.command(cls=Command)
@exits
def diff(
    models: list[Path] = typer.Argument(
        ...,
        metavar="BEFORE AFTER | PATH...",
        help="BEFORE and AFTER (each a model file or folder); with --git, the model paths to compare.",
    ),
    policy: list[Path] = PolicyOpt,
    git: str | None = typer.Option(
        None,
        "--git",
        metavar="REF",
        help="BEFORE is the given paths at this git ref (read with git show), AFTER the work tree.",
    ),
    intended: Path | None = typer.Option(
        None,
        "--intended",
        metavar="FILE",
        help="YAML list of intended changes: report collateral and unmet ones.",
    ),
    foothold: list[str] = typer.Option(
        [], "--foothold", metavar="REF", help="Also compare attack reach from this reference."
    ),
    fmt: str = typer.Option(
        "text", "--format", "-f", metavar="FORMAT", help="text, json, markdown or sarif."
    ),
    output: Path | None = typer.Option(
        None, "--output", "-o", metavar="FILE", help="Write the report here, not to stdout."
    ),
    sarif: Path | None = typer.Option(None, "--sarif", metavar="FILE", help="Also write SARIF 2.1.0 here."),
    json_out: Path | None = typer.Option(
        None, "--json", metavar="FILE", help="Also write the JSON report here."
    ),
    fail_on: str = typer.Option(
        "regressed",
        "--fail-on",
        metavar="CONDITION",
        help="Exit 1 on: regressed (policies, intent), opened, or any change.",
    ),
    today: str | None = TodayOpt,
    timeout: float | None = TimeoutOpt,
    rlimit: int = RlimitOpt,
) -> int:
    """What a change opens, closes and breaks: packets, attack reach, policies; exit 1 on --fail-on."""
    from segverify.diff.command import DiffArgs, render, run

    args = DiffArgs(
        paths=tuple(str(p) for p in models),
        policies=tuple(str(p) for p in policy),
        git=git,
        intended=str(intended) if intended is not None else None,
        footholds=tuple(foothold),
        fmt=fmt,
        fail_on=fail_on,
    )
    options = _check_options(timeout, rlimit, today, False, False)
    files = {"--output": output, "--sarif": sarif, "--json": json_out}
    check_outputs(files, {})
    report, code = run(args, options)
    if sys.stderr.isatty():
        print("\r\x1b[K", end="", file=sys.stderr)
    emit(render(report, fmt), output)
    for option, extra_fmt in (("--sarif", "sarif"), ("--json", "json")):
        if files[option] is not None:
            emit(render(report, extra_fmt), files[option], option)
    return code


@app.command(cls=Command)
@exits
def explain(
    models: list[Path] = ModelArg,
    policy: list[Path] = PolicyOpt,
    policy_id: list[str] = typer.Option(
        [],
        "--policy-id",
        metavar="ID",
        help="A proved attack policy to explain (repeatable); none: every one.",
    ),
    fmt: str = typer.Option("text", "--format", "-f", metavar="FORMAT", help="text or json."),
    output: Path | None = typer.Option(
        None, "--output", "-o", metavar="FILE", help="Write the explanation here."
    ),
    timeout: float | None = TimeoutOpt,
    rlimit: int = RlimitOpt,
) -> int:
    """What a proof rests on: load-bearing controls, single points of failure and the margin."""
    if fmt not in FORMATS:
        raise UsageError(f"--format takes one of {', '.join(FORMATS)}, not '{fmt}'")
    options = _check_options(timeout, rlimit, None, True, False)
    check_outputs({"--output": output}, {})
    model = load(models, policy)
    from segverify.explain.command import exit_code, explain_all, select
    from segverify.render.explanation import render_explanations_json, render_explanations_text

    found = explain_all(model, select(model, policy_id), options.budget)
    text = (
        json.dumps(render_explanations_json(found), indent=2) + "\n"
        if fmt == "json"
        else render_explanations_text(found)
    )
    emit(text, output)
    return exit_code(found)


FIX_FORMATS = ("text", "json", "patch")


@app.command(cls=Command)
@exits
def fix(
    models: list[Path] = ModelArg,
    policy: list[Path] = PolicyOpt,
    costs: Path | None = typer.Option(
        None, "--costs", metavar="FILE", help="YAML file of change costs (docs/fix.md)."
    ),
    keep: list[str] = typer.Option(
        [], "--keep", metavar="NAME", help="Never change this rule, host, zone, account or group."
    ),
    keep_waived: bool = typer.Option(False, "--keep-waived", help="Leave waived violations as they are."),
    alternatives: int = typer.Option(
        0, "--alternatives", min=0, metavar="N", help="Also find up to N other fixes."
    ),
    fmt: str = typer.Option(
        "text", "--format", "-f", metavar="FORMAT", help="text, json or patch (a unified diff)."
    ),
    write: Path | None = typer.Option(
        None, "--write", metavar="DIR", help="Write the whole changed model to this folder."
    ),
    timeout: float | None = typer.Option(
        None, "--timeout", metavar="SECONDS", help="Seconds for the whole search."
    ),
    today: str | None = TodayOpt,
) -> int:
    """The cheapest set of changes that makes every policy hold; exit 0 fixed, 1 infeasible, 3 unknown."""
    if fmt not in FIX_FORMATS:
        raise UsageError(f"--format takes one of {', '.join(FIX_FORMATS)}, not '{fmt}'")
    timeout_ms(timeout)  # the same checks as every solver timeout (positive, finite, bounded)
    check_outputs({}, {"--write": write})
    model = load(models, policy)
    from segverify.fix.command import run_fix

    with writing("--write"):
        text, code, note = run_fix(
            model, costs, keep, keep_waived, alternatives, fmt, write, timeout or 0.0, _today(today)
        )
    emit(text, None)
    if note:
        err(note)
    return code


ManifestArg = typer.Argument(..., metavar="PATH...", help="Manifest files or folders (recursive).")


@import_app.command(name="k8s", cls=Command)
@exits
def import_k8s(
    paths: list[Path] = ManifestArg,
    output: Path = typer.Option(..., "--output", "-o", metavar="DIR", help="The model folder to write."),
) -> int:
    """Kubernetes workloads, Namespaces and NetworkPolicies as a model with egress and ingress layers."""
    from segverify.importers.k8s.command import import_k8s as run_import
    from segverify.importers.k8s.command import model_path

    check_outputs({}, {"--output": output})
    imported = run_import([str(p) for p in paths])
    for warning in imported.warnings:
        err(warning.render())
    from segverify import outputs

    with writing("--output"):
        outputs.make_folder(output)
        outputs.write_text(model_path(output), [imported.text])
    plan = imported.plan
    flows = len(plan.egress) + len(plan.ingress)
    err(
        f"imported: {len(plan.hosts)} hosts, {len(plan.zones)} zones, {flows} flows into {model_path(output)}"
    )
    return 0


@app.command(cls=Command)
@exits
def connectivity(
    models: list[Path] = typer.Argument(
        ..., metavar="MODEL...", help="Model files or folders, or manifests."
    ),
    fmt: str = typer.Option("txt", "--format", "-f", metavar="FORMAT", help="txt, json, csv or dot."),
    output: Path | None = typer.Option(
        None, "--output", "-o", metavar="FILE", help="Write here, not to stdout."
    ),
    source: str = typer.Option(
        "model", "--from", metavar="KIND", help="model, or k8s: read manifests directly."
    ),
) -> int:
    """Every ordered pair of hosts and external zones, with the services all layers allow."""
    from segverify.connectivity.command import FORMATS, connectivity_text, k8s_network, model_connectivity

    if fmt not in FORMATS:
        raise UsageError(f"--format takes one of {', '.join(FORMATS)}, not '{fmt}'")
    if source not in SOURCES:
        raise UsageError(f"--from takes one of {', '.join(SOURCES)}, not '{source}'")
    check_outputs({"--output": output}, {})
    if source == "k8s":
        network, warnings = k8s_network([str(p) for p in models])
        for warning in warnings:
            err(warning)
        emit(connectivity_text(network, fmt), output)
    else:
        emit(model_connectivity(load(models, []), fmt), output)
    return 0


def main() -> None:
    """The console script."""
    app()
