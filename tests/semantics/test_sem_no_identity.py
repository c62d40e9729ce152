"""The reference semantics is the obviously-correct side: no cache or key there rests on object
identity, whose meaning depends on which objects happen to be alive (a freed object's id is reused).
"""

from __future__ import annotations

import ast
from pathlib import Path

import segverify.semantics

SEMANTICS = Path(segverify.semantics.__file__).parent


def identity_calls(source: str) -> list[int]:
    """Lines that call the builtin `id` (or read it as a value, e.g. `key=id`)."""
    tree = ast.parse(source)
    return sorted(node.lineno for node in ast.walk(tree) if isinstance(node, ast.Name) and node.id == "id")


def test_the_scan_finds_identity_keys() -> None:
    assert identity_calls("seen = {}\nkey = (id(x), 1)\nsorted(xs, key=id)\n") == [2, 3]
    assert identity_calls("x.id = 1\nid_ = 2\n") == []


def test_no_identity_keyed_cache_in_the_reference_semantics() -> None:
    modules = sorted(SEMANTICS.glob("*.py"))
    assert len(modules) > 5
    found = {m.name: lines for m in modules if (lines := identity_calls(m.read_text()))}
    assert found == {}
