"""The CLI's start-up stays lean (issue #7): heavy modules load only for the command that needs them.

Each case runs a fresh interpreter, since this test process has long imported everything, and
looks at `sys.modules` afterwards. No timing: a module that should not load must simply not be
there, so an eager import at the top of segverify/cli.py (or of a module it imports at load)
fails here whatever the machine's speed.
"""

from __future__ import annotations

import json
import subprocess  # noqa: TID251 (a fresh interpreter is the only clean sys.modules)
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
VENDOR = "examples/remote-access-vendor/flawed"
PACKS = ["-p", "policies/three-plane.yaml", "-p", "policies/baseline.yaml"]

# Loaded only by the command that needs them.
SOLVER = ["z3", "segverify.api", "segverify.encode", "segverify.analyses", "segverify.semantics"]
DIAGRAMS = ["graphviz", "segverify.render.dot", "segverify.render.graphs", "segverify.render.images"]
CI_FORMATS = ["segverify.render.sarif", "segverify.render.junit", "segverify.render.github"]
MODEL = ["yaml", "segverify.model.load", "segverify.results"]
# typer >= 0.29 parses every option with pydantic, so pydantic is not on this list.
NEVER = ["jsonschema"]

PROBE = """
import json, sys
args = json.loads(sys.argv[1])
if args is not None:
    from segverify.cli import app
    try:
        app(args)
    except SystemExit:
        pass
else:
    import segverify.cli
print("\\n" + json.dumps(sorted(sys.modules)))
"""


def loaded_after(args: list[str] | None) -> set[str]:
    """The modules loaded once `import segverify.cli` (None) or a CLI run with `args` is done."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(args)], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return set(json.loads(done.stdout.splitlines()[-1]))


def present(modules: set[str], names: list[str]) -> list[str]:
    return [n for n in names if n in modules]


def test_importing_the_cli_loads_neither_solver_nor_renderers() -> None:
    modules = loaded_after(None)
    assert present(modules, SOLVER + DIAGRAMS + CI_FORMATS + MODEL + NEVER) == []


@pytest.mark.parametrize("args", [["validate", "examples/quickstart"], ["schema"]])
def test_validate_and_schema_need_no_solver(args: list[str]) -> None:
    modules = loaded_after(args)
    assert present(modules, SOLVER + DIAGRAMS + CI_FORMATS + NEVER) == []


def test_check_with_text_output_loads_no_diagram_or_ci_renderer() -> None:
    modules = loaded_after(["check", VENDOR, *PACKS])
    assert "z3" in modules  # the probe really ran a check
    assert present(modules, DIAGRAMS + CI_FORMATS + NEVER) == []


def test_sarif_is_loaded_when_asked() -> None:
    modules = loaded_after(["check", VENDOR, *PACKS, "--format", "sarif"])
    assert "segverify.render.sarif" in modules
    assert present(modules, DIAGRAMS) == []


def test_lint_without_waivers_loads_neither_solver_nor_renderers() -> None:
    """Lint is exact by the reference's own sweep: z3 only for a stale-waiver check."""
    modules = loaded_after(["lint", "examples/acl-lint", "--format", "json"])
    assert present(modules, ["z3", "segverify.api", "segverify.encode", *DIAGRAMS, *NEVER]) == []
