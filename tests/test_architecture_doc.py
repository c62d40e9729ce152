"""docs/architecture.md and the README's picture keep up with the package: a new package or
top-level module that the maintainer's guide does not name fails here."""

from __future__ import annotations

import re
from pathlib import Path

import segverify

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = Path(segverify.__file__).parent
GUIDE = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
README = (ROOT / "README.md").read_text(encoding="utf-8")


def packages() -> list[str]:
    return sorted(p.parent.name for p in PACKAGE.glob("*/__init__.py"))


def section(text: str, heading: str) -> str:
    start = text.index(f"## {heading}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else len(text)]


def test_every_package_has_a_row_in_the_package_table() -> None:
    table = section(GUIDE, "Packages")
    first_cells = [line.split("|")[1] for line in table.splitlines() if line.startswith("| `")]
    rows = {name for cell in first_cells for name in re.findall(r"`(\w+)/`", cell)}
    assert len(packages()) >= 10
    assert set(packages()) <= rows, set(packages()) - rows


def test_every_top_level_module_is_named() -> None:
    table = section(GUIDE, "Packages")
    modules = sorted(p.name for p in PACKAGE.glob("*.py") if p.name not in ("__init__.py", "__main__.py"))
    assert [m for m in modules if f"`{m}`" not in table] == []


def test_the_guide_says_where_new_work_goes() -> None:
    for heading in ("The data path", "How to add an output format", "How to add an importer"):
        assert section(GUIDE, heading).count("\n") > 5, heading
    assert "```" in section(GUIDE, "The data path")  # the picture


def test_the_readme_picture_shows_the_stages_in_order() -> None:
    picture = section(README, "How it works").split("```")[1]
    stages = ["model/", "analyses/", "encode/", "semantics/", "render/"]
    places = [picture.index(stage) for stage in stages]
    assert places == sorted(places)
    assert "docs/architecture.md" in section(README, "How it works")
