"""Lint stage: a smallest set of earlier rules that together match all of a shadowed rule's box.

The rules that decide the box's cells always cover it; dropping each one the rest can spare gives
an irredundant cover. With few candidates (earlier rules that meet the box) every smaller subset
is tried, smallest first, so the answer is a smallest cover; past the budget it is an irredundant
one, and the finding says "a covering set" rather than "a smallest".
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations
from math import comb

from segverify.lint.space import RuleSpace, Spaces
from segverify.semantics.packets import CompiledFlow

EXACT_BUDGET = 256  # coverage sweeps spent looking for a smaller cover than the irredundant one


@dataclass(frozen=True, slots=True)
class Cover:
    rules: tuple[CompiledFlow, ...]  # in list order
    smallest: bool  # proved smallest (every smaller subset tried)


def smallest_cover(spaces: Spaces, i: int, space: RuleSpace) -> Cover:
    deciding = {r.index for r in space.same.rules() | space.opposite.rules()}
    cover = [cf for cf in space.earlier if cf.rule.index in deciding]
    for cf in list(reversed(cover)):
        rest = [c for c in cover if c is not cf]
        if rest and spaces.covers(i, rest):
            cover = rest
    box = space.flow
    candidates = [
        cf
        for cf in space.earlier
        if cf.sources.intersects(box.sources)
        and cf.destinations.intersects(box.destinations)
        and cf.ports.intersects(box.ports)
    ]
    tries = sum(comb(len(candidates), k) for k in range(1, len(cover)))
    if tries > EXACT_BUDGET:
        return Cover(tuple(cover), smallest=len(cover) == 1)
    for size in range(1, len(cover)):
        for subset in combinations(candidates, size):
            if spaces.covers(i, subset):
                return Cover(subset, smallest=True)
    return Cover(tuple(cover), smallest=True)
