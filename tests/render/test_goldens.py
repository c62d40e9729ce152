"""Golden DOT for every view, on the hand-built model and on the bundled examples.

Goldens compare DOT text, never SVG bytes (renderer versions differ). Rewrite them with
SEGVERIFY_UPDATE_GOLDENS=1 and review the diff: a changed golden is a changed picture. The
example goldens for paths, blast and matrix go through the engine, so a changed witness or
certificate shows up here too.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from render_fixtures import REPO, check_golden

from segverify import api
from segverify.model.ir import Model
from segverify.model.load import load_model
from segverify.render.dot import (
    render_architecture,
    render_blast,
    render_matrix,
    render_matrix_html,
    render_matrix_table,
    render_paths,
)
from segverify.results import Report

EXAMPLES = sorted(str(p.parent.relative_to(REPO)) for p in (REPO / "examples").glob("**/*.yaml"))
EXAMPLE_DIRS = sorted(set(EXAMPLES))


def slug(path: str) -> str:
    return path.removeprefix("examples/").replace("/", "_")


# ---- the hand-built model --------------------------------------------------------------------


def test_fixture_architecture(model: Model) -> None:
    check_golden("fixture-architecture.dot", render_architecture(model))


@pytest.mark.parametrize("policy_id", ["SEG-001", "SEG-002", "SEG-003", "SEG-004", "SEG-005"])
def test_fixture_paths(model: Model, report: Report, policy_id: str) -> None:
    result = next(r for r in report.results if r.id == policy_id)
    check_golden(f"fixture-paths-{policy_id}.dot", render_paths(model, result))


def test_fixture_blast(model: Model, report: Report) -> None:
    result = next(r for r in report.results if r.id == "SEG-007")
    check_golden("fixture-blast-SEG-007.dot", render_blast(model, result))


def test_fixture_matrix(model: Model, report: Report) -> None:
    policy = next(p for p in model.policies if p.kind == "matrix")
    result = next(r for r in report.results if r.id == policy.id)
    check_golden("fixture-matrix-SEG-005.dot", render_matrix(model, policy, result))
    check_golden("fixture-matrix-SEG-005.txt", render_matrix_table(model, policy, result))
    check_golden("fixture-matrix-SEG-005.html", render_matrix_html(model, policy, result))


def test_fixture_collapsed_architecture(model: Model) -> None:
    check_golden("fixture-architecture-collapsed.dot", render_architecture(model, threshold=2))


# ---- the bundled examples --------------------------------------------------------------------


@pytest.fixture(scope="module")
def at_repo() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(REPO)  # spans cite files relative to the working directory
        yield


@pytest.mark.parametrize("example", EXAMPLE_DIRS, ids=[slug(e) for e in EXAMPLE_DIRS])
def test_example_architecture(example: str, at_repo: None) -> None:
    check_golden(f"example-{slug(example)}-architecture.dot", render_architecture(load_model([example])))


def checked(example: str, *policy_ids: str) -> tuple[Model, Report]:
    """The example with only the named policies, checked by the engine."""
    model = load_model([example])
    model = dataclasses.replace(model, policies=tuple(p for p in model.policies if p.id in policy_ids))
    return model, api.check(model, api.CheckOptions(today=date(2026, 11, 23)))


VIEWS = [
    ("examples/quickstart", "QS-001", "paths"),
    ("examples/quickstart", "QS-002", "paths"),
    ("examples/quickstart", "QS-003", "paths"),
    ("examples/pci-cde/flat", "SHOP-002", "paths"),
    ("examples/pci-cde/flat", "SHOP-002", "blast"),
    ("examples/remote-access-vendor/flawed", "RAV-001", "paths"),
    ("examples/remote-access-vendor/flawed", "RAV-005", "paths"),
    ("examples/remote-access-vendor/flawed", "RAV-005", "blast"),
    ("examples/remote-access-vendor/flawed", "RAV-006", "matrix"),
    ("examples/remote-access-vendor/segregated", "RAV-006", "matrix"),
]


@pytest.mark.parametrize(
    ("example", "policy_id", "view"), VIEWS, ids=[f"{slug(e)}-{p}-{v}" for e, p, v in VIEWS]
)
def test_example_views(example: str, policy_id: str, view: str, at_repo: None) -> None:
    model, report = checked(example, policy_id)
    (result,) = report.results
    if view == "paths":
        dot = render_paths(model, result)
    elif view == "blast":
        dot = render_blast(model, result)
    else:
        dot = render_matrix(model, model.policies[0], result)
    check_golden(f"example-{slug(example)}-{view}-{policy_id}.dot", dot)


def test_every_example_has_a_golden() -> None:
    names = {p.name for p in (Path(__file__).parent / "golden").glob("example-*-architecture.dot")}
    assert names == {f"example-{slug(e)}-architecture.dot" for e in EXAMPLE_DIRS}


# ---- issue #16: a legend that explains what it shows, context edges that say their services ------


def test_pseudo_nodes_are_explained_and_context_edges_labelled() -> None:
    model = load_model([str(REPO / "examples/remote-access-vendor/flawed")], ["pack:three-plane"])
    report = api.check(model, api.CheckOptions(today=date(2026, 11, 23)))
    from segverify.render.dot import render_view

    dots = [render_view(model, "architecture")]
    dots += [render_view(model, view, report, "PLANE-002") for view in ("paths", "blast")]
    seen = set()
    for dot in dots:
        assert "head host" not in dot
        if "(all of " in dot:
            seen.add("all-of")
            assert '"legend_all-of"' in dot
        if "more host" in dot:
            seen.add("more")
            assert "legend_more" in dot
        faint = [line for line in dot.splitlines() if '"#c3ccd6"' in line and "->" in line]
        assert all("label=" in line for line in faint), faint[:1]
        seen.update(["faint"] if faint else [])
    assert seen == {"all-of", "more", "faint"}
