"""Engine stage: what one check computes once and every policy reuses.

Policies of one check differ in footholds, targets and attacker profile, but the doors, the
sources that open them, the movement clauses and the packets of witness hops are the same
for all of them. Recomputing them per policy made a 100-policy check 100 times the work of
one; here they are kept for the lifetime of a check (one Context), keyed by what they depend on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from segverify.model.intervals import IntervalSet
from segverify.model.ir import AttackerProfile

if TYPE_CHECKING:
    from segverify.engine.certificate import Entries
    from segverify.engine.edges import AttackGraph, Door
    from segverify.engine.pick import Found
    from segverify.engine.witness import Moves

K = TypeVar("K")
V = TypeVar("V")

GraphKey = tuple[AttackerProfile, frozenset[str]]  # attacker profile, hosts left out (only_via)


@dataclass
class Memo:
    allowed: dict[tuple[str, str], int] = field(default_factory=dict)  # (host, service) -> source atoms
    masks: dict[int, int] = field(default_factory=dict)  # each distinct opener set, kept once
    graphs: dict[AttackerProfile, AttackGraph] = field(default_factory=dict)  # no footholds, none left out
    host_tables: dict[object, Any] = field(default_factory=dict)  # per-host tables of those graphs
    packets: dict[tuple[IntervalSet, Door], Found] = field(default_factory=dict)
    # Derived from one graph and reused by every policy on it; the latest two are kept.
    trimmed: dict[GraphKey, AttackGraph] = field(default_factory=dict)  # only_via: via hosts left out
    moves: dict[GraphKey, Moves] = field(default_factory=dict)  # witness.Moves of the untrimmed graphs
    doors: dict[AttackerProfile, list[Door]] = field(default_factory=dict)  # every door, sorted
    entries: dict[AttackerProfile, Entries] = field(default_factory=dict)  # certificates' boundary entries


def keep_latest(table: dict[K, V], key: K, make: Callable[[], V], size: int = 2) -> V:
    """table[key], made on a miss; the oldest entries go first (a hundred thousand hosts weigh)."""
    if key not in table:
        while len(table) >= size:
            del table[next(iter(table))]
        table[key] = make()
    return table[key]
