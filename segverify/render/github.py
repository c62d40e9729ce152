"""Render stage: GitHub Actions workflow commands (`--format github`), one annotation per finding.

`::error` for a violation that fails the run, `::warning` for unknown and for a violation below
--fail-on, `::notice` for waived results and stale waivers, each at the place SARIF anchors it
(the model line that enables the first avoidable step, else the policy).
"""

from __future__ import annotations

from segverify.diagnostics import Span
from segverify.model.ir import Model, Severity
from segverify.render.places import Places, usable
from segverify.render.sarif import anchor_span, finding_message, level, relative_uri
from segverify.results import PolicyResult, Report, Status

COMMAND = {"error": "error", "warning": "warning", "note": "notice"}  # SARIF level -> command


def render_github(
    report: Report, model_root: str = ".", model: Model | None = None, fail_on: Severity | None = None
) -> str:
    places = Places(model)
    lines = [annotation(r, model_root, places, fail_on) for r in report.results if r.status != Status.PROVED]
    lines += [_stale(r, model_root) for r in report.results if r.stale_waiver is not None]
    lines.append(_summary(report))
    return "\n".join(lines) + "\n"


def escape_data(text: str) -> str:
    """The message after `::`: GitHub decodes %25, %0D and %0A."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A `key=value` property: also `:` and `,`, which would end the value."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(name: str, message: str, span: Span | None, root: str, title: str) -> str:
    props: list[tuple[str, str]] = []
    if span is not None and usable(span):
        props += [("file", relative_uri(span.file, root)), ("line", str(span.line))]
        if span.column >= 1:
            props.append(("col", str(span.column)))
    props.append(("title", title))
    joined = ",".join(f"{key}={escape_property(value)}" for key, value in props)
    return f"::{name} {joined}::{escape_data(message)}"


def annotation(r: PolicyResult, root: str, places: Places = Places(), fail_on: Severity | None = None) -> str:
    # No usable policy span (a shipped pack): the model line if the witness has one, else no file.
    placeholder = Span("<none>", 0, 0)
    span: Span | None = anchor_span(r, r.source if usable(r.source) else placeholder, places)
    if span is placeholder:
        span = None
    return command(COMMAND[level(r, fail_on)], finding_message(r, root), span, root, r.id)


def _stale(r: PolicyResult, root: str) -> str:
    assert r.stale_waiver is not None
    w = r.stale_waiver
    message = f"stale waiver: {r.id} now holds; remove the waiver ({w.reason})"
    return command("notice", message, w.span, root, f"{r.id} stale waiver")


def _summary(report: Report) -> str:
    s = report.summary()
    text = ", ".join(f"{s[k]} {k}" for k in ("proved", "violated", "waived", "unknown"))
    n = len(report.results)
    noun = "policy" if n == 1 else "policies"
    return command("notice", f"{n} {noun}: {text}", None, ".", "segverify")
