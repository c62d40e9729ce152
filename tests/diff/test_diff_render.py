"""Diff renderers and exit codes on small values: the comment fits GitHub's limit, services read well."""

from __future__ import annotations

from pathlib import Path

from segverify import api
from segverify.diff.intended import read_intended
from segverify.diff.policies import PolicyChange
from segverify.diff.report import DiffReport, diff_exit_code, reach_unchanged, run_diff
from segverify.diff.shape import services_text
from segverify.diff.text import TRUNCATED, render_markdown
from segverify.model.ir import Ref, RefFoothold
from segverify.model.load import load_model
from segverify.model.ports import ALL_SERVICES, parse_port_spec
from segverify.results import PolicyResult, Status

ROOT = Path(__file__).resolve().parent.parent.parent
REVIEW = ROOT / "examples" / "change-review"


def _report() -> DiffReport:
    before, after = (load_model([str(REVIEW / v)]) for v in ("before", "too-wide"))
    reports = (api.check(before), api.check(after))
    return run_diff(before, after, reports, read_intended(str(REVIEW / "intended.yml"), after))


def test_markdown_is_truncated_with_a_note_under_the_limit() -> None:
    report = _report()
    whole = render_markdown(report)
    assert TRUNCATED not in whole and "collateral" in whole
    cut = render_markdown(report, limit=400)
    assert len(cut) <= 400 and cut.endswith(TRUNCATED) and cut.startswith("**segverify diff**")


def test_services_read_as_port_specs() -> None:
    assert services_text(ALL_SERVICES) == ["any"]
    assert services_text(ALL_SERVICES.difference(parse_port_spec("tcp/443"))) == [
        "ip/0-5",
        "tcp/0-442",
        "tcp/444-65535",
        "ip/7-255",
    ]
    spec = parse_port_spec("icmp").union(parse_port_spec("udp/53-54")).union(parse_port_spec("tcp/80"))
    assert services_text(spec) == ["icmp", "tcp/80", "udp/53-54"]


def _with(*changes: tuple[Status | None, Status | None]) -> DiffReport:
    report = _report()
    policies = tuple(
        PolicyChange(
            f"P-{i}",
            PolicyResult(f"P-{i}", "isolated", old) if old else None,
            PolicyResult(f"P-{i}", "isolated", new) if new else None,
            "regressed" if old == Status.PROVED and new != Status.PROVED else "unchanged",
        )
        for i, (old, new) in enumerate(changes)
    )
    from dataclasses import replace

    return replace(report, policies=policies, intended=None)


def test_exit_codes_follow_the_fail_condition() -> None:
    regressed = _with((Status.PROVED, Status.VIOLATED))
    assert diff_exit_code(regressed, "regressed") == 1
    unknown = _with((Status.VIOLATED, Status.UNKNOWN))
    assert diff_exit_code(unknown, "regressed") == 3
    assert diff_exit_code(unknown, "opened") == 1  # the example still opens packets
    assert diff_exit_code(_report(), "regressed") == 1  # collateral with --intended fails the default


def test_rules_that_change_no_decision_leave_the_reach_alone(tmp_path: Path) -> None:
    text = (REVIEW / "corrected" / "model.yaml").read_text()
    (tmp_path / "renamed.yaml").write_text(text.replace("name: admin-ssh", "name: admins-ssh"))
    before, after = load_model([str(REVIEW / "corrected")]), load_model([str(tmp_path / "renamed.yaml")])
    report = run_diff(before, after, (api.check(before), api.check(after)), footholds=_admin_ws())
    assert report.packets.groups() == () and reach_unchanged(report.packets, report.changes)
    assert [(d.kind, d.name) for d in report.changes.added] == [("rule", "admins-ssh")]
    # a host changes: the reach is compared (admin-ws keeps no admin session: the servers are lost)
    (tmp_path / "renamed.yaml").write_text(text.replace("    sessions: [admins]\n", "", 1))
    after = load_model([str(tmp_path / "renamed.yaml")])
    report = run_diff(before, after, (api.check(before), api.check(after)), footholds=_admin_ws())
    assert not reach_unchanged(report.packets, report.changes)
    assert {r.host for r in report.lost if r.host} == {"app-01", "app-02"}
    assert {r.credential for r in report.lost if r.credential} == {"root-admin"}


def _admin_ws() -> tuple[RefFoothold, ...]:
    return (RefFoothold(Ref("admin-ws")),)
