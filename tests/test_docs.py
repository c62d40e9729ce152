"""The tutorial is run as written, so the docs cannot rot.

In an empty folder, in document order: each ```yaml block preceded by `<!-- file: NAME -->` is
written to NAME (a later block of the same name replaces the earlier file), and each ```sh
block runs with `bash -e` with segverify on PATH. A command that is meant to fail is written
`cmd || echo "exit code: $?"` in the page itself.
"""

from __future__ import annotations

import os
import re
import subprocess  # noqa: TID251 (the test runs the page's shell commands, as a reader would)
import sys
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parent.parent / "docs"
BLOCK = re.compile(r"(?:<!-- file: (?P<file>[^ ]+) -->\n)?```(?P<lang>\w+)\n(?P<body>.*?)```", re.S)


def steps(page: Path) -> list[tuple[str, str, str | None]]:
    return [(m["lang"], m["body"], m["file"]) for m in BLOCK.finditer(page.read_text(encoding="utf-8"))]


def test_tutorial_runs_as_written(tmp_path: Path) -> None:
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    ran = 0
    for lang, body, name in steps(DOCS / "tutorial.md"):
        if lang == "yaml" and name:
            (tmp_path / name).write_text(body, encoding="utf-8")
        elif lang == "sh":
            done = subprocess.run(
                ["bash", "-e", "-c", body], cwd=tmp_path, env=env, capture_output=True, text=True
            )
            assert done.returncode == 0, f"tutorial command failed:\n{body}\n{done.stdout}\n{done.stderr}"
            ran += 1
    assert ran >= 5, "the tutorial lost its commands"


@pytest.mark.parametrize("page", sorted(DOCS.glob("*.md")), ids=lambda p: p.name)
def test_yaml_blocks_in_docs_are_valid_yaml(page: Path) -> None:
    import yaml

    for lang, body, _ in steps(page):
        if lang == "yaml":
            yaml.safe_load(body)
