"""The CI formats on real `check` output: every golden case and example, anchors and fingerprints."""

from __future__ import annotations

import json
import os
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from ci_real import PACKS, ROOT, check, check_model
from junit_schema import structural_errors, xsd_elements
from test_ci_github import LINE

from segverify.model.ir import Model
from segverify.render.github import render_github
from segverify.render.junit import render_junit
from segverify.render.sarif import NETWORK_MOVES, render_sarif
from segverify.results import (
    AccountsWitness,
    BlastWitness,
    Hop,
    MatrixWitness,
    PacketWitness,
    PathWitness,
    PolicyResult,
    Report,
    ResilienceWitness,
    Status,
)

FLAWED = "examples/remote-access-vendor/flawed"


def sarif_run(report: Report) -> dict[str, Any]:
    run: dict[str, Any] = json.loads(render_sarif(report, str(ROOT)))["runs"][0]
    return run


def place(location: dict[str, Any]) -> tuple[str, int]:
    physical = location["physicalLocation"]
    return physical["artifactLocation"]["uri"], physical["region"]["startLine"]


def first_steps(r: PolicyResult) -> list[Hop]:
    """The moves of a path finding, in the order taken (footholds are the policy's assumption)."""
    w = r.witness
    if isinstance(w, ResilienceWitness):  # a `resilient` breach: the path on its choice's model
        w = w.witness
    paths = (
        [w.path]
        if isinstance(w, PathWitness)
        else [c.path for c in w.hosts]
        if isinstance(w, BlastWitness)
        else []
    )
    return [h for path in paths for h in path if h.move != "foothold"]


def line_at(uri: str, line: int) -> str:
    return (ROOT / uri).read_text(encoding="utf-8").splitlines()[line - 1]


def expected_rule_anchor(r: PolicyResult) -> tuple[str, int]:
    """Without the model: the first rule that lets a step's packet through; else the policy."""
    assert r.source is not None
    w = r.witness
    # per hop its rule, then (with layers, when that is a default) a later layer's written rule
    spans = [
        s
        for h in first_steps(r)
        if h.move in NETWORK_MOVES and h.rule is not None
        for s in (h.rule.span, *(x.span for x in h.rules))
    ]
    if isinstance(w, PacketWitness):
        spans = [w.rule.span]
    elif isinstance(w, MatrixWitness):
        spans = [p.rule.span for p in w.pairs]
    for span in spans:
        if span is not None and span.line >= 1:
            return span.file, span.line
    return r.source.file, r.source.line


def test_reports_cover_every_status_but_unknown(real_reports: dict[str, Report]) -> None:
    statuses = {r.status for report in real_reports.values() for r in report.results}
    assert statuses >= {Status.PROVED, Status.VIOLATED, Status.WAIVED}
    assert any(r.stale_waiver for report in real_reports.values() for r in report.results)


def test_sarif_locations_exist_in_the_checkout(real_reports: dict[str, Report]) -> None:
    for name, report in real_reports.items():
        run = sarif_run(report)
        findings = [r for r in report.results if r.status != Status.PROVED]
        assert len(run["results"]) == len(findings), name
        for result in run["results"]:
            for location in result["locations"] + result.get("relatedLocations", []):
                uri, line = place(location)
                lines = (ROOT / uri).read_text(encoding="utf-8").splitlines()
                assert 1 <= line <= len(lines), f"{name} {result['ruleId']}: {uri}:{line}"


def test_sarif_without_the_model_anchors_at_rules(real_reports: dict[str, Report]) -> None:
    anchored_at_rules = 0
    for report in real_reports.values():
        by_id = {r["ruleId"]: r for r in sarif_run(report)["results"]}
        for r in report.results:
            if r.id in by_id:
                assert place(by_id[r.id]["locations"][0]) == expected_rule_anchor(r), r.id
                anchored_at_rules += expected_rule_anchor(r)[0] != r.source.file  # type: ignore[union-attr]
    assert anchored_at_rules >= 5  # the anchor rule is exercised, not only the policy fallback


def anchor_names_the_first_step(h: Hop, uri: str, line: int, column: int) -> bool:
    """The anchored line is the one that enables the step, read from the file itself."""
    text, word = line_at(uri, line), line_at(uri, line)[column - 1 :]
    if h.rule is not None and h.rule.span is not None and h.rule.span.line >= 1:
        return (uri, line) == (h.rule.span.file, h.rule.span.line) and h.rule.name in text
    # with layers, the first layer whose deciding rule is a written rule (not a default)
    written = [r for r in h.rules if r.span is not None and r.span.line >= 1]
    if h.move in ("login", "exploit") and written:
        return (uri, line) == (written[0].span.file, written[0].span.line) and written[0].name in text  # type: ignore[union-attr]
    if h.move == "manage":
        return "manages" in text
    if h.move == "harvest":
        return "sessions" in text
    if h.move == "login":
        return "logins" in text or "member_of" in text
    return "vulnerable" in text and word.startswith(str(h.service))


def test_sarif_with_the_model_anchors_at_the_line_that_enables_the_first_step(
    real_checks: dict[str, tuple[Model, Report]],
) -> None:
    kinds: set[str] = set()
    for name, (model, report) in real_checks.items():
        log = json.loads(render_sarif(report, str(ROOT), model))
        for result in log["runs"][0]["results"]:
            r = next(x for x in report.results if x.id == result["ruleId"])
            uri, line = place(result["locations"][0])
            column = result["locations"][0]["physicalLocation"]["region"]["startColumn"]
            steps = first_steps(r)
            if steps and (uri, line) != (r.source.file, r.source.line):  # type: ignore[union-attr]
                assert anchor_names_the_first_step(steps[0], uri, line, column), (name, r.id)
                kinds.add(steps[0].move)
                related = [x["message"]["text"] for x in result["relatedLocations"]]
                assert related[0] == "the policy", (name, r.id)
            if isinstance(r.witness, AccountsWitness):
                assert any(k in line_at(uri, line) for k in ("member_of", "logins", "sessions")), r.id
                kinds.add("accounts")
    assert kinds >= {"login", "manage", "harvest", "accounts"}, kinds


def test_the_flagship_points_at_its_host_files() -> None:
    """Done-when of issue #16: manages and sessions findings are anchored in the host files."""
    models, packs = [FLAWED], ["pack:three-plane", "pack:baseline"]
    before = os.getcwd()
    os.chdir(ROOT)
    try:
        model, report = check_model(models, packs)
    finally:
        os.chdir(before)
    results = {
        r["ruleId"]: r for r in json.loads(render_sarif(report, str(ROOT), model))["runs"][0]["results"]
    }
    anchors = {pid: place(r["locations"][0]) for pid, r in results.items()}
    manages = anchors["PLANE-002"]  # prod-backup manages corp-fs-01
    assert manages[0] == f"{FLAWED}/hosts-production.yaml" and "manages:" in line_at(*manages)
    sessions = anchors["PLANE-001"]  # carol-admin's session on corp-endpoint-mgmt is harvested
    assert sessions[0] == f"{FLAWED}/hosts-corp.yaml" and "sessions:" in line_at(*sessions)
    separate = anchors["RAV-004"]  # carol-admin in both planes: its membership line
    assert separate[0] == f"{FLAWED}/accounts.yaml" and "carol-admin" in line_at(*separate)
    for pid, result in results.items():  # no location points into a shipped pack
        for loc in result["locations"] + result.get("relatedLocations", []):
            assert (ROOT / place(loc)[0]).is_file(), pid
        assert "pack:" not in json.dumps(result["locations"]), pid
        if pid.startswith(("PLANE-", "BASE-")):  # a shipped pack's policy: cited, not located
            assert "(policy pack:" in result["message"]["text"], pid
            assert all(x["message"]["text"] != "the policy" for x in result.get("relatedLocations", []))


def test_sarif_code_flows_number_hops_one_to_n(real_reports: dict[str, Report]) -> None:
    for r in sarif_run(real_reports[FLAWED])["results"]:
        for flow in r.get("codeFlows", []):
            steps = [s["location"]["message"]["text"] for s in flow["threadFlows"][0]["locations"]]
            numbers = [int(m.split(":")[0]) for m in steps if not m.startswith("foothold")]
            assert numbers == list(range(1, len(numbers) + 1)), steps


def test_junit_is_valid_and_counts_match(real_reports: dict[str, Report]) -> None:
    schema = xsd_elements()
    for name, report in real_reports.items():
        root = ET.fromstring(render_junit(report))
        assert structural_errors(root, schema) == [], name
        s = report.summary()
        assert root.get("tests") == str(len(report.results))
        assert (root.get("failures"), root.get("errors")) == (str(s["violated"]), str(s["unknown"]))
        assert sum(int(x.get("skipped", "0")) for x in root.findall("testsuite")) == s["waived"]
        names = [c.get("name") for c in root.iter("testcase")]
        assert len(names) == len(set(names))


def test_junit_suites_follow_policy_packs(real_reports: dict[str, Report]) -> None:
    root = ET.fromstring(render_junit(real_reports[FLAWED]))
    suites = sorted(s.get("name") for s in root.findall("testsuite"))
    assert suites == [f"{FLAWED}/policies.yaml", "policies/baseline.yaml", "policies/three-plane.yaml"]


def test_github_lines_parse_and_point_into_the_checkout(real_reports: dict[str, Report]) -> None:
    for report in real_reports.values():
        lines = render_github(report, str(ROOT)).splitlines()
        assert all(LINE.match(line) for line in lines), lines
        errors = [line for line in lines if line.startswith("::error ")]
        assert len(errors) == report.count(Status.VIOLATED)
        for line in errors:
            file = re.search(r"file=([^,]*)", line)
            assert file is not None and (ROOT / file.group(1)).is_file()


# ---- fingerprints on a real model: line shifts keep them, a changed path changes them ---------------


def copy_model(tmp_path: Path, edit: Any) -> tuple[list[str], list[str]]:
    """The flawed example and its packs, copied and edited file by file."""
    models, packs = tmp_path / "model", tmp_path / "packs"
    shutil.copytree(ROOT / FLAWED, models)
    packs.mkdir()
    for pack in PACKS[FLAWED]:
        shutil.copy(ROOT / pack, packs / Path(pack).name)
    for file in [*models.glob("*.yaml"), *packs.glob("*.yaml")]:
        file.write_text(edit(file.read_text(encoding="utf-8")), encoding="utf-8")
    return [str(models)], [str(packs / Path(p).name) for p in PACKS[FLAWED]]


def fingerprints(report: Report, root: str) -> dict[str, str]:
    log = json.loads(render_sarif(report, root))
    return {r["ruleId"]: r["partialFingerprints"]["segverify/v1"] for r in log["runs"][0]["results"]}


def shift_lines(text: str) -> str:
    first, rest = text.split("\n", 1)
    return first + "\n# an unrelated edit\n# moves every line\n\n" + rest


@pytest.fixture(scope="module")
def original(tmp_path_factory: pytest.TempPathFactory) -> Report:
    return check(*copy_model(tmp_path_factory.mktemp("original"), lambda text: text))


def test_real_fingerprints_survive_line_shifts(original: Report, tmp_path: Path) -> None:
    shifted = check(*copy_model(tmp_path, shift_lines))
    before, after = fingerprints(original, "/"), fingerprints(shifted, "/")
    assert before == after and len(before) >= 5
    lines_before = {r["ruleId"]: place(r["locations"][0])[1] for r in sarif_run(original)["results"]}
    lines_after = {r["ruleId"]: place(r["locations"][0])[1] for r in sarif_run(shifted)["results"]}
    assert all(lines_after[k] == lines_before[k] + 3 for k in lines_before)


def test_real_fingerprints_change_when_the_path_changes(original: Report, tmp_path: Path) -> None:
    renamed = check(*copy_model(tmp_path, lambda t: re.sub(r"\bcorp-endpoint-mgmt\b", "corp-epm", t)))
    before, after = fingerprints(original, "/"), fingerprints(renamed, "/")
    # The path only: a witness also lists every target reached, which fingerprints leave out.
    paths = {r.id: json.dumps(str(getattr(r.witness, "path", r.witness))) for r in original.results}
    through = {pid for pid, text in paths.items() if "corp-endpoint-mgmt" in text and pid in before}
    assert through and {pid for pid in before if before[pid] != after.get(pid)} == through
