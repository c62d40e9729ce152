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
    return all((not c.elements <= chosen) if c.negative else bool(c.elements & chosen) for c in constraints)


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
    feasible = [
        sum(costs[x] for x in sub)
        for k in range(len(ELEMENTS) + 1)
        for sub in combinations(ELEMENTS, k)
        if satisfied(set(sub), constraints)
    ]
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
