"""An isolated/only_via violation names every protected host the attacker controls (issue 16).

The reference decides the list; `check --all-paths` adds the shortest path to each, and the
paths diagram shades them all.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import date
from pathlib import Path

import pytest
from test_minimal_witness import Reference, moves
from typer.testing import CliRunner  # noqa: TID251 (tests drive the CLI)

from segverify import api
from segverify.cli import app
from segverify.model.ir import Model
from segverify.model.load import load_model
from segverify.results import PathWitness, Status
from segverify.semantics.verify import check_witness

ROOT = Path(__file__).resolve().parent.parent
VENDOR = [
    str(ROOT / "examples/remote-access-vendor/flawed"),
    str(ROOT / "policies/three-plane.yaml"),
    str(ROOT / "policies/baseline.yaml"),
]


@pytest.fixture(scope="module")
def vendor() -> tuple[Model, api.Report]:
    model = load_model(VENDOR)
    return model, api.check(model, api.CheckOptions(today=date(2026, 11, 23), all_paths=True))


def test_backup_server_takes_every_host_it_manages(vendor: tuple[Model, api.Report]) -> None:
    """PLANE-002: prod-backup manages corp-fs-01 and corp-mail; both are listed, each with its path."""
    _, report = vendor
    (r,) = [r for r in report.results if r.id == "PLANE-002"]
    w = r.witness
    assert r.status == Status.VIOLATED and isinstance(w, PathWitness)
    assert w.reached == ("corp-fs-01", "corp-mail")
    assert w.target == "corp-fs-01" and [c.host for c in w.paths] == ["corp-mail"]
    assert [(h.move, h.source, h.to) for h in w.paths[0].path] == [
        ("foothold", None, "prod-backup"),
        ("manage", "prod-backup", "corp-mail"),
    ]


def test_every_path_is_the_shortest_to_its_host(vendor: tuple[Model, api.Report]) -> None:
    model, report = vendor
    checked = 0
    for r in report.results:
        w = r.witness
        if r.id not in ("PLANE-002", "PLANE-005") or not isinstance(w, PathWitness):
            continue  # the others' breadth-first searches visit too many states for a unit test
        checked += len(w.paths)
        policy = next(p for p in model.policies if p.id == r.id)
        ref = Reference(model, policy)
        assert set(ref.setup.targets) >= set(w.reached)
        for c in w.paths:
            ref.setup = dataclasses.replace(ref.setup, targets=frozenset({c.host}))
            assert moves(PathWitness(c.host, c.path)) == ref.fewest_moves(), (r.id, c.host)
    assert checked >= 4


def test_reference_rejects_a_wrong_list(vendor: tuple[Model, api.Report]) -> None:
    model, report = vendor
    (r,) = [r for r in report.results if r.id == "PLANE-002"]
    policy = next(p for p in model.policies if p.id == "PLANE-002")
    assert isinstance(r.witness, PathWitness)
    assert check_witness(model, policy, r.witness) == []
    unsupported = dataclasses.replace(r.witness, support=r.witness.support[:-1])
    assert any(
        "support: the moves do not control corp-mail" in e for e in check_witness(model, policy, unsupported)
    )
    # Read back from JSON (no support): the printed paths carry the list, or it is refused.
    assert check_witness(model, policy, dataclasses.replace(r.witness, support=())) == []
    bare = dataclasses.replace(r.witness, support=(), paths=())
    assert any("do not control corp-mail" in e for e in check_witness(model, policy, bare))
    not_target = dataclasses.replace(r.witness, reached=(*r.witness.reached, "prod-backup"))
    assert any("are not targets" in e for e in check_witness(model, policy, not_target))
    wrong = dataclasses.replace(
        r.witness, paths=(dataclasses.replace(r.witness.paths[0], host="corp-dc-01"),)
    )
    assert check_witness(model, policy, wrong)


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout


def test_text_lists_the_hosts_and_json_carries_them(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    args = ["check", "examples/remote-access-vendor/flawed", "-p", "policies/three-plane.yaml"]
    code, out = run(*args)
    assert code == 1
    assert "the attacker controls 2 protected hosts: corp-fs-01, corp-mail" in out
    assert "(check --all-paths shows the shortest path to each)" in out
    code, out = run(*args, "--all-paths")
    assert "attack path to corp-mail:" in out
    code, out = run(*args, "--all-paths", "-f", "json")
    (plane2,) = [r for r in json.loads(out)["results"] if r["id"] == "PLANE-002"]
    assert plane2["witness"]["reached"] == ["corp-fs-01", "corp-mail"]
    assert plane2["witness"]["reached_count"] == 2
    assert [p["host"] for p in plane2["witness"]["reached_paths"]] == ["corp-mail"]


def test_paths_diagram_shades_every_reached_target(vendor: tuple[Model, api.Report]) -> None:
    from segverify.render.dot import render_view

    model, report = vendor
    dot = render_view(model, "paths", report, "PLANE-002")
    for host in ("corp-fs-01", "corp-mail"):
        line = next(line for line in dot.splitlines() if f'id="host-{host}"' in line)
        assert 'fillcolor="#f8cfcf"' in line, host
