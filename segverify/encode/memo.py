"""Encode stage: what one check computes once and every policy reuses.

Policies of one check differ in footholds, targets and attacker profile, but the doors, the
sources that open them, the movement clauses and the packets of witness hops are the same
for all of them. Recomputing them per policy made a 100-policy check 100 times the work of
one; here they are kept for the lifetime of a check (one Context), keyed by what they depend on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from segverify.model.intervals import IntervalSet
from segverify.model.ir import AttackerProfile

if TYPE_CHECKING:
    from segverify.encode.edges import AttackGraph, Door
    from segverify.encode.horn import HornBase
    from segverify.encode.packets import Found

GraphKey = tuple[AttackerProfile, frozenset[str]]  # attacker profile, hosts left out (only_via)


@dataclass
class Memo:
    allowed: dict[tuple[str, str], int] = field(default_factory=dict)  # (host, service) -> source atoms
    masks: dict[int, int] = field(default_factory=dict)  # each distinct opener set, kept once
    graphs: dict[AttackerProfile, AttackGraph] = field(default_factory=dict)  # no footholds, none left out
    horn: dict[AttackerProfile, HornBase] = field(default_factory=dict)
    packets: dict[tuple[IntervalSet, Door], Found] = field(default_factory=dict)
