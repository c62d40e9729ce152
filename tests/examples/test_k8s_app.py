"""examples/k8s-app: the committed model is what the importer writes, and the connectivity (and the
facts behind each policy verdict) is what its README says."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from segverify import api
from segverify.connectivity.compute import Connectivity
from segverify.connectivity.layers import model_network
from segverify.connectivity.render import service_names
from segverify.importers.k8s.command import import_k8s
from segverify.model.load import load_model

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "k8s-app"


@pytest.fixture(autouse=True)
def _in_example(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(EXAMPLE)  # the importer's comments cite paths as given


def readme_block() -> list[str]:
    text = (EXAMPLE / "README.md").read_text(encoding="utf-8")
    block = text.split("The connectivity between pods")[1].split("```")[1]
    return [line for line in block.splitlines() if line.strip()]


def test_the_committed_model_is_the_importers_output() -> None:
    written = (EXAMPLE / "model" / "cluster.yaml").read_text(encoding="utf-8")
    assert import_k8s([os.path.join("manifests")]).text == written


def test_connectivity_is_the_readmes() -> None:
    model = load_model(["model"], [])
    lines = [
        f"{c.src} => {c.dst} : {', '.join(service_names(c.services))}"
        for c in Connectivity(model_network(model)).connections()
        if not c.dst.startswith("ext-") and not (c.src.startswith("ext-") and c.dst.startswith("monitoring"))
    ]
    assert sorted(lines) == sorted(readme_block())
    assert len(model.policies) == 5 and model.principals["dba"].kind == "account"


def readme_verdicts() -> dict[str, str]:
    text = (EXAMPLE / "README.md").read_text(encoding="utf-8")
    rows = [line.split("|") for line in text.splitlines() if line.startswith("| SHOP-")]
    return {row[1].split()[0]: row[2].strip() for row in rows}


def test_policies_have_the_readmes_verdicts() -> None:
    """Every policy, packet and attack policies alike, read through both layers."""
    model = load_model(["model"], [])
    report = api.check(model)
    got = {r.id: r.status.value for r in report.results}
    assert got == readme_verdicts() and len(got) == 5
