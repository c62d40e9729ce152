"""Semantics stage: which hosts own which part of an address set.

A sweep tagged with one set per host cuts its destinations once per host, and every cell then
carries a mask as wide as the host list: at tens of thousands of hosts that is quadratic. An
untagged sweep cuts destinations only by rules and zones (a few hundred classes); this index
then says which hosts each class's addresses belong to, by binary search over the elementary
segments of the hosts' addresses.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from itertools import chain

from segverify.model.intervals import IntervalSet


class Owners:
    """The elementary segments of a list of address sets, each with the indices of its owners."""

    def __init__(self, sets: Sequence[IntervalSet]) -> None:
        events: dict[int, list[tuple[int, int]]] = {}
        for k, s in enumerate(sets):
            for lo, hi in s:
                events.setdefault(lo, []).append((k, 1))
                events.setdefault(hi + 1, []).append((k, -1))
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.owners: list[tuple[int, ...]] = []
        count: dict[int, int] = {}
        points = sorted(events)
        for here, nxt in zip(points, points[1:], strict=False):
            for k, step in events[here]:
                count[k] = count.get(k, 0) + step
                if not count[k]:
                    del count[k]
            if count:
                self.starts.append(here)
                self.ends.append(nxt - 1)
                self.owners.append(tuple(sorted(count)))

    def meeting(self, addrs: IntervalSet) -> list[int]:
        """The owners of some address in `addrs`, ascending."""
        found: set[int] = set()
        for lo, hi in addrs:
            i, j = bisect_left(self.ends, lo), bisect_right(self.starts, hi)
            found.update(chain.from_iterable(self.owners[i:j]))
        return sorted(found)
