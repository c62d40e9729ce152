"""The hitting-set core (encode/optimize.py): exact minimum cost, no-goods, conflict labels."""

from __future__ import annotations

from itertools import combinations

from hypothesis import given, settings
from hypothesis import strategies as st

from segverify.encode.optimize import Constraint, HittingSetSolver
from segverify.encode.solve import Budget
from tests.strategies import examples

ELEMENTS = "abcdef"


def solver(costs: dict[str, int], constraints: list[Constraint[str]]) -> HittingSetSolver[str]:
    s: HittingSetSolver[str] = HittingSetSolver()
    for c in constraints:
        s.add(c, costs)
    return s


def satisfied(chosen: set[str], constraints: list[Constraint[str]]) -> bool:
    """Written out here, not taken from Constraint.met_by: the test's own reading."""
    for c in constraints:
        if c.negative:
            ok = not c.elements <= chosen
        elif c.groups:
            ok = len([g for g in c.groups if g & chosen]) >= c.need
        else:
            ok = bool(c.elements & chosen)
        if not ok:
            return False
    return True


def feasible_costs(costs: dict[str, int], constraints: list[Constraint]) -> list[int]:
    """The cost of every subset of ELEMENTS that satisfies the constraints: the brute-force oracle."""
    return [
        sum(costs[x] for x in sub)
        for k in range(len(ELEMENTS) + 1)
        for sub in combinations(ELEMENTS, k)
        if satisfied(set(sub), constraints)
    ]


@settings(max_examples=examples(40), deadline=None)
@given(
    st.dictionaries(st.sampled_from(ELEMENTS), st.integers(1, 5), min_size=len(ELEMENTS)),
    st.lists(
        st.tuples(st.frozensets(st.sampled_from(ELEMENTS), min_size=1, max_size=3), st.booleans()),
        min_size=1,
        max_size=6,
    ),
)
def test_optimum_is_the_brute_force_minimum(
    costs: dict[str, int], raw: list[tuple[frozenset[str], bool]]
) -> None:
    constraints = [Constraint(f"P{i}", e, negative=n) for i, (e, n) in enumerate(raw)]
    found = solver(costs, constraints).solve(Budget())
    feasible = feasible_costs(costs, constraints)
    if not feasible:
        assert found.status == "infeasible" and found.conflict
        return
    assert found.status == "optimal" and found.cost == min(feasible)
    assert satisfied(set(found.chosen), constraints)


def test_conflict_names_the_clashing_labels_only() -> None:
    costs = dict.fromkeys("abc", 1)
    constraints = [
        Constraint("ISO-1", frozenset("a")),
        Constraint("REACH-1", frozenset("a"), negative=True),
        Constraint("OTHER", frozenset("bc")),
    ]
    found = solver(costs, constraints).solve(Budget())
    assert found.status == "infeasible" and found.conflict == ("ISO-1", "REACH-1")


@settings(max_examples=examples(40), deadline=None)
@given(
    st.dictionaries(st.sampled_from(ELEMENTS), st.integers(1, 5), min_size=len(ELEMENTS)),
    st.lists(st.frozensets(st.sampled_from(ELEMENTS), min_size=1, max_size=3), min_size=1, max_size=4),
    st.integers(1, 4),
    st.lists(st.frozensets(st.sampled_from(ELEMENTS), min_size=1, max_size=3), max_size=3),
)
def test_cardinality_optimum_is_the_brute_force_minimum(
    costs: dict[str, int], groups: list[frozenset[str]], need: int, clauses: list[frozenset[str]]
) -> None:
    constraints = [Constraint.at_least("B", tuple(groups), need)]
    constraints += [Constraint(f"P{i}", c) for i, c in enumerate(clauses)]
    found = solver(costs, constraints).solve(Budget())
    feasible = feasible_costs(costs, constraints)
    if not feasible:
        assert found.status == "infeasible"
        return
    assert found.status == "optimal" and found.cost == min(feasible)
    assert satisfied(set(found.chosen), constraints)


@settings(max_examples=examples(40), deadline=None)
@given(
    st.lists(st.frozensets(st.sampled_from(ELEMENTS), min_size=1, max_size=3), min_size=1, max_size=4),
    st.integers(1, 4),
    st.frozensets(st.sampled_from(ELEMENTS)),
)
def test_greedy_cover_meets_every_constraint(
    groups: list[frozenset[str]], need: int, chosen: frozenset[str]
) -> None:
    from segverify.fix.changes import Change, Costs
    from segverify.fix.search import greedy_cover

    def change(x: str) -> Change:
        return Change("require_mfa", x)

    constraint = Constraint.at_least("B", tuple(frozenset(map(change, g)) for g in groups), need)
    start = frozenset(map(change, chosen))
    picked = greedy_cover([constraint], start, Costs(), set())
    if need <= len(groups):
        assert len([g for g in constraint.groups or (constraint.elements,) if g & (start | picked)]) >= need
