"""Semantics stage: which hosts own which part of an address set.

A sweep tagged with one set per host cuts its destinations once per host, and every cell then
carries a mask as wide as the host list: at tens of thousands of hosts that is quadratic. An
untagged sweep cuts destinations only by rules and zones (a few hundred classes); this index
then says which hosts each class's addresses belong to, by binary search over the elementary
segments of the hosts' addresses.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence

from segverify.model.intervals import Interval, IntervalSet


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

    def pieces(self, addrs: IntervalSet) -> dict[int, IntervalSet]:
        """For every owner meeting `addrs`: exactly the part of `addrs` that it owns."""
        out: dict[int, list[Interval]] = {}
        for lo, hi in addrs:
            i = bisect_left(self.ends, lo)
            while i < len(self.starts) and self.starts[i] <= hi:
                piece = (max(lo, self.starts[i]), min(hi, self.ends[i]))
                for k in self.owners[i]:
                    out.setdefault(k, []).append(piece)
                i += 1
        return {k: IntervalSet.of(v) for k, v in sorted(out.items())}
