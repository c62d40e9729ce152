"""Render stage: the JSON report (`--format json`) and the `--certificate` file, in pieces.

A proof's certificate lists every move out of its closed set: at 100,000 hosts a report holds
26 boundaries of ~175,000 entries. json.dumps with an indent runs Python's pure-Python
encoder over every one of them: 3 minutes and 6.9 GB peak for an 800 MB report, longer than
the check. Here each boundary stands in the document as a marker; the rest is encoded as
before, and each marker is replaced, as the text is written, by the entries, each distinct
entry encoded once (certificates share their entries: analyses/attack_policies.Entries).
The text is byte for byte what json.dumps(..., indent=2) gives for the whole document.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator

from segverify.render.paths import certificates_json
from segverify.render.plain import BoundaryJson, Json, blocked_json, report_json
from segverify.results import Blocked, Report

_MARK = re.compile(r'"\\u0000boundary:(\d+)\\u0000"')


def render_json(report: Report) -> str:
    return "".join(report_chunks(report))


def report_chunks(report: Report) -> Iterator[str]:
    return _chunks(lambda boundary: report_json(report, boundary), ascii_only=False)


def certificate_chunks(report: Report) -> Iterator[str]:
    return _chunks(lambda boundary: certificates_json(report, boundary), ascii_only=True)


def _chunks(document: Callable[[BoundaryJson], Json], ascii_only: bool) -> Iterator[str]:
    boundaries: list[tuple[Blocked, ...]] = []

    def mark(entries: tuple[Blocked, ...]) -> str:
        boundaries.append(entries)
        return f"\x00boundary:{len(boundaries) - 1}\x00"  # NUL: no model name holds one

    text = json.dumps(document(mark), indent=2, ensure_ascii=ascii_only) + "\n"
    encoded: dict[tuple[int, int], str] = {}  # by id of an entry (alive in the report) and indent
    done = 0
    for found in _MARK.finditer(text):
        line = text[text.rfind("\n", 0, found.start()) + 1 : found.start()]
        indent = len(line) - len(line.lstrip(" "))
        yield text[done : found.start()]
        yield _entries(boundaries[int(found.group(1))], indent, encoded, ascii_only)
        done = found.end()
    yield text[done:]


def _entries(
    entries: tuple[Blocked, ...], indent: int, encoded: dict[tuple[int, int], str], ascii_only: bool
) -> str:
    """The list as json.dumps(indent=2) writes it where its key stands `indent` spaces in."""
    if not entries:
        return "[]"
    pad = " " * (indent + 2)
    items = []
    for entry in entries:
        text = encoded.get((id(entry), indent))
        if text is None:
            plain = json.dumps(blocked_json(entry), indent=2, ensure_ascii=ascii_only)
            text = encoded[id(entry), indent] = pad + plain.replace("\n", "\n" + pad)
        items.append(text)
    return "[\n" + ",\n".join(items) + "\n" + " " * indent + "]"
