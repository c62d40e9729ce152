"""Every ```console example in docs/*.md is run, and its output is what segverify prints.

The docs are the golden: a ```console block holds `$ segverify ...` lines, each followed by the
output it prints (stdout and stderr as a terminal shows them). A line `...` stands for any
number of lines, so a page can show one policy of a long report. Each page runs in its own
empty folder that sees the repository's `examples/` and `policies/`, where the page's
```yaml blocks marked `<!-- file: NAME -->` are written and its ```sh blocks run, in document
order (the tutorial builds its model that way).

When the tool's output changes on purpose (a witness gets shorter), regenerate the blocks:

    SEGVERIFY_UPDATE_DOCS=1 .venv/bin/python -m pytest -p no:xdist tests/test_docs_console.py

and read `git diff docs/`: each failing block is rewritten with the output, each `...`-separated
part in place (found by its first line's first three words); a part that is not found is left
as it was and reported.
"""

from __future__ import annotations

import difflib
import os
import re
import shlex
import subprocess  # noqa: TID251 (the pages' ```sh blocks run as a reader would run them)
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner  # noqa: TID251 (tests drive the CLI)

from segverify.cli import app

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
BLOCK = re.compile(r"(?:<!-- file: (?P<file>[^ ]+) -->\n)?```(?P<lang>\w+)\n(?P<body>.*?)```", re.S)
ELLIPSIS = "..."
UPDATE = os.environ.get("SEGVERIFY_UPDATE_DOCS") == "1"
PAGES = sorted(p for p in DOCS.glob("*.md") if "```console" in p.read_text(encoding="utf-8"))


@dataclass
class Example:
    command: str
    expected: list[str]


def examples(body: str) -> list[Example]:
    out: list[Example] = []
    for line in body.splitlines():
        if line.startswith("$ "):
            out.append(Example(line[2:], []))
        elif out:
            out[-1].expected.append(line)
    return out


def matches(expected: list[str], actual: list[str]) -> bool:
    """`...` matches any run of lines; everything else line for line."""
    pattern = "".join(r"(?:.*\n)*?" if line == ELLIPSIS else re.escape(line) + r"\n" for line in expected)
    return re.fullmatch(pattern, "".join(f"{line}\n" for line in actual)) is not None


def run(command: str, folder: Path) -> list[str]:
    words = shlex.split(command)
    assert words[0] == "segverify", f"a console example runs segverify, not: {command}"
    before = os.getcwd()
    os.chdir(folder)
    try:
        result = CliRunner().invoke(app, words[1:], terminal_width=100)
    finally:
        os.chdir(before)
    return result.output.splitlines()


def workspace(tmp_path: Path) -> Path:
    for name in ("examples", "policies"):
        (tmp_path / name).symlink_to(ROOT / name)
    return tmp_path


def run_sh(body: str, folder: Path) -> None:
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    done = subprocess.run(["bash", "-e", "-c", body], cwd=folder, env=env, capture_output=True, text=True)
    assert done.returncode == 0, f"command failed:\n{body}\n{done.stdout}\n{done.stderr}"


def regenerate(expected: list[str], actual: list[str]) -> tuple[list[str], list[str]]:
    """The expected lines with each `...`-separated part replaced by the actual lines it stands
    for; parts whose first line is not found are kept, and named in the second list."""
    if ELLIPSIS not in expected:
        return actual, []
    parts: list[list[str]] = [[]]
    for line in expected:
        if line == ELLIPSIS:
            parts.append([])
        else:
            parts[-1].append(line)
    out: list[str] = []
    lost: list[str] = []
    cursor = 0
    for i, part in enumerate(parts):
        if i:
            out.append(ELLIPSIS)
        if not part:
            continue
        key = part[0].split()[:3]
        at = next((j for j in range(cursor, len(actual)) if actual[j].split()[:3] == key), None)
        if at is None:
            out += part
            lost.append(part[0])
            continue
        end = at + 1
        while end < len(actual) and actual[end][:1] in (" ", ""):  # the indented lines under it
            end += 1
        if end < len(actual) and not actual[end - 1]:
            end -= 1
        out += actual[at:end]
        cursor = end
    return out, lost


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_console_examples_print_what_the_docs_show(page: Path, tmp_path: Path) -> None:
    folder = workspace(tmp_path)
    text = page.read_text(encoding="utf-8")
    failures: list[str] = []
    new_text, lost_parts = text, []
    written: list[str] = []
    seen: dict[tuple[str, tuple[str, ...]], list[str]] = {}  # a page shows one report in parts
    for block in BLOCK.finditer(text):
        lang, body, name = block["lang"], block["body"], block["file"]
        if lang == "yaml" and name:
            (folder / name).write_text(body, encoding="utf-8")
            written.append(name)
        elif lang == "sh" and "```console" in text[block.end() :] and not body.startswith("segverify "):
            run_sh(body, folder)  # it may change a file the next example reads (test_docs runs the rest)
        elif lang == "console":
            new_body = []
            for ex in examples(body):
                inputs = tuple((folder / n).read_text(encoding="utf-8") for n in written if n in ex.command)
                key = (ex.command, inputs)
                actual = seen[key] if key in seen else seen.setdefault(key, run(ex.command, folder))
                new_body += [f"$ {ex.command}", *ex.expected]
                if not matches(ex.expected, actual):
                    diff = difflib.unified_diff(ex.expected, actual, "docs", "segverify", lineterm="")
                    failures.append(f"$ {ex.command}\n" + "\n".join(diff))
                    regenerated, lost = regenerate(ex.expected, actual)
                    new_body[-len(ex.expected) - 1 :] = [f"$ {ex.command}", *regenerated]
                    lost_parts += lost
            if UPDATE:
                new_text = new_text.replace(
                    block.group(0), block.group(0).replace(body, "\n".join(new_body) + "\n")
                )
    if UPDATE and new_text != text:
        page.write_text(new_text, encoding="utf-8")
        assert not lost_parts, f"{page.name}: parts not found in the output, left as they were: {lost_parts}"
    assert not failures, f"{page.name}: the docs show another output\n\n" + "\n\n".join(failures)


def test_pages_hold_console_examples() -> None:
    assert {p.name for p in PAGES} >= {"cli.md", "policies.md", "tutorial.md"}


@pytest.mark.parametrize(
    ("expected", "actual", "ok"),
    [
        (["a", "b"], ["a", "b"], True),
        (["a", "b"], ["a", "b", "c"], False),
        (["a", ELLIPSIS], ["a", "b", "c"], True),
        ([ELLIPSIS, "c"], ["a", "b", "c"], True),
        ([ELLIPSIS, "b", ELLIPSIS], ["a", "b", "c"], True),
        ([ELLIPSIS, "x", ELLIPSIS], ["a", "b", "c"], False),
        (["a", "(x)"], ["a", "(x)"], True),
    ],
)
def test_ellipsis_matching(expected: list[str], actual: list[str], ok: bool) -> None:
    assert matches(expected, actual) is ok


def test_regenerate_keeps_the_excerpt_shape() -> None:
    actual = [
        "VIOLATED A-1 [high] t",
        "  path 1",
        "  path 2",
        "",
        "VIOLATED B-2 [low] u",
        "  x",
        "",
        "2 policies",
    ]
    expected = [ELLIPSIS, "VIOLATED B-2 [low] u", "  old", ELLIPSIS]
    assert regenerate(expected, actual) == ([ELLIPSIS, "VIOLATED B-2 [low] u", "  x", ELLIPSIS], [])
    assert regenerate(["x"], actual) == (actual, [])
