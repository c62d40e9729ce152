"""Encode stage: a minimum hitting set of sets of controls (Z3 Optimize), for the margin.

One Boolean per control ("it fails"); each core (the controls a proof rests on) needs one of
its controls failed. The optimum is exact: Z3 proves no smaller hitting set exists. A budget
that runs out gives `unknown`, never a guess.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import z3

from segverify.encode.solve import Budget


@dataclass(frozen=True, slots=True)
class Hitting:
    """sat: `chosen` (indexes) hits every core with fewest items; unsat: some core is empty."""

    verdict: Literal["sat", "unsat", "unknown"]
    chosen: tuple[int, ...] = ()
    reason: str = ""


def minimum_hitting_set(
    cores: Sequence[frozenset[int]], budget: Budget, at_most: int | None = None
) -> Hitting:
    """A smallest set of indexes meeting every core; with `at_most`, unsat also when none that small."""
    if any(not core for core in cores):
        return Hitting("unsat")
    ctx = z3.Context()
    items = sorted(set().union(*cores)) if cores else []
    fails = {i: z3.Bool(f"fail_{i}", ctx=ctx) for i in items}
    opt = z3.Optimize(ctx=ctx)
    if budget.timeout_ms:
        opt.set("timeout", budget.timeout_ms)
    for core in cores:
        opt.add(z3.Or([fails[i] for i in sorted(core)]))
    count = z3.Sum([z3.If(fails[i], 1, 0) for i in items]) if items else z3.IntVal(0, ctx=ctx)
    if at_most is not None:
        opt.add(count <= at_most)
    opt.minimize(count)
    answer = opt.check()
    if answer == z3.unsat:
        return Hitting("unsat")
    if answer != z3.sat:
        return Hitting("unknown", reason=f"solver gave up: {opt.reason_unknown() or 'no reason given'}")
    model = opt.model()
    return Hitting("sat", tuple(i for i in items if z3.is_true(model.eval(fails[i], model_completion=True))))
