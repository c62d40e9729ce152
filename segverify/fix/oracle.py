"""Fix stage: every witness of a policy on a changed model, from the reference semantics.

The search asks this oracle (plain Python, no z3) on each candidate set, and takes from it not
one witness per policy but all it can name at once: a path to each controlled target, each
bad cell of a packet policy, each account that spans two zones. Each yields a necessary
clause, so fewer rounds are needed. The found fix is then re-checked by the normal check path.
"""

from __future__ import annotations

from segverify.model.ir import (
    BlastRadiusSpec,
    MatrixSpec,
    Model,
    NoFlowSpec,
    Policy,
    ReachableSpec,
    SeparateAccountsSpec,
)
from segverify.results import PacketWitness, PathWitness, Witness
from segverify.semantics import accounts
from segverify.semantics.attack import attack_for
from segverify.semantics.context import Semantics
from segverify.semantics.policies import evaluate, queries


def witnesses(model: Model, policy: Policy, sem: Semantics) -> list[Witness]:
    """Empty when the policy holds on `model`."""
    spec = policy.spec
    if isinstance(spec, NoFlowSpec | MatrixSpec):
        return _bad_cells(policy, sem)
    if isinstance(spec, SeparateAccountsSpec):
        found = (accounts.account_witness(a, s) for a, s in accounts.spreads(sem, spec).items())
        return [w for w in found if w is not None]
    if isinstance(spec, ReachableSpec | BlastRadiusSpec):
        witness = evaluate(model, policy, sem)[1]
        return [] if witness is None else [witness]
    attack = attack_for(model, policy, sem)
    return [PathWitness(t, attack.path_to(t)) for t in attack.reached_targets()]


def _bad_cells(policy: Policy, sem: Semantics) -> list[Witness]:
    out: list[Witness] = []
    for q in queries(sem, policy):
        out.extend(
            PacketWitness(c.packet(), c.rule)
            for c in sem.table.cells(q.src, q.dst, q.svc)
            if c.rule.action == q.bad
        )
    return out
