"""The quickstart example loads into the expected model; loading leaves the process as it was."""

from __future__ import annotations

import gc
import os
from pathlib import Path
from typing import Any

import pytest

from segverify.errors import ModelError
from segverify.model import build, load
from segverify.model.load import load_model
from segverify.model.read import Fields, Reader
from segverify.model.yamlio import YNode

QUICKSTART = Path(__file__).resolve().parents[2] / "examples" / "quickstart"


def test_quickstart_loads() -> None:
    model = load_model([str(QUICKSTART)])
    assert list(model.zones) == ["internet", "office", "shop"]
    assert [h for h in model.hosts.values() if h.fleet] == [model.hosts["laptops"]]
    assert model.hosts["laptops"].span.line == 10
    assert [f.index for f in model.flows] == list(range(len(model.flows)))
    assert {p.kind for p in model.policies} == {"isolated", "only_via", "no_flow"}


# ---- the collector --------------------------------------------------------------------------------


@pytest.mark.parametrize("enabled", [True, False])
def test_collector_is_paused_while_loading_and_restored(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, enabled: bool
) -> None:
    seen: list[bool] = []
    build = load.build_model

    def spy(*args: Any) -> Any:
        seen.append(gc.isenabled())
        return build(*args)

    monkeypatch.setattr(load, "build_model", spy)
    good = QUICKSTART
    bad = tmp_path / "bad.yaml"
    bad.write_text("segverify: 1\nzones: {a: {networks: [10.0.0.1/8]}}\n")
    was = gc.isenabled()
    try:
        gc.enable() if enabled else gc.disable()
        load.load_model([str(good)])
        assert gc.isenabled() is enabled
        with pytest.raises(ModelError):
            load.load_model([str(bad)])
        assert gc.isenabled() is enabled
    finally:
        gc.enable() if was else gc.disable()
    assert seen == [False, False]


def test_each_file_is_read_before_the_next_is_parsed(monkeypatch: pytest.MonkeyPatch) -> None:
    """A large model's YAML trees together outweigh the model: only one is alive at a time."""
    steps: list[tuple[str, str]] = []
    parse, read = load.read_yaml_file, build._read_file

    def parsing(path: str) -> YNode:
        steps.append(("parse", os.path.basename(path)))
        return parse(path)

    def reading(file: str, tree: YNode, reader: Reader) -> Fields | None:
        steps.append(("read", os.path.basename(file)))
        return read(file, tree, reader)

    monkeypatch.setattr(load, "read_yaml_file", parsing)
    monkeypatch.setattr(build, "_read_file", reading)
    folder = QUICKSTART.parent / "pci-cde" / "segmented"
    model = load_model([str(folder)])
    names = [os.path.basename(f) for f in model.files]
    assert len(names) > 1
    assert steps == [(step, name) for name in names for step in ("parse", "read")]
