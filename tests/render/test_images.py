"""Renderer resolution, failures, and real renders with whichever renderer is installed."""

from __future__ import annotations

import stat
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from render_fixtures import renderers

from segverify.errors import UsageError
from segverify.model.ir import Model
from segverify.render import images
from segverify.render.dot import render_architecture, render_blast, render_matrix, render_paths
from segverify.render.images import RenderError, find_renderer, render_image
from segverify.results import Report

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SVG = "{http://www.w3.org/2000/svg}"
RENDERERS = renderers()


def fake(directory: Path, name: str, body: str) -> Path:
    """An executable shell script standing in for a renderer."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text("#!/bin/sh\n" + body + "\n", encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


# ---- resolution ------------------------------------------------------------------------------


def test_explicit_binary_wins_over_the_environment_and_path(tmp_path: Path) -> None:
    mine = fake(tmp_path / "a", "mydot", "cat")
    env_dot = fake(tmp_path / "b", "envdot", "cat")
    fake(tmp_path / "c", "dot", "cat")
    env = {"SEGVERIFY_DOT": str(env_dot), "PATH": str(tmp_path / "c")}
    assert find_renderer(str(mine), env) == images.Renderer(str(mine), "--dot-binary")
    assert find_renderer(None, env) == images.Renderer(str(env_dot), "SEGVERIFY_DOT")


def test_dot_on_path_comes_before_graphviz_pure(tmp_path: Path) -> None:
    pure = fake(tmp_path / "p", "graphviz-pure", "cat")
    dot = fake(tmp_path / "d", "dot", "cat")
    both = f"{tmp_path / 'p'}:{tmp_path / 'd'}"
    assert find_renderer(None, {"PATH": both}).path == str(dot)
    assert find_renderer(None, {"PATH": str(tmp_path / "p")}).path == str(pure)


def test_graphviz_pure_next_to_python_is_found(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pure = fake(tmp_path / "venv" / "bin", "graphviz-pure", "cat")
    monkeypatch.setattr(images.sys, "executable", str(tmp_path / "venv" / "bin" / "python"))
    assert find_renderer(None, {"PATH": str(tmp_path / "empty")}) == images.Renderer(
        str(pure), "next to python"
    )


def test_no_renderer_names_both_installs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(images.sys, "executable", str(tmp_path / "python"))
    with pytest.raises(UsageError) as info:
        find_renderer(None, {"PATH": str(tmp_path)})
    assert "apt-get install graphviz" in str(info.value) and "pip install graphviz-pure" in str(info.value)


def test_a_named_binary_that_does_not_exist_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(RenderError, match="SEGVERIFY_DOT names"):
        find_renderer(None, {"SEGVERIFY_DOT": str(tmp_path / "nope"), "PATH": ""})


def test_dot_output_needs_no_renderer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(images.sys, "executable", str(tmp_path / "python"))
    out = render_image("digraph {}", tmp_path / "x.dot", environ={"PATH": ""})
    assert out.read_text() == "digraph {}"


def test_unknown_suffix_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"\.svg, \.png, \.pdf or \.dot"):
        render_image("digraph {}", tmp_path / "x.gif")


# ---- failures --------------------------------------------------------------------------------


def test_dot_text_goes_in_on_stdin_and_the_format_is_passed(tmp_path: Path) -> None:
    echo = fake(tmp_path / "bin", "dot", 'echo "$1"; cat')
    out = render_image("digraph {a}", tmp_path / "x.svg", dot_binary=str(echo))
    assert out.read_text() == "-Tsvg\ndigraph {a}"


def test_a_failing_renderer_reports_its_stderr(tmp_path: Path) -> None:
    bad = fake(tmp_path / "bin", "dot", 'echo "Error: syntax error in line 1" >&2; exit 3')
    with pytest.raises(RenderError, match="exit 3.*syntax error in line 1"):
        render_image("digraph {", tmp_path / "x.svg", dot_binary=str(bad))


def test_a_slow_renderer_times_out(tmp_path: Path) -> None:
    slow = fake(tmp_path / "bin", "dot", "sleep 5")
    with pytest.raises(RenderError, match="did not finish within 0.5 s"):
        render_image("digraph {}", tmp_path / "x.svg", dot_binary=str(slow), timeout=0.5)


def test_an_unsupported_format_says_which_ones_work(tmp_path: Path) -> None:
    pdfless = fake(
        tmp_path / "bin",
        "graphviz-pure",
        "echo 'Format: \"pdf\" not recognized. Use one of: png svg' >&2; exit 1",
    )
    with pytest.raises(RenderError) as info:
        render_image("digraph {}", tmp_path / "x.pdf", dot_binary=str(pdfless))
    assert "cannot write pdf" in str(info.value) and "apt-get install graphviz" in str(info.value)
    assert "it writes: png svg" in str(info.value)


# ---- real renders ----------------------------------------------------------------------------

needs_renderer = pytest.mark.skipif(not RENDERERS, reason="no Graphviz renderer installed")


def views(model: Model, report: Report) -> dict[str, str]:
    by_id = {r.id: r for r in report.results}
    policy = next(p for p in model.policies if p.kind == "matrix")
    return {
        "architecture": render_architecture(model),
        "paths": render_paths(model, by_id["SEG-001"]),
        "proof": render_paths(model, by_id["SEG-002"]),
        "blast": render_blast(model, by_id["SEG-007"]),
        "matrix": render_matrix(model, policy, by_id["SEG-005"]),
    }


@needs_renderer
@pytest.mark.parametrize(("name", "binary"), RENDERERS, ids=[n for n, _ in RENDERERS])
def test_svg_parses_and_carries_the_ids(
    name: str, binary: str, model: Model, report: Report, tmp_path: Path
) -> None:
    for view, dot in views(model, report).items():
        out = render_image(dot, tmp_path / f"{view}.svg", dot_binary=binary)
        root = ET.parse(out).getroot()
        ids = {e.get("id") for e in root.iter()}
        assert root.tag == f"{SVG}svg"
        if view in ("architecture", "paths", "proof"):
            assert {"zone-corp-it", "zone-production", "zone-internet", "host-laptops"} <= ids
            texts = {t.text for t in root.iter(f"{SVG}text")}
            assert "Legend" in texts  # the legend is part of the title (renderers differ on table ids)
        if view == "paths":
            assert {"hop-1", "hop-2", "hop-4", "harvest-1"} <= ids
            titles = [t.text or "" for t in root.iter(f"{SVG}title")] + [
                a.get("{http://www.w3.org/1999/xlink}title") or "" for a in root.iter(f"{SVG}a")
            ]
            assert any("corp-to-jump (model.yaml:55)" in t for t in titles)  # the tooltip


@needs_renderer
@pytest.mark.parametrize(("name", "binary"), RENDERERS, ids=[n for n, _ in RENDERERS])
def test_png_is_a_png_and_no_attribute_draws_a_warning(
    name: str, binary: str, model: Model, report: Report, tmp_path: Path
) -> None:
    for view, dot in views(model, report).items():
        out = render_image(dot, tmp_path / f"{view}.png", dot_binary=binary)
        assert out.read_bytes().startswith(PNG_SIGNATURE), view
        # A warning (an lhead into a cluster the node is not in, say) means a broken drawing.
        rendered = images.run_renderer(images.Renderer(binary, "test"), dot, "svg", 60)
        assert rendered.warnings == "", (view, rendered.warnings)


def test_graphviz_pure_has_no_pdf_and_says_so(tmp_path: Path) -> None:
    pure = dict(RENDERERS).get("graphviz-pure")
    if pure is None:
        pytest.skip("graphviz-pure is not installed")
    try:
        render_image("digraph {a}", tmp_path / "x.pdf", dot_binary=pure)
    except RenderError as exc:
        assert "cannot write pdf" in str(exc) and "svg" in str(exc)
    else:  # a later graphviz-pure that writes PDF is welcome
        assert (tmp_path / "x.pdf").read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize(
    ("name", "binary"),
    [r for r in RENDERERS if r[0] != "graphviz-pure"]
    or [pytest.param("", "", marks=pytest.mark.skip(reason="no system Graphviz installed"))],
)
def test_system_graphviz_writes_pdf(name: str, binary: str, model: Model, tmp_path: Path) -> None:
    out = render_image(render_architecture(model), tmp_path / "a.pdf", dot_binary=binary)
    assert out.read_bytes().startswith(b"%PDF")
