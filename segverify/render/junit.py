"""Render stage: JUnit XML for CI test reports (`--format junit`), one suite per policy file.

GitLab keeps only the first of test cases with equal names, so names are `ID: title` and
made unique; violated is a <failure>, waived a <skipped>, unknown an <error>.
"""

from __future__ import annotations

import re
import textwrap
import xml.etree.ElementTree as ET
from collections.abc import Iterable

from segverify.render.sarif import finding_message
from segverify.render.text import certificate_lines, result_lines
from segverify.results import PolicyResult, Report, Status

NO_FILE = "segverify"  # the suite of policies without a source file (hand-built reports)

# XML 1.0 forbids most control characters; a stray one would make the whole file unreadable.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def render_junit(report: Report) -> str:
    root = ET.Element("testsuites", name="segverify")
    names: set[str] = set()
    for file, results in suites(report):
        root.append(_suite(file, results, names))
    _counts(root, root.findall("testsuite"))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def suite_file(r: PolicyResult) -> str:
    if r.source is None or r.source.line < 1 or r.source.file.startswith("<"):
        return NO_FILE
    return r.source.file


def suites(report: Report) -> list[tuple[str, list[PolicyResult]]]:
    """Results grouped by the file their policy is written in, files sorted, report order kept."""
    groups: dict[str, list[PolicyResult]] = {}
    for r in report.results:
        groups.setdefault(suite_file(r), []).append(r)
    return sorted(groups.items())


def _suite(file: str, results: list[PolicyResult], names: set[str]) -> ET.Element:
    suite = ET.Element("testsuite", name=_clean(file))
    cases = [_case(file, r, unique_name(case_name(r), names)) for r in results]
    _counts(suite, cases)
    suite.extend(cases)
    return suite


def _counts(element: ET.Element, children: Iterable[ET.Element]) -> None:
    """tests, failures, errors (and skipped on suites) summed from the children."""
    tallies = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for child in children:
        if child.tag == "testcase":
            tallies["tests"] += 1
            for tag, key in (("failure", "failures"), ("error", "errors"), ("skipped", "skipped")):
                tallies[key] += len(child.findall(tag))
        else:
            for key in tallies:
                tallies[key] += int(child.get(key, "0"))
    if element.tag == "testsuites":
        del tallies["skipped"]  # the common junit-10 schema has no skipped on the root
    for key, value in tallies.items():
        element.set(key, str(value))


def case_name(r: PolicyResult) -> str:
    return f"{r.id}: {r.title or r.kind}"


def unique_name(name: str, taken: set[str]) -> str:
    candidate, n = name, 1
    while candidate in taken:
        n += 1
        candidate = f"{name} ({n})"
    taken.add(candidate)
    return candidate


def _case(file: str, r: PolicyResult, name: str) -> ET.Element:
    case = ET.Element("testcase", classname=_clean(file), name=_clean(name))
    # The text report's lines, indentation kept: the numbered hops read as in --format text.
    body = _clean(textwrap.dedent("\n".join(result_lines(r)[1:])))
    head = _clean(finding_message(r).split("\n")[0])
    if r.status == Status.VIOLATED:
        _child(case, "failure", body, message=head, type=r.kind)
    elif r.status == Status.WAIVED:
        _child(case, "skipped", body, message=_clean(_waived(r)))
    elif r.status == Status.UNKNOWN:
        _child(case, "error", body, message=head, type="unknown")
    if r.status == Status.PROVED and (r.certificate is not None or r.stale_waiver is not None):
        _child(case, "system-out", _clean("\n".join(_proved_lines(r))))
    return case


def _child(parent: ET.Element, tag: str, text: str, **attrs: str) -> None:
    element = ET.SubElement(parent, tag, attrs)
    element.text = text or None


def _waived(r: PolicyResult) -> str:
    if r.waiver is None:
        return f"{r.id} waived"
    return f"{r.id} waived until {r.waiver.expires.isoformat()}: {r.waiver.reason}"


def _proved_lines(r: PolicyResult) -> list[str]:
    lines = [line.strip() for line in certificate_lines(r.certificate)] if r.certificate else []
    if r.stale_waiver is not None:
        lines.append(f"stale waiver: the policy holds; remove the waiver at {r.stale_waiver.span}")
    return lines


def _clean(text: str) -> str:
    return _ILLEGAL.sub("\ufffd", text)
