"""Encode stage: the context of one check: the engine's context plus what Z3 needs.

The plain-Python engine works on engine.edges.Context; every Z3 question (packet regions,
Horn clauses) takes this extension of it, so the engine never imports encode/.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from segverify.encode.context import PacketVars
from segverify.encode.flows import FlowSets
from segverify.encode.horn import HornBase, Terms
from segverify.encode.solve import Budget
from segverify.engine.edges import Context
from segverify.model.ir import AttackerProfile


@dataclass
class HornMemo:
    """The clauses of the latest attacker profile, and the Boolean terms every profile shares."""

    bases: dict[AttackerProfile, HornBase] = field(default_factory=dict)
    terms: Terms | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckContext(Context):
    sets: FlowSets
    budget: Budget
    pv: PacketVars
    horn: HornMemo = field(default_factory=HornMemo)
