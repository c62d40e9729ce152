"""Render stage: GitHub Actions workflow commands (`--format github`), one annotation per finding.

`::error` for a violation, `::warning` for unknown, `::notice` for waived results and stale
waivers, each at the place SARIF anchors it (the rule that opens the path, else the policy).
"""

from __future__ import annotations

from segverify.diagnostics import Span
from segverify.render.sarif import anchor_span, finding_message, relative_uri, usable
from segverify.results import PolicyResult, Report, Status

COMMAND = {Status.VIOLATED: "error", Status.UNKNOWN: "warning", Status.WAIVED: "notice"}


def render_github(report: Report, model_root: str = ".") -> str:
    lines = [annotation(r, model_root) for r in report.results if r.status in COMMAND]
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


def annotation(r: PolicyResult, root: str) -> str:
    policy = r.source if usable(r.source) else None
    span = anchor_span(r, policy) if policy is not None else _rule_only(r)
    return command(COMMAND[r.status], finding_message(r), span, root, r.id)


def _rule_only(r: PolicyResult) -> Span | None:
    """No policy span: the rule's place if the witness has one, else an annotation without a file."""
    placeholder = Span("<none>", 0, 0)
    span = anchor_span(r, placeholder)
    return None if span is placeholder else span


def _stale(r: PolicyResult, root: str) -> str:
    assert r.stale_waiver is not None
    w = r.stale_waiver
    message = f"stale waiver: {r.id} now holds; remove the waiver ({w.reason})"
    return command("notice", message, w.span, root, f"{r.id} stale waiver")


def _summary(report: Report) -> str:
    s = report.summary()
    text = ", ".join(f"{s[k]} {k}" for k in ("proved", "violated", "waived", "unknown"))
    return command("notice", f"{len(report.results)} policies: {text}", None, ".", "segverify")
