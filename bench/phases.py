"""Bench: exclusive phase timing of segverify.api.check, hooked from outside (engine code unchanged).

Phases: `context` (new_context), `edges` (build_graph: which sources open which doors),
`encode` (everything else in check: z3 terms, Horn clauses), `solve` (time inside
Z3's check, encode/solve.py), `witness` (witnesses, certificates and the self-checks). Time is charged to
the innermost phase, except that everything under `witness` stays `witness` (solver calls made
to find a witness packet are witness cost). Hooks whose target no longer exists are skipped and
listed, so an engine refactoring degrades the split, never the measurement of the total.
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

# (module, attribute path, phase). Functions imported by name are patched where they are used.
HOOKS: tuple[tuple[str, str, str], ...] = (
    ("segverify.api", "new_context", "context"),
    ("segverify.api", "self_check_problems", "witness"),
    ("segverify.analyses.attack_policies", "build_graph", "edges"),
    ("segverify.analyses.attack_policies", "certificate", "witness"),
    ("segverify.analyses.attack_policies", "least_fixpoint", "witness"),
    ("segverify.engine.witness", "PathWriter.hops", "witness"),
    ("segverify.encode.packets", "RegionSolver._polish", "witness"),
    ("segverify.encode.packets", "RegionSolver.deciding", "witness"),
    ("segverify.encode.solve", "_check", "solve"),
)
PHASES = ("context", "edges", "encode", "solve", "witness")


class PhaseTimer:
    """A stack of phases; each moment of wall time is charged to exactly one phase."""

    def __init__(self) -> None:
        self.totals: dict[str, float] = dict.fromkeys(PHASES, 0.0)
        self.stack: list[str] = []
        self.mark = 0.0

    def enter(self, phase: str) -> None:
        now = time.perf_counter()
        if self.stack:
            self.totals[self.stack[-1]] += now - self.mark
            if self.stack[-1] == "witness":
                phase = "witness"
        self.stack.append(phase)
        self.mark = now

    def leave(self) -> None:
        now = time.perf_counter()
        self.totals[self.stack.pop()] += now - self.mark
        self.mark = now

    def reset(self) -> None:
        self.totals = dict.fromkeys(PHASES, 0.0)
        self.stack = []

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        self.enter(name)
        try:
            yield
        finally:
            self.leave()


TIMER = PhaseTimer()


def _timed(fn: Callable[..., Any], phase: str) -> Callable[..., Any]:
    def timed(*args: Any, **kwargs: Any) -> Any:
        if not TIMER.stack:  # outside a measured check (e.g. the reference): no accounting
            return fn(*args, **kwargs)
        TIMER.enter(phase)
        try:
            return fn(*args, **kwargs)
        finally:
            TIMER.leave()

    timed._bench_phase = phase  # type: ignore[attr-defined]
    return timed


def install() -> tuple[list[str], list[str]]:
    """Patch every hook target that exists; returns (installed, missing) as `module:attr` strings."""
    installed, missing = [], []
    for module_name, path, phase in HOOKS:
        label = f"{module_name}:{path}"
        try:
            owner: Any = importlib.import_module(module_name)
            *parents, attr = path.split(".")
            for p in parents:
                owner = getattr(owner, p)
            target = getattr(owner, attr)
        except (ImportError, AttributeError):
            missing.append(label)
            continue
        if not hasattr(target, "_bench_phase"):
            setattr(owner, attr, _timed(target, phase))
        installed.append(label)
    return installed, missing
