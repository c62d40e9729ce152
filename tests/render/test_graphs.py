"""`check --graphs DIR`: the architecture, one picture per drawable policy, and a browsable index."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from render_fixtures import renderers

from segverify.errors import UsageError
from segverify.model.ir import Model
from segverify.render import images
from segverify.render.graphs import plan_pictures, unique_stem, write_graphs
from segverify.results import PolicyResult, Report, Status


def test_dot_graphs_need_no_renderer(
    model: Model, report: Report, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", "")
    monkeypatch.delenv("SEGVERIFY_DOT", raising=False)
    monkeypatch.setattr(images.sys, "executable", str(tmp_path / "python"))
    written = write_graphs(model, report, tmp_path / "g", fmt="dot")
    names = [p.name for p in written]
    assert names == [
        "architecture.dot",
        "SEG-001.dot",
        "SEG-002.dot",
        "SEG-003.dot",
        "SEG-004.dot",
        "SEG-005.dot",
        "SEG-007.dot",
        "index.html",
    ]
    assert (tmp_path / "g" / "SEG-007.dot").read_text().startswith('digraph "blast-SEG-007"')
    assert (tmp_path / "g" / "SEG-002.dot").read_text().startswith('digraph "paths-SEG-002"')


def test_the_index_links_every_picture_with_its_status(model: Model, report: Report, tmp_path: Path) -> None:
    write_graphs(model, report, tmp_path, fmt="dot")
    index = (tmp_path / "index.html").read_text()
    links = re.findall(r'href="([^"]+)"', index)
    assert sorted(links) == sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".dot")
    assert "3 proved" not in index and "4 violated" in index
    assert re.search(r"SEG-002</td><td>only_via</td><td><span[^>]*>proved</span>", index)
    assert '<table class="matrix">' in index  # the matrix as a table too
    ET.fromstring(index.replace("<!DOCTYPE html>", ""))  # well-formed, so browsers and tests can read it


def test_results_without_a_picture_are_listed_but_not_drawn(model: Model, tmp_path: Path) -> None:
    report = Report((PolicyResult("SEG-001", "isolated", Status.UNKNOWN, reason="timeout"),))
    written = write_graphs(model, report, tmp_path, fmt="dot")
    assert [p.name for p in written] == ["architecture.dot", "index.html"]
    assert "no picture" in (tmp_path / "index.html").read_text()


def test_file_names_are_unique_and_safe() -> None:
    taken = {"architecture", "index"}
    assert unique_stem("PCI/1.2 a", taken) == "PCI_1.2_a"
    assert unique_stem("architecture", taken) == "architecture-2"
    assert unique_stem("INDEX", taken) == "INDEX-2"
    taken.add("a_b")
    assert unique_stem("a/b", taken) == "a_b-2"


def test_plan_is_deterministic(model: Model, report: Report) -> None:
    assert plan_pictures(model, report) == plan_pictures(model, report)


def test_no_renderer_fails_before_writing(
    model: Model, report: Report, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", "")
    monkeypatch.delenv("SEGVERIFY_DOT", raising=False)
    monkeypatch.setattr(images.sys, "executable", str(tmp_path / "python"))
    with pytest.raises(UsageError, match="pip install graphviz-pure"):
        write_graphs(model, report, tmp_path / "out")
    assert not (tmp_path / "out").exists()


@pytest.mark.skipif(not renderers(), reason="no Graphviz renderer installed")
def test_svg_graphs_are_browsable(model: Model, report: Report, tmp_path: Path) -> None:
    binary = renderers()[0][1]
    written = write_graphs(model, report, tmp_path, dot_binary=binary)
    for path in written[:-1]:
        assert path.suffix == ".svg"
        ET.parse(path)
    index = (tmp_path / "index.html").read_text()
    for link in re.findall(r'href="([^"]+)"', index):
        assert (tmp_path / link).is_file()
