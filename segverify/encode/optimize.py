"""Encode stage: minimum-cost hitting sets (segverify fix), solved exactly by Z3 Optimize.

Each element is a Boolean "chosen"; a clause says at least one of its elements is chosen, a
no-good says not all of its elements are, and a cardinality constraint that at least `need` of
its groups each have an element chosen (a `blast_radius` witness: so many of its paths cut).
The optimum is exact (Optimize's MaxSMT core), so its cost is a lower bound on every set that
satisfies the constraints. A budget that runs out is an outcome, never an answer.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, Literal, TypeVar

import z3

from segverify.encode.solve import Budget

K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True, slots=True)
class Constraint(Generic[K]):
    """`label` names where it came from (a policy id), for the conflict of an infeasible problem."""

    label: str
    elements: frozenset[K]  # with groups: their union
    negative: bool = False  # a no-good: not all of `elements`
    groups: tuple[frozenset[K], ...] = ()  # a cardinality constraint: at least `need` groups hit
    need: int = 0

    @staticmethod
    def at_least(label: str, groups: tuple[frozenset[K], ...], need: int) -> Constraint[K]:
        """At least `need` of the groups hit (need 1 of one group: a plain clause)."""
        if len(groups) == 1 and need == 1:
            return Constraint(label, groups[0])
        return Constraint(label, frozenset().union(*groups), groups=groups, need=need)

    def met_by(self, chosen: frozenset[K] | set[K]) -> bool:
        if self.negative:
            return not self.elements <= chosen
        if self.groups:
            return sum(1 for g in self.groups if not g.isdisjoint(chosen)) >= self.need
        return not self.elements.isdisjoint(chosen)


@dataclass(frozen=True, slots=True)
class HittingSet(Generic[K]):
    status: Literal["optimal", "infeasible", "unknown"]
    chosen: frozenset[K] = frozenset()
    cost: int = 0
    conflict: tuple[str, ...] = ()  # infeasible: labels of a set of constraints that conflict
    reason: str = ""


class HittingSetSolver(Generic[K]):
    """An incremental problem: constraints and elements only ever get added, so Optimize keeps
    what it learnt between rounds. Each element is a soft "not chosen" weighted by its cost."""

    def __init__(self) -> None:
        self.ctx = z3.Context()
        self.opt = z3.Optimize(ctx=self.ctx)
        self.names: dict[K, z3.BoolRef] = {}
        self.order: dict[K, int] = {}  # first met first
        self.costs: dict[K, int] = {}
        self.constraints: list[Constraint[K]] = []
        self.asserted: set[tuple[frozenset[K], bool, tuple[frozenset[K], ...], int]] = set()

    def add(self, constraint: Constraint[K], costs: Mapping[K, int]) -> None:
        for e in sorted(constraint.elements, key=repr):
            if e not in self.names:
                self.order[e] = len(self.names)
                self.names[e] = z3.Bool(f"x{len(self.names)}", ctx=self.ctx)
                self.costs[e] = costs[e]
                self.opt.add_soft(z3.Not(self.names[e]), costs[e])
        self.constraints.append(constraint)
        # Another label's constraint may say the same (two policies asking the same question):
        # asserted once, kept under both labels for the conflict.
        key = (constraint.elements, constraint.negative, constraint.groups, constraint.need)
        if key not in self.asserted:
            self.asserted.add(key)
            self.opt.add(_formula(constraint, self.names, self.order, self.ctx))

    def solve(self, budget: Budget) -> HittingSet[K]:
        self.opt.set("timeout", budget.timeout_ms or 4294967295)
        answer = self.opt.check()
        if answer == z3.sat:
            model = self.opt.model()
            chosen = frozenset(e for e, v in self.names.items() if z3.is_true(model.eval(v)))
            return HittingSet("optimal", chosen, sum(self.costs[e] for e in chosen))
        if answer == z3.unsat:
            return HittingSet(
                "infeasible", conflict=_conflict(self.names, self.order, self.constraints, self.ctx)
            )
        return HittingSet(
            "unknown", reason=f"solver gave up: {self.opt.reason_unknown() or 'no reason given'}"
        )


def _formula(
    c: Constraint[K], names: Mapping[K, z3.BoolRef], order: Mapping[K, int], ctx: z3.Context
) -> z3.BoolRef:
    # In the order the elements were first met: the same problem gives the same optimum.
    if c.groups:
        hits = [_any([names[e] for e in sorted(g, key=order.__getitem__)], ctx) for g in c.groups]
        return z3.AtLeast(*hits, c.need) if hits else z3.BoolVal(c.need <= 0, ctx=ctx)
    terms = [z3.Not(names[e]) if c.negative else names[e] for e in sorted(c.elements, key=order.__getitem__)]
    return _any(terms, ctx)


def _any(terms: list[z3.BoolRef], ctx: z3.Context) -> z3.BoolRef:
    return z3.Or(terms) if terms else z3.BoolVal(False, ctx=ctx)


def _conflict(
    names: Mapping[K, z3.BoolRef],
    order: Mapping[K, int],
    constraints: Sequence[Constraint[K]],
    ctx: z3.Context,
) -> tuple[str, ...]:
    """The labels of an unsatisfiable core: which policies cannot all be met together."""
    solver = z3.Solver(ctx=ctx)
    labels = sorted({c.label for c in constraints})
    tracks = {label: z3.Bool(f"track-{i}", ctx=ctx) for i, label in enumerate(labels)}
    for c in constraints:
        solver.add(z3.Implies(tracks[c.label], _formula(c, names, order, ctx)))
    if solver.check(*tracks.values()) != z3.unsat:
        return tuple(labels)
    core = {str(t) for t in solver.unsat_core()}
    return tuple(label for label in labels if str(tracks[label]) in core)
