"""Lint stage: which rules can meet a rule's box, without testing every pair of rules.

Each rule's source, destination and service sets have a hull [first, last]. Two boxes can meet
only if their hulls overlap in all three dimensions: `first_j <= last_i` and `last_j >= first_i`.
Rules sorted by `first` (and by `last`, descending) turn each half of that test into a prefix of
one order, and a prefix is a bitmask (checkpointed every few rules), so the candidates of a rule
are a few big-integer ANDs. The hull test over-approximates (a set with gaps); the exact test
(Sweep's own) drops the rest, so the index decides nothing, it only saves work.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence

from segverify.model.intervals import IntervalSet
from segverify.semantics.packets import CompiledFlow
from segverify.semantics.regions import bits

MASKS_PER_ORDER = 1250  # stored prefix masks per order at most: n*n/block bits; a query ORs < block masks


class PrefixMasks:
    """OR of the rule bits of the first k entries of one order, for any k."""

    def __init__(self, order: Sequence[int]) -> None:
        self.order = list(order)
        # Each OR of a query costs a pass over an n-bit mask: short blocks keep queries cheap,
        # and a cap on the stored masks keeps their memory a small multiple of the rule count.
        self.block = max(4, 1 << (len(self.order) // MASKS_PER_ORDER).bit_length())
        self.checkpoints = [0]
        mask = 0
        for k, rule in enumerate(self.order, 1):
            mask |= 1 << rule
            if k % self.block == 0:
                self.checkpoints.append(mask)

    def prefix(self, k: int) -> int:
        start = (k // self.block) * self.block
        mask = self.checkpoints[k // self.block]
        for rule in self.order[start:k]:
            mask |= 1 << rule
        return mask


class Dimension:
    """One dimension's hulls: the rules whose hull overlaps [lo, hi]."""

    def __init__(self, sets: Sequence[IntervalSet], present: Sequence[int]) -> None:
        hulls = {i: (sets[i].intervals[0][0], sets[i].intervals[-1][1]) for i in present}
        by_first = sorted(present, key=lambda i: hulls[i][0])
        by_last = sorted(present, key=lambda i: -hulls[i][1])
        self.firsts = [hulls[i][0] for i in by_first]
        self.negated_lasts = [-hulls[i][1] for i in by_last]
        self.starts = PrefixMasks(by_first)
        self.ends = PrefixMasks(by_last)

    def overlapping(self, hull: tuple[int, int]) -> int:
        lo, hi = hull
        started = self.starts.prefix(bisect_right(self.firsts, hi))  # first_j <= hi
        unfinished = self.ends.prefix(bisect_right(self.negated_lasts, -lo))  # last_j >= lo
        return started & unfinished


def hull(s: IntervalSet) -> tuple[int, int]:
    return s.intervals[0][0], s.intervals[-1][1]


class RuleIndex:
    """Candidates of rule i among the rules before it, or after it, that can meet its box."""

    def __init__(self, flows: Sequence[CompiledFlow]) -> None:
        self.flows = flows
        present = [i for i, cf in enumerate(flows) if cf.sources and cf.destinations and cf.ports]
        self.dims = (
            Dimension([cf.sources for cf in flows], present),
            Dimension([cf.destinations for cf in flows], present),
            Dimension([cf.ports for cf in flows], present),
        )

    def _mask(self, cf: CompiledFlow) -> int:
        if not (cf.sources and cf.destinations and cf.ports):
            return 0
        src, dst, svc = self.dims
        return (
            src.overlapping(hull(cf.sources))
            & dst.overlapping(hull(cf.destinations))
            & svc.overlapping(hull(cf.ports))
        )

    def before(self, i: int) -> list[CompiledFlow]:
        """Rules j < i that may meet rule i's box, in list order."""
        return [self.flows[j] for j in bits(self._mask(self.flows[i]) & ((1 << i) - 1))]

    def after(self, i: int, box: CompiledFlow | None = None) -> list[CompiledFlow]:
        """Rules j > i that may meet `box` (rule i's own by default), in list order."""
        mask = self._mask(box or self.flows[i]) >> (i + 1)
        return [self.flows[i + 1 + j] for j in bits(mask)]
