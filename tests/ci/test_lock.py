"""The committed lock (requirements/lock.txt) is what `make test` and `make demo` install.

It must pin every distribution installed in the environment the suite runs in (direct and
transitive, build tools included) at its exact version with hashes, and cover every dependency
pyproject.toml declares, so that a new upstream release cannot change what the README's commands
run. `make test-latest` and `make test-lowest` run the suite in deliberately unlocked
environments; they set SEGVERIFY_UNLOCKED and the installed-versions test stands aside there.
"""

from __future__ import annotations

import os
import re
import sys
from importlib import metadata
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10 has tomli through pytest
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[2]
LOCK = ROOT / "requirements" / "lock.txt"

# The venv's own bootstrap (not a dependency of ours) and segverify itself (installed editable).
NOT_LOCKED = {"pip", "segverify"}


class Entry(NamedTuple):
    name: str
    version: str  # "" when the line does not pin with ==
    marker: str
    hashes: tuple[str, ...]


def entries() -> list[Entry]:
    text = LOCK.read_text(encoding="utf-8").replace("\\\n", " ")
    found = []
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        spec = line.split(" --hash", 1)[0].strip()
        req = Requirement(spec)
        pins = [s.version for s in req.specifier if s.operator == "=="]
        hashes = tuple(re.findall(r"--hash=sha256:([0-9a-f]{64})", line))
        version = pins[0] if pins else ""
        found.append(Entry(canonicalize_name(req.name), version, str(req.marker or ""), hashes))
    return found


def locked_here() -> dict[str, str]:
    """Name -> version of the lock's entries whose markers hold on this interpreter."""
    return {e.name: e.version for e in entries() if not e.marker or Marker(e.marker).evaluate()}


def test_every_entry_is_pinned_exactly_with_hashes() -> None:
    found = entries()
    assert len(found) > 20
    for entry in found:
        assert entry.version, f"{entry.name} is not pinned with =="
        assert entry.hashes, f"{entry.name} has no hash"


def declared() -> set[str]:
    project: dict[str, Any] = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    specs = list(project["dependencies"])
    for extra in ("dev", "render"):
        specs += project["optional-dependencies"][extra]
    build = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["build-system"]["requires"]
    return {canonicalize_name(Requirement(s).name) for s in specs + list(build)}


def test_lock_covers_every_declared_dependency() -> None:
    missing = declared() - {e.name for e in entries()}
    assert not missing, f"declared in pyproject.toml but not locked (run `make lock`): {sorted(missing)}"


@pytest.mark.skipif(bool(os.environ.get("SEGVERIFY_UNLOCKED")), reason="an unlocked environment on purpose")
def test_lock_covers_every_installed_distribution() -> None:
    locked = locked_here()
    installed = {canonicalize_name(d.metadata["Name"]): d.version for d in metadata.distributions()}
    unlocked = {n: v for n, v in installed.items() if n not in NOT_LOCKED and locked.get(n) != v}
    assert not unlocked, (
        "installed but not at the lock's version (run `make install`, or `make lock` after changing "
        f"pyproject.toml): { {n: (v, locked.get(n)) for n, v in sorted(unlocked.items())} }"
    )
