"""Every bundled example ends with the verdicts its README promises (goldens), and every
policy of every pack is proved by one example and violated by another.

Rewrite with SEGVERIFY_UPDATE_GOLDENS=1 and review the diff: a changed verdict is news.
"""

from __future__ import annotations

import gc
import json
import os
from pathlib import Path

import pytest
import yaml

from segverify import api
from segverify.model.load import load_model

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "examples" / "verdicts.json"
THREE_PLANE = ["policies/three-plane.yaml", "policies/baseline.yaml"]
RUNS: dict[str, tuple[str, list[str]]] = {
    "vendor-segregated": ("examples/remote-access-vendor/segregated", THREE_PLANE),
    "vendor-flawed": ("examples/remote-access-vendor/flawed", THREE_PLANE),
    "three-tier-jump": ("examples/three-tier-jump", []),
    "fleet-one": ("examples/fleet-partial-rule/one-fleet", []),
    "fleet-split": ("examples/fleet-partial-rule/split-fleet", []),
    "pci-segmented": ("examples/pci-cde/segmented", ["policies/pci-dss.yaml"]),
    "pci-flat": ("examples/pci-cde/flat", ["policies/pci-dss.yaml"]),
    "iec-zoned": ("examples/iec62443-plant/zoned", ["policies/iec62443-template.yaml"]),
    "iec-flat": ("examples/iec62443-plant/flat", ["policies/iec62443-template.yaml"]),
    "quickstart": ("examples/quickstart", []),
    "vendor-migration": ("examples/remote-access-vendor/migration", THREE_PLANE),
    "review-before": ("examples/change-review/before", []),
    "review-too-wide": ("examples/change-review/too-wide", []),
    "review-corrected": ("examples/change-review/corrected", []),
}


def verdicts(name: str) -> dict[str, str]:
    model_path, packs = RUNS[name]
    model = load_model([str(ROOT / model_path)], [str(ROOT / p) for p in packs])
    return {r.id: r.status.value for r in api.check(model).results}


def golden() -> dict[str, dict[str, str]]:
    return dict(json.loads(GOLDEN.read_text(encoding="utf-8")))


@pytest.mark.parametrize("name", sorted(RUNS))
def test_example_verdicts_match_golden(name: str) -> None:
    got = verdicts(name)
    if os.environ.get("SEGVERIFY_UPDATE_GOLDENS") == "1":
        table = golden() if GOLDEN.exists() else {}
        table[name] = got
        GOLDEN.write_text(json.dumps(dict(sorted(table.items())), indent=2) + "\n", encoding="utf-8")
    assert got == golden()[name]


def pack_policy_ids() -> list[str]:
    ids = []
    for pack in sorted((ROOT / "policies").glob("*.yaml")):
        doc = yaml.safe_load(pack.read_text(encoding="utf-8")) or {}
        ids += [p["id"] for p in doc.get("policies") or []]
    return ids


@pytest.mark.parametrize("policy_id", pack_policy_ids())
def test_every_pack_policy_is_proved_somewhere_and_violated_somewhere(policy_id: str) -> None:
    seen = {table.get(policy_id) for table in golden().values()}
    assert {"proved", "violated"} <= seen, f"{policy_id}: only {sorted(s for s in seen if s)}"


def test_the_collector_is_paused_during_a_check_and_restored_after() -> None:
    model = load_model([str(ROOT / "examples/quickstart")])
    seen: list[bool] = []
    api.check(model, api.CheckOptions(progress=lambda i, n, p: seen.append(gc.isenabled())))
    assert seen and not any(seen)
    assert gc.isenabled()
    gc.disable()
    try:
        api.check(model)
        assert not gc.isenabled()  # a caller who turned it off keeps it off
    finally:
        gc.enable()
