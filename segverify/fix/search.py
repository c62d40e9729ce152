"""Fix stage: the implicit hitting-set loop, with the normal check as the oracle.

Solve the minimum-cost hitting set of the clauses known so far (encode/optimize.py), apply
it, and ask: does it deny a business flow (flows.py)? Then a no-good forbids the culprits
together. Does a targeted policy still fail? Then its witness adds a clause (cuts.py). When
neither happens, the set is a fix, and since every clause and no-good is necessary, no fix
costs less than the optimum of the clauses: the fix is optimal, lower bound = cost.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Literal

from segverify import api
from segverify.encode.optimize import Constraint, HittingSet, HittingSetSolver
from segverify.encode.solve import Budget
from segverify.fix.apply import apply_changes
from segverify.fix.changes import Change, Costs
from segverify.fix.cuts import Cutters
from segverify.fix.flows import Broken, Keeper, business_boxes
from segverify.fix.oracle import witnesses
from segverify.model.ir import Model, Policy
from segverify.results import BlastWitness, PolicyResult, Report, Status, Witness
from segverify.semantics.context import Semantics

ALTERNATIVE = "(alternative already found)"
GREEDY_ROUNDS = 3
FIRST_GREEDY_ROUNDS = 50  # until a first fix is seen: the best found if the budget runs out


@dataclass(frozen=True, slots=True)
class FixOptions:
    costs: Costs = Costs()
    keep_waived: bool = False
    alternatives: int = 0
    timeout_s: float = 0.0  # 0: no limit
    budget: Budget = Budget()
    today: date = date(1970, 1, 1)
    out_of_scope: frozenset[str] = frozenset()  # policies the re-check does not hold to a verdict


@dataclass(frozen=True, slots=True)
class FixSet:
    changes: tuple[Change, ...]
    cost: int
    costs: dict[Change, int]
    cuts: dict[Change, tuple[str, ...]]  # the policies whose witnesses each change cuts
    recheck: Report


Outcome = Literal["fixed", "nothing", "infeasible", "unknown"]


@dataclass
class FixStats:
    """Where the search spent its CPU time (bench/fix.py reports it; no output depends on it)."""

    solves: int = 0
    oracle_calls: int = 0
    clauses: int = 0
    solve_s: float = 0.0  # the hitting-set solves (Z3 Optimize)
    oracle_s: float = 0.0  # the reference semantics on changed models
    check_s: float = 0.0  # the first check and the re-check of the answer (the normal check path)
    learn_s: float = 0.0  # witnesses to clauses, asserted in Z3 (less the flow tests below)
    flows_s: float = 0.0  # whether a set of changes denies a business flow


@dataclass(frozen=True, slots=True)
class FixResult:
    status: Outcome
    before: Report
    fixes: tuple[FixSet, ...] = ()
    lower_bound: int = 0
    targets: tuple[str, ...] = ()
    conflict: tuple[str, ...] = ()  # infeasible: the policies whose demands cannot all be met
    conflict_results: tuple[PolicyResult, ...] = ()  # their witnesses
    broken_flows: tuple[Broken, ...] = ()  # business flows that took part in the conflict
    reason: str = ""
    stats: FixStats = field(default_factory=FixStats)
    out_of_scope: tuple[str, ...] = ()  # violated `resilient` policies, left as they are


@dataclass
class _State:
    constraints: list[Constraint[Change]] = field(default_factory=list)
    seen: set[Change] = field(default_factory=set)
    known: set[Constraint[Change]] = field(default_factory=set)
    last: dict[str, PolicyResult] = field(default_factory=dict)
    broken: dict[str, Broken] = field(default_factory=dict)
    lower_bound: int = 0
    banned: set[Change] = field(default_factory=set)  # each alone denies a business flow
    best: tuple[int, frozenset[Change]] | None = None  # the cheapest fix seen, not proved optimal
    unchanged_asked: set[str] = field(default_factory=set)  # policies asked on the unchanged model


def find_fix(model: Model, options: FixOptions) -> FixResult:
    started = time.process_time()
    before = api.check(model, _check_options(options, waivers=options.keep_waived))
    checked = time.process_time() - started
    unknown = [r.id for r in before.results if r.status == Status.UNKNOWN]
    if unknown:
        return FixResult("unknown", before, reason=f"the check gave up on {', '.join(unknown)}")
    violated = [r.id for r in before.results if r.status == Status.VIOLATED]
    # `resilient` policies are out of scope: their witnesses hold on a model with controls
    # failed or an account stolen, which the cutters (cuts.py) do not model. They are left
    # as they are and named, never claimed fixed.
    resilient = {p.id for p in model.policies if p.resilient is not None}
    out_of_scope = tuple(t for t in violated if t in resilient)
    targets = tuple(t for t in violated if t not in resilient)
    if not targets:
        return FixResult("nothing", before, out_of_scope=out_of_scope)
    result = _Search(model, before, targets, replace(options, out_of_scope=frozenset(out_of_scope))).run()
    result.stats.check_s += checked
    return replace(result, out_of_scope=out_of_scope)


def _check_options(options: FixOptions, waivers: bool, certificates: bool = True) -> api.CheckOptions:
    return api.CheckOptions(
        budget=options.budget, today=options.today, use_waivers=waivers, verify_certificates=certificates
    )


class _Search:
    def __init__(self, model: Model, before: Report, targets: tuple[str, ...], options: FixOptions) -> None:
        self.model = model
        self.before = before
        self.targets = targets
        self.options = options
        by_id = {p.id: p for p in model.policies}
        self.policies: dict[str, Policy] = {t: by_id[t] for t in targets}
        self.keys = {t: (p.kind, p.spec, model.attacker_for(p)) for t, p in self.policies.items()}
        self.held_under: dict[object, list[frozenset[Change]]] = {}
        held = [by_id[r.id] for r in before.results if r.status == Status.PROVED]
        self.keeper = Keeper(model, business_boxes(model, held))
        self.cutters = Cutters(model, options.costs)
        self.deadline = time.monotonic() + options.timeout_s if options.timeout_s else None
        self.solver: HittingSetSolver[Change] = HittingSetSolver()
        self.stats = FixStats()
        self.state = _State(last={r.id: r for r in before.results if r.id in targets})

    def run(self) -> FixResult:
        result = self._run()
        return replace(result, stats=self.stats)

    def _run(self) -> FixResult:
        fixes: list[FixSet] = []
        self._add_witnesses(self.before.results)
        while len(fixes) <= self.options.alternatives:
            step = self._next_fix()
            if isinstance(step, FixResult):
                if fixes and step.status == "infeasible":
                    break  # no further alternative: the ones found stand
                if fixes and step.status == "unknown":  # the alternatives ran out of time
                    return FixResult("fixed", self.before, tuple(fixes), fixes[0].cost, self.targets)
                return step
            fixes.append(step)
            self._constrain(Constraint(ALTERNATIVE, frozenset(step.changes), negative=True))
        return FixResult("fixed", self.before, tuple(fixes), lower_bound=fixes[0].cost, targets=self.targets)

    def _next_fix(self) -> FixSet | FixResult:
        while True:
            if self.deadline is not None and time.monotonic() > self.deadline:
                return self._unknown("the --timeout ran out before a fix was proved")
            solved = self._solve()
            if isinstance(solved, FixResult):
                return solved
            chosen = solved.chosen
            self.state.lower_bound = max(self.state.lower_bound, solved.cost)
            broken = self._broken(chosen)
            if broken is not None:
                self.state.broken[broken.label] = broken
                self._constrain(Constraint(broken.label, broken.changes, negative=True))
                continue
            failing = self._try(chosen)
            if not failing:
                return self._confirm(chosen, solved.cost)
            self._learn_unchanged([t for t, _ in failing])
            self._extend(chosen, self._add_all(failing, chosen), [t for t, _ in failing])

    def _broken(self, chosen: frozenset[Change]) -> Broken | None:
        started = time.process_time()
        try:
            return self.keeper.broken(chosen)
        finally:
            self.stats.flows_s += time.process_time() - started

    def _learn_unchanged(self, failing_ids: list[str]) -> None:
        """Once per policy that survives an optimum: every witness the oracle names on the
        unchanged model (the check names one; the oracle a path to every target reached, every
        bad cell), so the next optimum knows every route there was, not the few a round meets.
        """
        todo = [t for t in failing_ids if t not in self.state.unchanged_asked]
        if todo:
            self.state.unchanged_asked.update(todo)
            self._add_all(self._try(frozenset(), todo), frozenset())

    def _extend(
        self, chosen: frozenset[Change], clauses: list[Constraint[Change]], failing_ids: list[str]
    ) -> None:
        """Cheap rounds between two optimisations (the non-optimal phase of MaxHS solvers).

        Hit the new clauses greedily and ask the oracle again: each answer is a witness under
        some set, so its clauses are as necessary as any, and they come without an Optimize
        call. A greedy set the oracle accepts is a fix (not proved optimal): the best found.
        """
        current = chosen
        rounds = GREEDY_ROUNDS if self.state.best is not None else FIRST_GREEDY_ROUNDS
        # The set only grows here, and a policy that holds keeps holding as changes are added
        # (they only take away): only the policies that failed are asked again.
        for _ in range(rounds):
            current = current | greedy_cover(clauses, current, self.options.costs, self.state.banned)
            broken = self._broken(current)
            if broken is not None:  # a necessary no-good too: the next optimum avoids it
                self.state.broken[broken.label] = broken
                self._constrain(Constraint(broken.label, broken.changes, negative=True))
                return
            failing = self._try(current, failing_ids)
            if not failing:
                self._note_found(current)
                return
            clauses = self._add_all(failing, current)
            failing_ids = [t for t, _ in failing]

    def _note_found(self, found: frozenset[Change]) -> None:
        cost = sum(self.options.costs.cost(c) for c in found)
        if self.state.best is None or cost < self.state.best[0]:
            self.state.best = (cost, found)

    def _add_all(
        self, failing: list[tuple[str, list[Witness]]], chosen: frozenset[Change]
    ) -> list[Constraint[Change]]:
        out: list[Constraint[Change]] = []
        for policy_id, found in failing:
            out.extend(self._add_clauses(policy_id, found, chosen))
        return out

    def _solve(self) -> HittingSet[Change] | FixResult:
        budget = self.options.budget
        if self.deadline is not None:
            left = max(1, int((self.deadline - time.monotonic()) * 1000))
            budget = replace(budget, timeout_ms=min(budget.timeout_ms or left, left))
        started = time.process_time()
        solved = self.solver.solve(budget)
        self.stats.solves += 1
        self.stats.solve_s += time.process_time() - started
        if solved.status == "unknown":
            return self._unknown(solved.reason)
        if solved.status == "infeasible":
            return self._infeasible(solved.conflict)
        return solved

    def _try(
        self, chosen: frozenset[Change], only: list[str] | None = None
    ) -> list[tuple[str, list[Witness]]]:
        """Every witness of every targeted policy on the changed model, by the reference."""
        started = time.process_time()
        asked = [t for t in (self.targets if only is None else only) if not self._held(t, chosen)]
        out = []
        if asked:
            changed = apply_changes(self.model, chosen)
            sem = Semantics(changed)
            # Policies that ask the same question (the same spec and attacker under another id)
            # have the same witnesses: asked once.
            answers: dict[object, list[Witness]] = {}
            for t in asked:
                key = self.keys[t]
                if key not in answers:
                    answers[key] = witnesses(changed, self.policies[t], sem)
                if answers[key]:
                    out.append((t, answers[key]))
                else:
                    self.held_under.setdefault(key, []).append(chosen)
            self.stats.oracle_calls += 1
        self.stats.oracle_s += time.process_time() - started
        return out

    def _held(self, target: str, chosen: frozenset[Change]) -> bool:
        """Whether the policy held under a subset of `chosen`: every change only takes away, so
        it holds under `chosen` too (no need to ask)."""
        return any(s <= chosen for s in self.held_under.get(self.keys[target], ()))

    def _add_witnesses(self, results: Sequence[PolicyResult]) -> None:
        for r in results:
            if r.status == Status.VIOLATED and r.witness is not None and r.id in self.policies:
                self._add_clauses(r.id, [r.witness], frozenset())

    def _add_clauses(
        self, policy_id: str, found: list[Witness], chosen: frozenset[Change]
    ) -> list[Constraint[Change]]:
        started, flows = time.process_time(), self.stats.flows_s
        try:
            return self._learn(policy_id, found, chosen)
        finally:
            self.stats.learn_s += time.process_time() - started - (self.stats.flows_s - flows)

    def _learn(
        self, policy_id: str, found: list[Witness], chosen: frozenset[Change]
    ) -> list[Constraint[Change]]:
        out: list[Constraint[Change]] = []
        policy = self.policies[policy_id]
        for witness in found:
            constraints: list[Constraint[Change]]
            # No change opens a flow: a denied `reachable` packet can never be cut.
            if policy.kind == "reachable":
                constraints = [Constraint(policy_id, frozenset())]
            elif isinstance(witness, BlastWitness):
                # Not just "one path cut" but "so many paths cut" (cuts.Cutters.blast_groups).
                groups, need = self.cutters.blast_groups(policy, witness, chosen)
                constraints = [Constraint.at_least(policy_id, groups, need)]
            else:
                clauses = self.cutters.clauses(policy, witness, chosen)
                constraints = [Constraint(policy_id, c) for c in clauses]
            for constraint in constraints:
                self._new_elements(constraint.elements)
                self._constrain(constraint)
                out.append(constraint)
        return out

    def _constrain(self, constraint: Constraint[Change]) -> None:
        if constraint not in self.state.known:
            self.state.known.add(constraint)
            self.state.constraints.append(constraint)
            self.stats.clauses += 1
            self.solver.add(constraint, {c: self.options.costs.cost(c) for c in constraint.elements})

    def _new_elements(self, clause: frozenset[Change]) -> None:
        """A change that alone denies a business flow is ruled out once, up front."""
        for c in sorted(clause - self.state.seen):
            self.state.seen.add(c)
            broken = self._broken(frozenset({c}))
            if broken is not None:
                self.state.banned.add(c)
                self.state.broken.setdefault(broken.label, broken)
                self._constrain(Constraint(broken.label, broken.changes, negative=True))

    def _confirm(self, chosen: frozenset[Change], cost: int) -> FixSet:
        from segverify.fix.recheck import recheck

        started = time.process_time()
        report = recheck(self.model, chosen, self.keeper, self.options)
        self.stats.check_s += time.process_time() - started
        ordered = tuple(sorted(chosen))
        return FixSet(
            changes=ordered,
            cost=cost,
            costs={c: self.options.costs.cost(c) for c in ordered},
            cuts={c: self._cut_by(c) for c in ordered},
            recheck=report,
        )

    def _cut_by(self, change: Change) -> tuple[str, ...]:
        return tuple(
            sorted({k.label for k in self.state.constraints if not k.negative and change in k.elements})
        )

    def _unknown(self, reason: str) -> FixResult:
        """Out of budget: the proved lower bound, and the cheapest fix seen if any (re-checked
        like any other, but not proved optimal: the gap is its cost minus the bound)."""
        best = self.state.best
        found = (self._confirm(best[1], best[0]),) if best is not None else ()
        return FixResult(
            "unknown",
            self.before,
            found,
            lower_bound=self.state.lower_bound,
            targets=self.targets,
            reason=reason,
        )

    def _infeasible(self, conflict: tuple[str, ...]) -> FixResult:
        policies = tuple(label for label in conflict if label != ALTERNATIVE)
        return FixResult(
            "infeasible",
            self.before,
            targets=self.targets,
            conflict=policies,
            conflict_results=tuple(self.state.last[p] for p in policies if p in self.state.last),
            broken_flows=tuple(self.state.broken[p] for p in policies if p in self.state.broken),
        )


def greedy_cover(
    constraints: list[Constraint[Change]], chosen: frozenset[Change], costs: Costs, banned: set[Change]
) -> frozenset[Change]:
    """Changes that meet every constraint `chosen` misses, most groups hit per cost first.

    Each constraint is a list of groups and how many of them still need a hit (a clause: one
    group, one hit); a group left with banned changes only can never be hit and is dropped.
    """
    open_: list[tuple[list[frozenset[Change]], int]] = []
    for k in constraints:
        groups = list(k.groups) if k.groups else [k.elements]
        need = k.need if k.groups else 1
        need -= sum(1 for g in groups if not g.isdisjoint(chosen))
        groups = [g - banned for g in groups if g.isdisjoint(chosen) and g - banned]
        if need > 0 and groups:
            open_.append((groups, need))
    picked: set[Change] = set()
    while open_:
        counts: dict[Change, int] = {}
        for groups, _ in open_:
            for g in groups:
                for c in g:
                    counts[c] = counts.get(c, 0) + 1
        best = min(counts, key=lambda c: (costs.cost(c) / counts[c], c))
        picked.add(best)
        left = []
        for groups, need in open_:
            need -= sum(1 for g in groups if best in g)
            groups = [g for g in groups if best not in g]
            if need > 0 and groups:
                left.append((groups, need))
        open_ = left
    return frozenset(picked)
