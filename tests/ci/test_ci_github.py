"""`--format github`: every line is a workflow command that parses, with GitHub's escaping."""

from __future__ import annotations

import dataclasses
import re

from ci_fixtures import MODEL, POLICIES, full_report, policy, report_of

from segverify.diagnostics import Span
from segverify.render.github import escape_data, escape_property, render_github
from segverify.render.sarif import finding_message
from segverify.results import Status

# ::name key=value,key=value::message   (properties optional; values never hold raw `:` or `,`)
LINE = re.compile(r"^::(?P<name>error|warning|notice)(?: (?P<props>[^:]*))?::(?P<message>[^\r\n]*)$")


def unescape(text: str) -> str:
    for encoded, raw in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        text = text.replace(encoded, raw)
    return text


def parse(output: str) -> list[tuple[str, dict[str, str], str]]:
    commands = []
    for line in output.splitlines():
        match = LINE.match(line)
        assert match, f"not a workflow command: {line!r}"
        props = dict(p.split("=", 1) for p in (match["props"] or "").split(",") if p)
        commands.append(
            (match["name"], {k: unescape(v) for k, v in props.items()}, unescape(match["message"]))
        )
    return commands


def by_title(output: str) -> dict[str, tuple[str, dict[str, str], str]]:
    return {props["title"]: (name, props, message) for name, props, message in parse(output)}


def test_every_line_parses_and_maps_status_to_command() -> None:
    commands = by_title(render_github(full_report()))
    assert {t: c[0] for t, c in commands.items()} == {
        "SEG-001": "error",
        "SEG-002": "error",
        "SEG-003": "error",
        "SEG-004": "notice",  # waived
        "SEG-005 stale waiver": "notice",
        "SEG-006": "warning",  # unknown
        "SEG-007": "error",
        "SEG-008": "error",  # expired waiver
        "segverify": "notice",  # the summary
    }


def test_annotations_point_at_the_sarif_anchor() -> None:
    commands = by_title(render_github(full_report()))
    assert commands["SEG-001"][1] == {"file": MODEL, "line": "40", "col": "5", "title": "SEG-001"}
    assert (commands["SEG-003"][1]["file"], commands["SEG-003"][1]["line"]) == (POLICIES, "17")
    stale = commands["SEG-005 stale waiver"][1]
    assert (stale["file"], stale["line"]) == (POLICIES, "95")
    assert "file" not in commands["segverify"][1]


def test_message_round_trips_with_newlines() -> None:
    report = full_report()
    commands = by_title(render_github(report))
    (seg1,) = [r for r in report.results if r.id == "SEG-001"]
    assert commands["SEG-001"][2] == finding_message(seg1)
    assert "\n1. login laptops -> jump on ssh as alice" in commands["SEG-001"][2]
    assert commands["segverify"][2] == "9 policies: 2 proved, 5 violated, 1 waived, 1 unknown"


def test_escaping_follows_github_rules() -> None:
    assert escape_data("50% done\r\nnext: a,b") == "50%25 done%0D%0Anext: a,b"
    assert escape_property("C:\\x,y%z\n") == "C%3A\\x%2Cy%25z%0A"


def test_hostile_names_stay_on_one_parsable_line() -> None:
    odd = dataclasses.replace(
        policy("P:1,x", "no_flow", Status.VIOLATED, 3),
        source=Span("dir,with:odd/fi%le.yaml", 3, 1),
        title="line one\nline two: 100%",
    )
    ((name, props, message),) = [
        c for c in parse(render_github(report_of(odd))) if c[1]["title"] != "segverify"
    ]
    assert name == "error" and props == {
        "file": "dir,with:odd/fi%le.yaml",
        "line": "3",
        "col": "1",
        "title": "P:1,x",
    }
    assert message.startswith("P:1,x violated: line one\nline two: 100%")
