"""Benchmark figures live in docs/bench.md ("Design measurements"), not in code comments, where they
go stale unseen: comments and docstrings under segverify/ say why, without timings or speed-ups."""

from __future__ import annotations

import ast
import io
import re
import tokenize
from pathlib import Path

import segverify

PACKAGE = Path(segverify.__file__).parent
# A duration (12 ms, 0.3 s, 10 us) or a ratio of speeds (4x, 7×); sizes and limits are not figures.
FIGURE = re.compile(r"\b\d+(?:\.\d+)?\s?(?:ms|us|µs|s)\b|\b\d+(?:\.\d+)?\s?[x×](?![\w-])")


def prose(source: str) -> list[tuple[int, str]]:
    """(line, text) of every comment and docstring."""
    out = [
        (tok.start[0], tok.string)
        for tok in tokenize.generate_tokens(io.StringIO(source).readline)
        if tok.type == tokenize.COMMENT
    ]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            doc = ast.get_docstring(node, clean=False)
            if doc is not None:
                first = node.body[0].lineno
                out += [(first + i, line) for i, line in enumerate(doc.splitlines())]
    return out


def figures(source: str) -> list[str]:
    return [f"{line}: {text.strip()}" for line, text in prose(source) if FIGURE.search(text)]


def test_the_scan_finds_figures_in_comments_and_docstrings() -> None:
    source = '"""Fast: 3.0 s -> 0.9 s."""\nx = 1  # a fresh one costs ~12 ms\ny = "10 s"  # 4x faster\n'
    assert [f.split(":")[0] for f in figures(source)] == ["2", "3", "1"]
    assert figures('"""Up to 4 MiB per file, 2 * 1024 bytes, IPv6 and 0x1F."""\n') == []


def test_no_benchmark_figures_in_package_comments() -> None:
    found = {
        str(path.relative_to(PACKAGE)): hits
        for path in sorted(PACKAGE.rglob("*.py"))
        if (hits := figures(path.read_text(encoding="utf-8")))
    }
    assert found == {}, "move the numbers to docs/bench.md, Design measurements"
