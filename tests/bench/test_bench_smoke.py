"""The bench's quick mode runs, and engine and reference agree on the designed polarities."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.__main__ import main
from bench.layers import main as layers_main
from bench.phases import PhaseTimer
from bench.report import slope
from bench.sweep import check_seed
from bench.synth import generate_enterprise, plan_for
from bench.synth.policies import designed_to_hold
from segverify.semantics.context import Semantics
from segverify.semantics.policies import evaluate


def test_reference_verdicts_follow_the_designed_polarity() -> None:
    model = generate_enterprise(plan_for(100))
    sem = Semantics(model)
    verdicts = [evaluate(model, p, sem)[0].value for p in model.policies]
    assert verdicts == ["proved" if designed_to_hold(i) else "violated" for i in range(len(verdicts))]


def test_quick_bench_writes_the_table_and_json(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    args = ["--quick", "--max-hosts", "100", "--runs", "1", "--cert-modes", "on", "--out", str(out)]
    assert main(args) == 0
    size = json.loads(out.read_text())["sizes"][0]
    assert size["model"]["hosts"] == 100
    assert size["verdicts"]["disagreements"] == [] and size["verdicts"]["off_design"] == []
    assert size["verdicts"]["engine"] == {"proved": 8, "violated": 8}
    assert size["ratios"]["cert_on.total"] > 0
    assert size["hooks"]["missing"] == []


def test_sweep_seeds_agree() -> None:
    assert all(check_seed(seed)[1] is None for seed in range(10))


def test_slope_and_phase_timer() -> None:
    assert slope([(100.0, 1.0), (400.0, 4.0), (1600.0, 16.0)]) == 1.0
    timer = PhaseTimer()
    timer.enter("encode")
    timer.enter("witness")
    timer.enter("solve")  # a solver call made for a witness is witness time
    assert timer.stack == ["encode", "witness", "witness"]


def test_per_policy_timing_lists_every_policy_once(capsys: pytest.CaptureFixture[str]) -> None:
    import segverify.api as api
    from bench import policies

    original = api.self_check_problems
    try:
        assert policies.main(["--hosts", "100"]) == 0
    finally:
        api.self_check_problems = original  # PolicyClock wraps it for the run
    lines = capsys.readouterr().out.splitlines()
    ids = [line.split()[0] for line in lines if line.startswith("SYN-")]
    assert sorted(ids) == sorted(p.id for p in generate_enterprise(plan_for(100)).policies)
    assert lines[-1].startswith("check ") and "'proved': 8" in lines[-1]


def test_yaml_load_bench_times_both_paths_on_agreeing_trees(capsys: pytest.CaptureFixture[str]) -> None:
    from bench import yaml_load

    ((hosts, ratio),) = yaml_load.main(["--sizes", "100", "--runs", "1"])
    assert hosts == 100 and ratio > 0
    assert "one pass s" in capsys.readouterr().out


def test_layers_bench_runs_with_the_same_verdicts_through_a_repeated_layer() -> None:
    """bench.layers asserts that a second layer repeating the rules changes no verdict."""
    rows = layers_main(["--sizes", "100"])
    assert [label for _, label, _, _ in rows] == [
        "packet policies",
        "attack policies",
        "attack policies, certificates off",
    ]
