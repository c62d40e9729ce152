"""Encode stage: solver budgets and outcomes. The only place that sees z3.unknown.

`unknown` is a value carrying the solver's reason, never a pass: callers turn it into the
status `unknown` and exit 3. A wall-clock timeout serves users; `rlimit` (deterministic
resource units) with a fixed seed makes tests reproducible whatever the machine's load.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import z3


@dataclass(frozen=True, slots=True)
class Budget:
    timeout_ms: int = 0  # 0: no wall-clock limit
    rlimit: int = 0  # 0: no resource limit
    seed: int = 0


@dataclass(frozen=True, slots=True)
class Outcome:
    verdict: Literal["sat", "unsat", "unknown"]
    reason: str = ""


def new_solver(ctx: z3.Context, budget: Budget, logic: str | None = None) -> z3.Solver:
    """A solver under the budget; `logic` picks a specialised one (z3.SolverFor)."""
    solver = z3.Solver(ctx=ctx) if logic is None else _solver_for(logic, ctx)
    solver.set("random_seed", budget.seed)
    if budget.timeout_ms:
        solver.set("timeout", budget.timeout_ms)
    if budget.rlimit:
        solver.set("rlimit", budget.rlimit)
    return solver


def _solver_for(logic: str, ctx: z3.Context) -> z3.Solver:
    """z3.SolverFor in `ctx`: SolverFor names the logic in z3's global context (to_symbol without
    its ctx), which creates that whole second context on every check only to hold the name."""
    return z3.Solver(z3.Z3_mk_solver_for_logic(ctx.ref(), z3.to_symbol(logic, ctx)), ctx)


def solve(solver: z3.Solver, *assumptions: z3.BoolRef) -> Outcome:
    answer = z3.CheckSatResult(_check(solver, assumptions))
    if answer == z3.sat:
        return Outcome("sat")
    if answer == z3.unsat:
        return Outcome("unsat")
    reason = solver.reason_unknown() or "no reason given"
    # The SAT core (SolverFor("QF_FD")) prefixes its reasons: "sat.canceled".
    if reason.removeprefix("sat.") in ("canceled", "timeout", "max. resource limit exceeded"):
        reason = f"the solver's budget ran out ({reason}): raise --timeout or --rlimit"
    return Outcome("unknown", f"solver gave up: {reason}")


def _check(solver: z3.Solver, assumptions: tuple[z3.BoolRef, ...]) -> int:
    """Solver.check without its per-assumption sort cast.

    Our assumptions are Boolean terms of the solver's own context by construction; the cast
    (four wrapper calls each) adds up, as blast_radius policies assume every host outside the
    fixpoint uncontrolled.
    """
    array = (z3.Ast * len(assumptions))(*[a.ast for a in assumptions])
    return int(z3.Z3_solver_check_assumptions(solver.ctx.ref(), solver.solver, len(assumptions), array))
