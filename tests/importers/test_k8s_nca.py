"""Differential: `segverify import k8s` + connectivity against NCA (`nca --connectivity`) on random clusters.

Both answers are put in one canonical form (bench/nca.py). The generator leaves out the inputs
on which NCA is known to be wrong (docs/importers.md; tests/importers/nca_bugs/ holds them).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.nca import canonical, parse_nca, run_nca, segverify_rows
from bench.synth.k8s import generate_cluster
from segverify.connectivity.command import k8s_network
from segverify.connectivity.compute import Connectivity


def disagreement(folder: Path, seed: int, **size: int) -> str | None:
    path = folder / f"cluster-{seed}.yaml"
    path.write_text(generate_cluster(seed, **size), encoding="utf-8")
    nca = canonical(parse_nca(run_nca(str(path), str(folder / "nca.txt"))))
    network, _ = k8s_network([str(path)])
    ours = canonical(segverify_rows(network, Connectivity(network).connections()))
    if nca == ours:
        return None
    keys = sorted(k for k in set(nca) | set(ours) if nca.get(k) != ours.get(k))
    return f"seed {seed}: {keys[0]} nca {nca.get(keys[0])} segverify {ours.get(keys[0])}"


def test_the_canonical_form_sees_a_difference(tmp_path: Path) -> None:
    """The comparison is not vacuous: dropping one connection is seen."""
    path = tmp_path / "c.yaml"
    path.write_text(generate_cluster(7), encoding="utf-8")
    network, _ = k8s_network([str(path)])
    conns = Connectivity(network).connections()
    assert canonical(segverify_rows(network, conns)) != canonical(segverify_rows(network, conns[1:]))


def test_300_random_clusters_agree_with_nca(tmp_path: Path) -> None:
    found = [d for seed in range(300) if (d := disagreement(tmp_path, seed)) is not None]
    assert not found, "\n".join(found)


@pytest.mark.slow
def test_3000_larger_random_clusters_agree_with_nca(tmp_path: Path) -> None:
    size = {"pods": 14, "policies": 6, "namespaces": 3}
    found = [d for seed in range(1000, 4000) if (d := disagreement(tmp_path, seed, **size)) is not None]
    assert not found, "\n".join(found[:20])
