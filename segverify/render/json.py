"""Render stage: the JSON report (`--format json`) and the `--certificate` file, in pieces.

The report carries each certificate's summary and SHA-256 (evidence/digest.py); the
certificates themselves go to the certificate file. A proof's certificate lists every move
out of its closed set: at 100,000 hosts the file holds 26 boundaries of ~175,000 entries.
json.dumps with an indent runs Python's pure-Python encoder over every one of them: minutes
and gigabytes. Here each boundary stands in the document as a marker; the rest is encoded by
`indented` (json.dumps(indent=2), by a faster route), and each marker is replaced, as the
text is written, by the entries, each distinct entry encoded once (certificates share their
entries: engine/certificate.Entries). The text is byte for byte what
json.dumps(..., indent=2) gives for the whole document.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Callable, Iterator, Mapping
from json.encoder import encode_basestring, encode_basestring_ascii

from segverify.evidence.binding import Binding
from segverify.evidence.digest import report_choice_digests, report_digests
from segverify.render.paths import certificates_json
from segverify.render.plain import BoundaryJson, ChoiceDigests, Json, blocked_json, report_json
from segverify.results import Blocked, Report

_STRING = {True: encode_basestring_ascii, False: encode_basestring}
_CONSTANTS = {True: "true", False: "false", None: "null"}


def render_json(report: Report, digests: Mapping[str, str] | None = None) -> str:
    return "".join(report_chunks(report, digests))


def report_chunks(
    report: Report,
    digests: Mapping[str, str] | None = None,
    choices: Mapping[str, ChoiceDigests] | None = None,
) -> Iterator[str]:
    """The report; `digests` (policy id -> certificate SHA-256) and `choices` (a resilient
    proof's choice digests) are computed when not given."""
    if digests is None:
        digests = report_digests(report)
    if choices is None:
        choices = report_choice_digests(report)
    yield indented(report_json(report, digests, choices), "", ascii_only=False) + "\n"


def certificate_chunks(report: Report, binding: Binding) -> Iterator[str]:
    return _chunks(lambda boundary: certificates_json(report, binding, boundary), ascii_only=True)


def _chunks(document: Callable[[BoundaryJson], Json], ascii_only: bool) -> Iterator[str]:
    boundaries: list[tuple[Blocked, ...]] = []
    # A fresh nonce: a title or name in the model cannot spell a marker by chance or on purpose.
    nonce = secrets.token_hex(8)
    marks = re.compile(rf'"\\u0000boundary:{nonce}:(\d+)\\u0000"')

    def mark(entries: tuple[Blocked, ...]) -> str:
        boundaries.append(entries)
        return f"\x00boundary:{nonce}:{len(boundaries) - 1}\x00"

    text = indented(document(mark), "", ascii_only) + "\n"
    encoded: dict[tuple[int, int], str] = {}  # by id of an entry (alive in the report) and indent
    done = 0
    for found in marks.finditer(text):
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
            text = encoded[id(entry), indent] = pad + indented(blocked_json(entry), pad, ascii_only)
        items.append(text)
    return "[\n" + ",\n".join(items) + "\n" + " " * indent + "]"


def indented(value: object, pad: str, ascii_only: bool) -> str:
    """json.dumps(value, indent=2) with every line after the first led by `pad`, for JSON values.

    One call per distinct boundary entry (hundreds of thousands in a large model): json's own
    indenting encoder is a chain of Python generators, slower than this on every entry.
    """
    if isinstance(value, str):
        return _STRING[ascii_only](value)
    if value is None or isinstance(value, bool):
        return _CONSTANTS[value]
    if isinstance(value, int):
        return int.__repr__(value)
    inner = pad + "  "
    if isinstance(value, dict):
        if not value:
            return "{}"
        items = [f"{_STRING[ascii_only](k)}: {indented(v, inner, ascii_only)}" for k, v in value.items()]
    elif isinstance(value, list | tuple):
        if not value:
            return "[]"
        items = [indented(v, inner, ascii_only) for v in value]
    else:
        return json.dumps(value, ensure_ascii=ascii_only)  # floats and the rest, as json writes them
    opening, closing = ("{", "}") if isinstance(value, dict) else ("[", "]")
    return opening + "\n" + inner + (",\n" + inner).join(items) + "\n" + pad + closing
