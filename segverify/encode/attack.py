"""Encode stage: lateral movement as forward Horn clauses, solved exhaustively by Z3.

Variables: controls(h) per host and holds(a) per account. Clauses, one per move:
  foothold                                   -> controls(h) / holds(a)
  sender(u) & cred_ok(b)                      -> controls(b)   (login door of b opened by u)
  holds(a)                                    -> cred_ok(b)    (a may log in on b, usable)
  sender(u)                                   -> controls(b)   (exploit door of b opened by u)
  controls(a)                                 -> controls(b)   (a manages b)
  controls(a)                                 -> holds(p)      (harvest: p has a session on a)
where sender(u) is controls(u) for a host and true for a foothold reference. With the goal
negated (no target controlled, or at most N hosts), SAT means the model is a set closed under
every move that contains the foothold and avoids the goal: a certificate. UNSAT means every
closed set reaches the goal, so the least one does: an attack path exists. No depth bound is
involved (bounded unrolling reports wrong "safe" answers on long chains).
"""

from __future__ import annotations

from dataclasses import dataclass

import z3

from segverify.encode.edges import AttackGraph
from segverify.encode.solve import Budget, Outcome, new_solver, solve


@dataclass(frozen=True, slots=True)
class ClosedSet:
    hosts: frozenset[str]
    credentials: frozenset[str]


@dataclass
class HornEncoding:
    solver: z3.Solver
    controls: dict[str, z3.BoolRef]
    holds: dict[str, z3.BoolRef]


def encode_moves(graph: AttackGraph, budget: Budget) -> HornEncoding:
    ctx = z3.Context()
    solver = new_solver(ctx, budget)
    c = {h: z3.Bool(f"controls:{h}", ctx) for h in graph.hosts}
    accounts = set(graph.foothold_credentials)
    for group in (graph.login_credentials, graph.sessions):
        accounts.update(a for v in group.values() for a in v)
    k = {a: z3.Bool(f"holds:{a}", ctx) for a in sorted(accounts)}
    true = z3.BoolVal(True, ctx)
    clauses: list[z3.BoolRef] = [c[h] for h in sorted(graph.foothold_hosts)]
    clauses += [k[a] for a in sorted(graph.foothold_credentials)]
    cred_ok = {h: z3.Bool(f"cred_ok:{h}", ctx) for h in graph.hosts}
    for h in graph.hosts:
        clauses += [z3.Implies(k[a], cred_ok[h]) for a in sorted(graph.login_credentials[h])]
        clauses += [z3.Implies(c[h], c[b]) for b in sorted(graph.manages[h])]
        clauses += [z3.Implies(c[h], k[a]) for a in sorted(graph.sessions[h])]
    for door, names in sorted(graph.openers.items()):
        premise = cred_ok[door.host] if door.move == "login" else true
        for name in names:
            sender = c[name] if graph.units[name].is_host else true
            clauses.append(z3.Implies(z3.And(sender, premise), c[door.host]))
    solver.add(*clauses)
    return HornEncoding(solver, c, k)


def _closed_set(enc: HornEncoding) -> ClosedSet:
    model = enc.solver.model()

    def true_in(var: z3.BoolRef) -> bool:
        return bool(z3.is_true(model.eval(var, model_completion=True)))

    return ClosedSet(
        hosts=frozenset(h for h, v in enc.controls.items() if true_in(v)),
        credentials=frozenset(a for a, v in enc.holds.items() if true_in(v)),
    )


def avoid_targets(graph: AttackGraph, targets: frozenset[str], budget: Budget) -> ClosedSet | None | Outcome:
    """A closed set avoiding every target (isolated), None when none exists (a path exists)."""
    enc = encode_moves(graph, budget)
    goal = [z3.Not(enc.controls[t]) for t in sorted(targets) if t in enc.controls]
    return _answer(enc, goal)


def within_radius(graph: AttackGraph, max_hosts: int, budget: Budget) -> ClosedSet | None | Outcome:
    """A closed set of at most max_hosts hosts, None when every closed set is larger."""
    enc = encode_moves(graph, budget)
    variables = [enc.controls[h] for h in sorted(enc.controls)]
    goal = [z3.AtMost(*variables, max_hosts)] if variables else []
    return _answer(enc, goal)


def _answer(enc: HornEncoding, goal: list[z3.BoolRef]) -> ClosedSet | None | Outcome:
    enc.solver.add(*goal)
    outcome = solve(enc.solver)
    if outcome.verdict == "unknown":
        return outcome
    return _closed_set(enc) if outcome.verdict == "sat" else None
