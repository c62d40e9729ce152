"""SARIF for GitHub code scanning: shape, anchors, code flows, fingerprints and limits."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest
from ci_fixtures import MODEL, POLICIES, attack_path, full_report, only, policy, report_of

import segverify.render.sarif as sarif_module
from segverify import __version__
from segverify.diagnostics import Span
from segverify.render.sarif import MAX_LOCATIONS, render_sarif
from segverify.render.text import hop_lines
from segverify.results import BlastWitness, ControlledHost, Hop, PathWitness, Report, Status


def sarif(report: Report, root: str = ".") -> dict[str, Any]:
    out: dict[str, Any] = json.loads(render_sarif(report, root))
    return out


def run_of(report: Report) -> dict[str, Any]:
    run: dict[str, Any] = sarif(report)["runs"][0]
    return run


def by_rule(report: Report) -> dict[str, dict[str, Any]]:
    return {r["ruleId"]: r for r in run_of(report)["results"]}


def where(location: dict[str, Any]) -> tuple[str, int]:
    physical = location["physicalLocation"]
    return physical["artifactLocation"]["uri"], physical["region"]["startLine"]


def test_log_header_tool_and_category() -> None:
    log = sarif(full_report())
    assert log["version"] == "2.1.0" and "sarif-2.1.0" in log["$schema"]
    driver = log["runs"][0]["tool"]["driver"]
    assert driver["name"] == "segverify" and driver["version"] == __version__
    assert driver["informationUri"].startswith("https://")
    assert log["runs"][0]["automationDetails"]["id"] == "segverify/"


def test_results_array_present_when_everything_is_proved_or_empty() -> None:
    assert run_of(only(full_report(), Status.PROVED))["results"] == []
    empty = run_of(Report(results=()))
    assert empty["results"] == [] and empty["tool"]["driver"]["rules"] == []
    assert "/" in empty["automationDetails"]["id"]


def test_one_rule_per_policy_with_help_and_security_severity() -> None:
    rules = {r["id"]: r for r in run_of(full_report())["tool"]["driver"]["rules"]}
    assert sorted(rules) == [f"SEG-00{i}" for i in range(1, 10)]  # proved policies too
    expected = {"SEG-001": "9.5", "SEG-002": "5.5", "SEG-003": "3.0", "SEG-004": "8.0"}
    for pid, score in expected.items():
        assert rules[pid]["properties"]["security-severity"] == score
    for rule in rules.values():
        assert "security" in rule["properties"]["tags"]
        assert rule["shortDescription"]["text"] and rule["fullDescription"]["text"]
        assert rule["help"]["text"] and rule["help"]["markdown"]
        assert rule["defaultConfiguration"]["level"] == "error"
        float(rule["properties"]["security-severity"])


def test_rule_index_points_at_its_rule() -> None:
    run = run_of(full_report())
    for result in run["results"]:
        assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == result["ruleId"]


def test_statuses_map_to_levels_suppressions_and_omission() -> None:
    results = by_rule(full_report())
    assert "SEG-005" not in results and "SEG-009" not in results  # proved: no alert
    assert results["SEG-001"]["level"] == "error" and "suppressions" not in results["SEG-001"]
    assert results["SEG-006"]["level"] == "warning"
    assert "timeout" in results["SEG-006"]["message"]["text"]
    (suppression,) = results["SEG-004"]["suppressions"]
    assert suppression["kind"] == "external"
    assert "SEC-1234" in suppression["justification"] and "2027-03-31" in suppression["justification"]
    expired = results["SEG-008"]
    assert "suppressions" not in expired and "waiver expired on 2020-01-01" in expired["message"]["text"]


def test_every_result_has_a_relative_location_with_a_line() -> None:
    for result in run_of(full_report())["results"]:
        (location,) = result["locations"]
        uri, line = where(location)
        assert line >= 1 and not uri.startswith("/") and ":" not in uri


def test_anchored_at_the_rule_opening_the_first_hop_else_the_policy() -> None:
    results = by_rule(full_report())
    assert where(results["SEG-001"]["locations"][0]) == (MODEL, 40)  # corp-to-jump
    assert where(results["SEG-002"]["locations"][0]) == (MODEL, 31)  # the allowing rule
    assert where(results["SEG-003"]["locations"][0]) == (POLICIES, 17)  # denied by a default
    assert where(results["SEG-006"]["locations"][0]) == (POLICIES, 38)  # unknown: the policy
    assert where(results["SEG-008"]["locations"][0]) == (POLICIES, 52)


def test_default_rule_first_hop_anchors_at_the_policy() -> None:
    path = attack_path()
    first = dataclasses.replace(path[1], rule=path[3].rule)  # default:intra_zone has no span
    result = policy("P-1", "isolated", Status.VIOLATED, 12, witness=PathWitness("db", (path[0], first)))
    assert where(by_rule(report_of(result))["P-1"]["locations"][0]) == (POLICIES, 12)


def test_code_flow_numbers_hops_like_the_text_report() -> None:
    flow = by_rule(full_report())["SEG-001"]["codeFlows"][0]["threadFlows"][0]["locations"]
    messages = [step["location"]["message"]["text"] for step in flow]
    assert messages[0].startswith("foothold: controls laptops")
    assert messages[1].startswith("1: login laptops -> jump on ssh as alice, packet 10.10.0.7")
    assert messages[2] == "2: harvest ops-1's credentials from a session on jump"
    assert messages[3].startswith("3: login jump -> db on ssh as ops-1")
    text_numbers = [line.split(".")[0].strip() for line in hop_lines(attack_path()) if "foothold" not in line]
    assert [m.split(":")[0] for m in messages[1:]] == text_numbers == ["1", "2", "3"]
    places = [where(step["location"]) for step in flow]
    assert places == [(POLICIES, 3), (MODEL, 40), (POLICIES, 3), (POLICIES, 3)]


def test_related_locations_hold_the_policy_and_every_hop() -> None:
    related = by_rule(full_report())["SEG-001"]["relatedLocations"]
    assert related[0]["message"]["text"] == "the policy" and where(related[0]) == (POLICIES, 3)
    assert len(related) == 1 + len(attack_path())
    assert [r["id"] for r in related] == list(range(len(related)))


def test_blast_radius_has_one_code_flow_per_controlled_host() -> None:
    flows = by_rule(full_report())["SEG-007"]["codeFlows"]
    assert [f["message"]["text"] for f in flows] == [
        "attack path to laptops",
        "attack path to jump",
        "attack path to db",
    ]


def test_paths_are_relative_to_the_model_root(tmp_path: Any) -> None:
    file = str(tmp_path / "infra" / "net.yaml")
    result = dataclasses.replace(policy("P-1", "no_flow", Status.UNKNOWN, 4), source=Span(file, 4, 3))
    log = sarif(Report(results=(result,), files=(file,)), str(tmp_path))
    assert where(log["runs"][0]["results"][0]["locations"][0]) == ("infra/net.yaml", 4)


def test_a_result_without_any_span_still_has_a_valid_location() -> None:
    result = dataclasses.replace(policy("P-1", "no_flow", Status.UNKNOWN, 4), source=None)
    assert where(by_rule(report_of(result))["P-1"]["locations"][0]) == (MODEL, 1)
    bare = by_rule(Report(results=(result,)))["P-1"]["locations"][0]
    assert where(bare)[1] == 1 and where(bare)[0]


def fingerprints(report: Report) -> dict[str, str]:
    return {pid: r["partialFingerprints"]["segverify/v1"] for pid, r in by_rule(report).items()}


def test_fingerprints_ignore_line_shifts() -> None:
    assert fingerprints(full_report(shift=0)) == fingerprints(full_report(shift=17))
    moved = by_rule(full_report(shift=17))["SEG-001"]["locations"][0]
    assert where(moved) == (MODEL, 57)  # the location did move: only the fingerprint is stable


def test_fingerprints_change_with_the_path_and_are_distinct() -> None:
    before, after = fingerprints(full_report()), fingerprints(full_report(via="bastion"))
    changed = {pid for pid in before if before[pid] != after[pid]}
    assert changed == {"SEG-001", "SEG-007"}  # the two results whose path went through the jump host
    assert len(set(before.values())) == len(before)
    assert all(
        r["partialFingerprints"]["primaryLocationLineHash"] == r["partialFingerprints"]["segverify/v1"]
        for r in by_rule(full_report()).values()
    )


def test_too_many_hops_are_cut_at_github_limits_with_a_note() -> None:
    foothold = Hop("foothold", to="laptops")
    hosts = tuple(
        ControlledHost(f"h{i:04}", (foothold, Hop("manage", source="laptops", to=f"h{i:04}")))
        for i in range(MAX_LOCATIONS)
    )
    result = policy("P-1", "blast_radius", Status.VIOLATED, 3, witness=BlastWitness(hosts, 5))
    out = by_rule(report_of(result))["P-1"]
    assert len(out["relatedLocations"]) == MAX_LOCATIONS
    assert "left out" in out["relatedLocations"][-1]["message"]["text"]
    assert len(out["codeFlows"]) == MAX_LOCATIONS


def test_too_many_results_are_cut_with_a_notification(monkeypatch: pytest.MonkeyPatch) -> None:
    assert sarif_module.MAX_RESULTS == 25_000
    monkeypatch.setattr(sarif_module, "MAX_RESULTS", 40)  # the same code path, 600 times faster
    results = tuple(policy(f"P-{i:05}", "no_flow", Status.UNKNOWN, 3) for i in range(43))
    run = run_of(report_of(*results))
    assert len(run["results"]) == 40
    notes = [n["message"]["text"] for n in run["invocations"][0]["toolExecutionNotifications"]]
    assert any("3 results left out" in n for n in notes)


def test_stale_waivers_are_notifications_not_alerts() -> None:
    notes = run_of(full_report())["invocations"][0]["toolExecutionNotifications"]
    (stale,) = [n for n in notes if "stale waiver" in n["message"]["text"]]
    assert "SEG-005" in stale["message"]["text"] and where(stale["locations"][0]) == (POLICIES, 95)


def test_output_is_deterministic() -> None:
    assert render_sarif(full_report()) == render_sarif(full_report())
