"""The Kubernetes bench runs end to end on a small cluster, and both tools agree there."""

from __future__ import annotations

from pathlib import Path

from bench.k8s import run_size


def test_small_size_runs_and_agrees(tmp_path: Path) -> None:
    result = run_size(30, seed=1, nca_timeout=60, folder=str(tmp_path))
    assert result["agree"] is True
    assert isinstance(result["nca"], float) and float(result["connectivity"]) > 0  # type: ignore[arg-type]
    assert result["check_exit"] in (0, 1)  # a verdict, not a refusal (exit 2) or an error
    assert float(result["direct"]) > 0  # type: ignore[arg-type]  # --from k8s: same answers (run_size checks)
