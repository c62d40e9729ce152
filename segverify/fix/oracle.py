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
from segverify.results import AccountsWitness, PacketWitness, PathWitness, Witness
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
        return [w for a, spread in accounts.spreads(sem, spec).items() for w in _account_pairs(a, spread)]
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


def _account_pairs(account: str, spread: accounts.Spread) -> list[Witness]:
    """Host pairs that show the account spanning two zones: per pair of zones, the first host of
    each side against every host of the other (linear in hosts, yet every host is named)."""
    out: list[Witness] = []
    for reason, first_side in (("login", spread.logins), ("session", spread.sessions)):
        for a, b in _star(first_side, spread.logins):
            out.append(AccountsWitness(account, (a[1], b[1]), (a[0], b[0]), reason))  # type: ignore[arg-type]
    return out


def _star(
    left: tuple[accounts.Place, ...], right: tuple[accounts.Place, ...]
) -> list[tuple[accounts.Place, accounts.Place]]:
    pairs: set[tuple[accounts.Place, accounts.Place]] = set()
    for zone in sorted({z for z, _ in left}):
        mine = [p for p in left if p[0] == zone]
        theirs = [p for p in right if p[0] != zone]
        if theirs:
            pairs.update((mine[0], t) for t in theirs)
            pairs.update((m, t) for m in mine for t in theirs[:1])
    return sorted(pairs)
