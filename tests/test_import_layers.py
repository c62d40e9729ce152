"""The package picture holds: packages import only downwards, and no package cycle comes back.

Read from the source (AST), every import counted, function-local and TYPE_CHECKING ones too:
a lazy import is still a dependency. (Named for import *layers*, apart from the enforcement
layers of the model.)
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "segverify"

# Lowest first. A package may import its own layer's modules only where ALLOWED_SIDEWAYS says,
# and any lower layer. Top-level modules count as packages of their own (api, cli, ...).
LAYERS: list[set[str]] = [
    {"diagnostics", "collector"},
    {"errors"},
    {"outputs"},
    {"model", "kinds"},  # a kind's record sits beside the IR it builds; its methods import upward lazily
    {"results"},
    {"semantics", "engine"},  # the reference and the plain-Python engine: neither imports Z3
    {"encode"},  # Z3 only, over the engine's graphs
    {"analyses"},
    {"selfchecks"},
    {"explain", "importers", "connectivity"},
    {"api"},
    {"session"},
    {"render", "evidence", "diff", "fix", "lint"},
    {"cli"},
    {"__main__"},
]
ALLOWED_SIDEWAYS = {
    ("render", "evidence"),
    ("evidence", "render"),  # certificate digests are of rendered JSON: still one cycle to break
    ("diff", "render"),
    ("fix", "render"),
    ("lint", "render"),
    ("model", "kinds"),  # build_policies and fields read the registry
    ("kinds", "model"),
    ("importers", "connectivity"),  # the importers build connectivity.layers' Network shapes
    ("connectivity", "importers"),  # `connectivity --from k8s` imports on the fly: one cycle to break
}
# Upward imports still to remove, listed so that none is added unseen: the test fails when one
# comes or goes (then this list is brought up to date in the same commit).
KNOWN_UPWARD = {
    ("kinds", "results"),  # a kind's methods import its analysis, reference and witness types when
    ("kinds", "semantics"),  # called (never at import), so a kind stays one module; the price is
    ("kinds", "analyses"),  # these three upward edges, kept visible here
    ("results", "explain"),  # PolicyResult.explanation is typed by explain.explain.Explanation
}


def package_of(path: Path) -> str:
    rel = path.relative_to(PACKAGE)
    return rel.parts[0] if len(rel.parts) > 1 else rel.stem


def imported_packages(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = []
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "segverify" and len(parts) > 1:
                found.add(parts[1])
    return found


def edges() -> set[tuple[str, str]]:
    out = set()
    for path in sorted(PACKAGE.rglob("*.py")):
        src = package_of(path)
        out |= {(src, dst) for dst in imported_packages(path) if dst != src}
    return out


def layer_of(package: str) -> int:
    for i, layer in enumerate(LAYERS):
        if package in layer:
            return i
    raise AssertionError(f"package {package!r} is in no layer of tests/test_import_layers.py")


def upward(src: str, dst: str) -> bool:
    up, same = layer_of(dst) > layer_of(src), layer_of(dst) == layer_of(src)
    return up or (same and (src, dst) not in ALLOWED_SIDEWAYS)


def test_every_import_goes_down_a_layer() -> None:
    assert sorted(e for e in edges() if upward(*e)) == sorted(KNOWN_UPWARD)


def z3_importers(package: str) -> list[str]:
    found = []
    for path in sorted((PACKAGE / package).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import) and any(a.name == "z3" for a in node.names):
                found.append(path.name)
    return found


def test_the_engine_and_the_reference_never_import_z3_or_each_other() -> None:
    assert z3_importers("engine") == [] and z3_importers("semantics") == []
    assert {("engine", "semantics"), ("semantics", "engine"), ("engine", "encode")}.isdisjoint(edges())


def test_the_checker_sees_an_upward_import() -> None:
    """The test above would pass on an empty graph: the parser must find what is there."""
    assert ("encode", "engine") in edges() and ("api", "encode") in edges()
    assert layer_of("engine") < layer_of("encode") < layer_of("analyses")
