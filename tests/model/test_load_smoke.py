"""The quickstart example loads into the expected model."""

from __future__ import annotations

from pathlib import Path

from segverify.model.load import load_model

QUICKSTART = Path(__file__).resolve().parents[2] / "examples" / "quickstart"


def test_quickstart_loads() -> None:
    model = load_model([str(QUICKSTART)])
    assert list(model.zones) == ["internet", "office", "shop"]
    assert [h for h in model.hosts.values() if h.fleet] == [model.hosts["laptops"]]
    assert model.hosts["laptops"].span.line == 10
    assert [f.index for f in model.flows] == list(range(len(model.flows)))
    assert {p.kind for p in model.policies} == {"isolated", "only_via", "no_flow"}
