"""`segverify lint` at scale: the bench runs, and 10,000 rules lint in under 20 s (slow: make bench)."""

from __future__ import annotations

import pytest

from bench.lint import main


def test_the_lint_bench_runs_at_a_small_size(capsys: pytest.CaptureFixture[str]) -> None:
    times = main(["--sizes", "50,100"])
    assert [rules for rules, _ in times] == [50, 100]
    assert "growth exponent" in capsys.readouterr().out


@pytest.mark.slow
def test_ten_thousand_rules_lint_in_under_20_seconds() -> None:
    """The 100,000-host synthetic enterprise (10,000 rules), rule findings, CPU seconds."""
    ((rules, seconds),) = main(["--sizes", "10000"])
    assert rules == 10_000 and seconds < 20
