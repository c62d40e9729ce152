"""Model stage: sets of integers as sorted, disjoint, inclusive intervals.

Addresses (IPv4 and IPv6 in one integer space, see addresses.py) and protocol/port pairs
(see ports.py) are both sets of integers; one exact algebra serves both, so the reference
semantics and the encoder agree on what a reference means.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import chain
from operator import itemgetter

Interval = tuple[int, int]


def _normalise(intervals: Iterable[Interval]) -> tuple[Interval, ...]:
    merged: list[Interval] = []
    for lo, hi in sorted(i for i in intervals if i[0] <= i[1]):
        if merged and lo <= merged[-1][1] + 1:
            if hi > merged[-1][1]:
                merged[-1] = (merged[-1][0], hi)
        else:
            merged.append((lo, hi))
    return tuple(merged)


@dataclass(frozen=True, slots=True)
class IntervalSet:
    """An immutable set of integers, kept as sorted disjoint inclusive intervals."""

    intervals: tuple[Interval, ...] = ()

    @staticmethod
    def of(intervals: Iterable[Interval]) -> IntervalSet:
        return IntervalSet(_normalise(intervals))

    @staticmethod
    def span(lo: int, hi: int) -> IntervalSet:
        return IntervalSet(((lo, hi),) if lo <= hi else ())

    def __bool__(self) -> bool:
        return bool(self.intervals)

    def __iter__(self) -> Iterator[Interval]:
        return iter(self.intervals)

    def __contains__(self, value: object) -> bool:
        if not isinstance(value, int):
            return False
        intervals = self.intervals
        if len(intervals) < 4:  # most sets: a scan is cheaper than a search
            for lo, hi in intervals:
                if value <= hi:
                    return lo <= value
            return False
        i = bisect_right(intervals, value, key=_START) - 1  # the last interval starting at or before it
        return i >= 0 and value <= intervals[i][1]

    def size(self) -> int:
        return sum(hi - lo + 1 for lo, hi in self.intervals)

    def union(self, other: IntervalSet) -> IntervalSet:
        return IntervalSet.of(self.intervals + other.intervals)

    def intersection(self, other: IntervalSet) -> IntervalSet:
        a, b = self.intervals, other.intervals
        if len(a) > len(b):
            a, b = b, a
        if len(a) * LOPSIDED <= len(b):
            return IntervalSet(tuple(_clipped(a, b)))
        out: list[Interval] = []
        i = j = 0
        while i < len(a) and j < len(b):
            lo, hi = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
            if lo <= hi:
                out.append((lo, hi))
            if a[i][1] < b[j][1]:
                i += 1
            else:
                j += 1
        return IntervalSet(tuple(out))

    def difference(self, other: IntervalSet) -> IntervalSet:
        out: list[Interval] = []
        cuts = other.intervals
        j = 0
        for lo, hi in self.intervals:
            while j < len(cuts) and cuts[j][1] < lo:
                j += 1
            k, cur = j, lo
            while k < len(cuts) and cuts[k][0] <= hi:
                if cuts[k][0] > cur:
                    out.append((cur, cuts[k][0] - 1))
                cur = max(cur, cuts[k][1] + 1)
                k += 1
            if cur <= hi:
                out.append((cur, hi))
        return IntervalSet(tuple(out))

    def intersects(self, other: IntervalSet) -> bool:
        small, large = sorted((self.intervals, other.intervals), key=len)
        for lo, hi in small:
            k = bisect_left(large, lo, key=_END)  # the first interval ending at or after lo
            if k < len(large) and large[k][0] <= hi:
                return True
        return False

    def issubset(self, other: IntervalSet) -> bool:
        return not self.difference(other)

    def first(self) -> int:
        """The smallest member; the set must not be empty."""
        return self.intervals[0][0]

    def boundaries(self) -> Iterator[int]:
        """Points where membership changes: each interval's start and one past its end."""
        for lo, hi in self.intervals:
            yield lo
            yield hi + 1


LOPSIDED = 4  # a set this many times longer than the other is searched, not walked
_START, _END = itemgetter(0), itemgetter(1)


def _clipped(small: tuple[Interval, ...], large: tuple[Interval, ...]) -> Iterator[Interval]:
    """small & large, by binary search in `large` (a host against a hundred thousand hosts)."""
    for lo, hi in small:
        i, j = bisect_left(large, lo, key=_END), bisect_right(large, hi, key=_START)
        for first, last in large[i:j]:
            yield max(lo, first), min(hi, last)


def union_all(sets: Iterable[IntervalSet]) -> IntervalSet:
    """The union of sets already normal (no empty interval to drop): sorted once, then merged."""
    merged: list[Interval] = []
    for lo, hi in sorted(chain.from_iterable(s.intervals for s in sets)):
        if merged and lo <= merged[-1][1] + 1:
            if hi > merged[-1][1]:
                merged[-1] = (merged[-1][0], hi)
        else:
            merged.append((lo, hi))
    return IntervalSet(tuple(merged))
