"""examples/aws-vpc: the committed model is what the import writes, and it checks as its README says."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner  # noqa: TID251 (tests drive the CLI)

from segverify import api
from segverify.cli import app
from segverify.importers.aws.command import MODEL_FILE, import_aws
from segverify.model.load import load_model
from tests.aws.layered import allowed, deciding, load_layers

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = Path("examples/aws-vpc")
TCP = 6 * 65536
VERDICTS = {
    "AWS-001": "proved",
    "AWS-002": "proved",
    "AWS-003": "proved",
    "AWS-004": "proved",
    "AWS-005": "violated",
}


def test_committed_model_is_the_import(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # the model's comments cite the describe files by the path given
    text, warnings = import_aws([str(EXAMPLE / "describe")])
    assert text == (EXAMPLE / "model" / MODEL_FILE).read_text(encoding="utf-8")
    assert {w.code for w in warnings} == {"aws-acl-replies"}


def test_rdp_to_the_bastion_passes_through_the_reply_rule() -> None:
    loaded = load_layers((ROOT / EXAMPLE / "model" / MODEL_FILE).read_text(encoding="utf-8"))
    rules = deciding(loaded, "203.0.113.9", "10.20.9.5", TCP + 3389)
    assert allowed(loaded, "203.0.113.9", "10.20.9.5", TCP + 3389)
    assert {"acl-0edge:inbound:140", "sg-0bastion:ingress:2"} <= set(rules)
    assert not allowed(loaded, "203.0.113.9", "10.20.9.5", TCP + 22)  # SSH only from 198.51.100.0/24


def _check(*leave_out: str) -> dict[str, str]:
    model = load_model([str(ROOT / EXAMPLE / "model")])
    model = dataclasses.replace(model, policies=tuple(p for p in model.policies if p.id not in leave_out))
    return {r.id: r.status.value for r in api.check(model).results}


def test_packet_policy_verdicts_are_the_readmes() -> None:
    assert _check("AWS-003") == {k: v for k, v in VERDICTS.items() if k != "AWS-003"}


def test_verdicts_are_the_readmes() -> None:
    assert _check() == VERDICTS


def test_the_imported_example_lints_clean(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`import aws` then `lint`: no error (a catch-all after the ACL's own rule 32767 was one)."""
    monkeypatch.chdir(ROOT)
    out = tmp_path / "model"
    imported = CliRunner().invoke(app, ["import", "aws", str(EXAMPLE / "describe"), "--output", str(out)])
    assert imported.exit_code == 0, imported.stderr
    linted = CliRunner().invoke(app, ["lint", str(out), "--format", "json"])
    assert linted.exit_code == 0, linted.stdout
    assert not [f for f in json.loads(linted.stdout)["findings"] if f["level"] == "error"]
