"""Real `check` runs for the CI-gate tests: every golden case and example, as the READMEs run them."""

from __future__ import annotations

import functools
from datetime import date
from pathlib import Path

from segverify import api
from segverify.errors import ModelError
from segverify.model.ir import Model
from segverify.model.load import load_model
from segverify.results import Report

ROOT = Path(__file__).resolve().parents[2]
TODAY = date(2026, 11, 23)

# Examples the READMEs check with policy packs; every other example and case runs alone.
PACKS = {
    "examples/iec62443-plant/flat": ["policies/iec62443-template.yaml"],
    "examples/iec62443-plant/zoned": ["policies/iec62443-template.yaml"],
    "examples/pci-cde/flat": ["policies/pci-dss.yaml"],
    "examples/pci-cde/segmented": ["policies/pci-dss.yaml"],
    "examples/remote-access-vendor/flawed": ["policies/three-plane.yaml", "policies/baseline.yaml"],
    "examples/remote-access-vendor/migration": ["policies/three-plane.yaml", "policies/baseline.yaml"],
    "examples/remote-access-vendor/segregated": ["policies/three-plane.yaml", "policies/baseline.yaml"],
}


def real_inputs() -> list[tuple[str, list[str]]]:
    cases = sorted(p for p in (ROOT / "tests" / "cases").iterdir() if p.is_dir())
    examples = sorted({p.parent for p in (ROOT / "examples").rglob("*.yaml")})
    folders = [str(p.relative_to(ROOT)) for p in (*cases, *examples)]
    return [(folder, PACKS.get(folder, [])) for folder in folders if not _refused(folder)]


@functools.cache
def _refused(folder: str) -> bool:
    """A layered example joins these runs once `check` reads layers (issue 22, part 1)."""
    model = load_model([str(ROOT / folder)], [str(ROOT / p) for p in PACKS.get(folder, [])])
    if not model.layers:
        return False
    try:
        api.check(model, api.CheckOptions(today=TODAY))
    except ModelError as exc:
        return any(d.code == "layers-unsupported" for d in exc.diagnostics)
    return False


def check(models: list[str], policies: list[str]) -> Report:
    return check_model(models, policies)[1]


def check_model(models: list[str], policies: list[str]) -> tuple[Model, Report]:
    model = load_model(models, policies)
    return model, api.check(model, api.CheckOptions(today=TODAY))
