"""JUnit XML: valid against tests/ci/junit.xsd, one suite per policy file, unique names, counts."""

from __future__ import annotations

import dataclasses
import xml.etree.ElementTree as ET

import pytest
from ci_fixtures import MODEL, POLICIES, full_report, policy, report_of
from junit_schema import XSD, structural_errors, xsd_elements

from segverify.diagnostics import Span
from segverify.render.junit import render_junit
from segverify.results import Report, Status


def two_files() -> Report:
    """The full report plus a policy written in the model file: two suites."""
    extra = dataclasses.replace(
        policy("NET-1", "no_flow", Status.VIOLATED, 70),
        source=Span(MODEL, 70, 3),
        title="Internet <-> DB & co",
    )
    report = full_report()
    return dataclasses.replace(report, results=(*report.results, extra))


def parse(report: Report) -> ET.Element:
    return ET.fromstring(render_junit(report))


@pytest.mark.parametrize("make", [full_report, two_files, lambda: Report(results=())])
def test_structure_follows_the_xsd(make: object) -> None:
    assert callable(make)
    root = parse(make())
    assert root.tag == "testsuites"
    assert structural_errors(root, xsd_elements()) == []


def test_the_structural_check_can_fail() -> None:
    root = parse(full_report())
    root.find("testsuite/testcase").set("bogus", "1")  # type: ignore[union-attr]
    ET.SubElement(root.find("testsuite/testcase"), "failure")  # type: ignore[arg-type]
    errors = structural_errors(root, xsd_elements())
    assert any("unexpected attribute bogus" in e for e in errors) and any(
        "more than one" in e for e in errors
    )


def test_valid_against_the_xsd_with_xmlschema() -> None:
    xmlschema = pytest.importorskip("xmlschema", reason="xmlschema not installed: the hand check above runs")
    schema = xmlschema.XMLSchema(str(XSD))
    for report in (full_report(), two_files(), Report(results=())):
        schema.validate(render_junit(report))


# ---- content -------------------------------------------------------------------------------


def test_one_suite_per_policy_file_with_correct_counts() -> None:
    root = parse(two_files())
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert sorted(suites) == [MODEL, POLICIES]
    seg = suites[POLICIES]
    # SEG-001..009: violated 001 002 003 007 008, waived 004, unknown 006, proved 005 009
    assert (seg.get("tests"), seg.get("failures"), seg.get("errors"), seg.get("skipped")) == (
        "9",
        "5",
        "1",
        "1",
    )
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("10", "6", "1")
    for suite in suites.values():
        assert {c.get("classname") for c in suite.findall("testcase")} == {suite.get("name")}


def test_names_are_id_and_title_unique_and_deterministic() -> None:
    names = [c.get("name") for c in parse(two_files()).iter("testcase")]
    assert "SEG-001: SEG-001 isolated policy" in names and "NET-1: Internet <-> DB & co" in names
    assert len(names) == len(set(names))
    assert render_junit(two_files()) == render_junit(two_files())


def test_duplicate_names_are_made_unique() -> None:
    a = policy("P-1", "no_flow", Status.PROVED, 3)
    names = [c.get("name") for c in parse(report_of(a, a, a)).iter("testcase")]
    assert names == ["P-1: P-1 no flow policy", "P-1: P-1 no flow policy (2)", "P-1: P-1 no flow policy (3)"]


def case(root: ET.Element, pid: str) -> ET.Element:
    (found,) = [c for c in root.iter("testcase") if c.get("name", "").startswith(pid + ":")]
    return found


def test_violation_carries_the_witness_in_failure() -> None:
    failure = case(parse(full_report()), "SEG-001").find("failure")
    assert failure is not None and failure.get("type") == "isolated"
    assert failure.get("message") == "SEG-001 violated: SEG-001 isolated policy [critical]"
    assert failure.text is not None
    assert "1. login laptops -> jump on ssh as alice" in failure.text
    assert "3. login jump -> db on ssh as ops-1" in failure.text


def test_waived_is_skipped_unknown_is_error_expired_waiver_fails() -> None:
    root = parse(full_report())
    skipped = case(root, "SEG-004").find("skipped")
    assert skipped is not None and "waived until 2027-03-31" in skipped.get("message", "")
    error = case(root, "SEG-006").find("error")
    assert error is not None and error.text is not None and "timeout" in error.text
    expired = case(root, "SEG-008").find("failure")
    assert expired is not None and "waiver expired on 2020-01-01" in (expired.text or "")


def test_proved_passes_and_stale_waiver_is_reported() -> None:
    proved = case(parse(full_report()), "SEG-005")
    assert [c.tag for c in proved] == ["system-out"]
    assert "stale waiver" in (proved.findtext("system-out") or "")


def test_control_characters_do_not_break_the_xml() -> None:
    bad = dataclasses.replace(policy("P-1", "no_flow", Status.UNKNOWN, 3), reason="gave up\x00\x07 early")
    error = case(parse(report_of(bad)), "P-1").find("error")
    assert error is not None and "early" in (error.text or "")
