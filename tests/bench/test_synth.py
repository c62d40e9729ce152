"""The synthetic enterprise is valid, deterministic, sized as planned, and round-trips through YAML."""

from __future__ import annotations

import dataclasses
import random
from pathlib import Path
from typing import Any

import pytest

from bench.synth import generate_enterprise, plan_for, write_model
from bench.synth.small import random_small_model
from segverify.diagnostics import NO_SPAN, Span
from segverify.model.intervals import union_all
from segverify.model.ir import Model
from segverify.model.load import load_model
from segverify.model.validate import validate_model


@pytest.fixture(scope="module")
def model() -> Model:
    return generate_enterprise(plan_for(100, seed=1))


def strip(value: Any) -> Any:
    """The value with every Span blanked: the loader adds spans, the generator has none."""
    if isinstance(value, Span):
        return NO_SPAN
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return type(value)(**{f.name: strip(getattr(value, f.name)) for f in dataclasses.fields(value)})
    if isinstance(value, tuple):
        return tuple(strip(v) for v in value)
    if isinstance(value, dict):
        return {k: strip(v) for k, v in value.items()}
    return value


def test_every_host_lies_inside_its_zone(model: Model) -> None:
    for host in model.hosts.values():
        assert host.addresses.issubset(model.zones[host.zone].addresses), host.name


def test_internal_zones_are_disjoint_and_names_unique(model: Model) -> None:
    internal = [z.addresses for z in model.zones.values() if not z.external]
    assert union_all(internal).size() == sum(z.size() for z in internal)
    assert not set(model.zones) & set(model.hosts)
    assert len({f.name for f in model.flows}) == len(model.flows)
    assert validate_model(model) == []


def test_sizes_follow_the_plan(model: Model) -> None:
    assert (len(model.hosts), len(model.flows), len(model.policies)) == (100, 40, 16)
    assert {p.kind for p in model.policies} == {
        "isolated", "only_via", "reachable", "no_flow", "matrix", "separate_accounts", "blast_radius"
    }  # fmt: skip
    assert any(h.fleet for h in model.hosts.values())
    largest = plan_for(100_000)
    assert (largest.rules, largest.policies) == (10_000, 100)


def test_same_seed_same_model_other_seed_other_rules(model: Model) -> None:
    assert generate_enterprise(plan_for(100, seed=1)) == model
    assert (
        generate_enterprise(plan_for(1600, seed=2)).flows != generate_enterprise(plan_for(1600, seed=3)).flows
    )


def test_yaml_round_trips_through_the_loader(model: Model, tmp_path: Path) -> None:
    write_model(model, str(tmp_path))
    loaded = load_model([str(tmp_path)])
    assert strip(dataclasses.replace(loaded, files=())) == strip(model)


@pytest.mark.parametrize("seed", range(5))
def test_small_random_models_are_valid_and_round_trip(seed: int, tmp_path: Path) -> None:
    small = random_small_model(random.Random(seed))
    assert validate_model(small) == []
    write_model(small, str(tmp_path))
    assert strip(dataclasses.replace(load_model([str(tmp_path)]), files=())) == strip(small)


def test_the_installed_package_never_imports_the_benchmarks() -> None:
    """The generator lives in bench/, outside the wheel: nothing under segverify/ may need it."""
    import ast

    import segverify

    package = Path(segverify.__file__).parent
    found = []
    for path in sorted(package.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            names += [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            found += [f"{path.name}: {n}" for n in names if n == "bench" or n.startswith(("bench.", "tests"))]
    assert found == []
    assert not (package / "synth").exists()
