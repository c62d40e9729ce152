"""`python -m bench.diff` runs: the reusing diff and the unoptimised one, on a small enterprise."""

from __future__ import annotations

from bench.diff import measure, one_rule_change
from bench.synth import generate_enterprise, plan_for
from segverify import api
from segverify.diff.report import diff, run_diff
from segverify.diff.shape import diff_json


def test_the_bench_times_both_diffs() -> None:
    row = measure(100, packets_only=False, full=True, service="smb")
    assert row["groups"] == 1 and row["probes"] > 0
    assert {"check_s", "diff_s", "ratio", "full_s", "full_ratio"} <= row.keys()


def test_the_bench_change_gives_the_full_diff() -> None:
    before = generate_enterprise(plan_for(100, 1))
    options = api.CheckOptions(fork_self_checks=False)
    for service in ("tcp/31337", "smb"):
        after = one_rule_change(before, service)
        full = run_diff(before, after, (api.check(before, options), api.check(after, options)))
        assert diff_json(diff(before, after, options)) == diff_json(full)
