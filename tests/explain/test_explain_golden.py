"""Golden explanations of the flagship, text and JSON: a changed explanation is news.

Rewrite with SEGVERIFY_UPDATE_GOLDENS=1 and review the diff.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from segverify.encode.solve import Budget
from segverify.explain.command import explain_all, select
from segverify.model.load import load_model
from segverify.render.explanation import render_explanations_json, render_explanations_text

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).resolve().parent / "golden"


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("SEGVERIFY_UPDATE_GOLDENS") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return
    assert path.exists(), f"no golden {name}: run with SEGVERIFY_UPDATE_GOLDENS=1 and review the diff"
    assert text == path.read_text(encoding="utf-8"), f"{name} differs from its golden"


@pytest.mark.parametrize("variant", ["segregated", "flawed"])
def test_flagship_explanations(variant: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # spans name files as given, relative to the repository
    model = load_model([f"examples/remote-access-vendor/{variant}"])
    found = explain_all(model, select(model, []), Budget())
    check_golden(f"{variant}.txt", render_explanations_text(found))
    check_golden(f"{variant}.json", json.dumps(render_explanations_json(found), indent=2) + "\n")


def test_controls_view_of_the_flagship(monkeypatch: pytest.MonkeyPatch) -> None:
    from segverify.render.dot_controls import render_controls

    monkeypatch.chdir(ROOT)
    model = load_model(["examples/remote-access-vendor/flawed"])
    (policy,) = select(model, ["RAV-005"])
    (found,) = explain_all(model, [policy], Budget())
    dot = render_controls(model, found)
    check_golden("flawed-controls-RAV-005.dot", dot)
    assert "single point of failure" in dot and "default deny" in dot
