"""Encode stage: lateral movement as forward Horn clauses, solved exhaustively by Z3.

Variables: controls(h) per host and holds(a) per account. Clauses, one per move:
  foothold                                   -> controls(h) / holds(a)
  controls(u)                                 -> active(x)     (u sends from source atom x)
  active(x)                                   -> reach(M)      (x is in the opener set M of a door)
  reach(M) & cred_ok(b)                       -> controls(b)   (login door of b, opener set M)
  holds(a)                                    -> cred_ok(b)    (a may log in on b, usable)
  reach(M)                                    -> controls(b)   (exploit door of b, opener set M)
  controls(a)                                 -> controls(b)   (a manages b)
  controls(a)                                 -> holds(p)      (harvest: p has a session on a)
where a foothold reference activates its atoms unconditionally (atoms.py explains atoms). With the goal
negated (no target controlled, or at most N hosts), SAT means the model is a set closed under
every move that contains the foothold and avoids the goal: a certificate. UNSAT means every
closed set reaches the goal, so the least one does: an attack path exists. No depth bound is
involved (bounded unrolling reports wrong "safe" answers on long chains).
"""

from __future__ import annotations

from dataclasses import dataclass

import z3

from segverify.encode.atoms import bits
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
    clauses: list[z3.BoolRef] = [c[h] for h in sorted(graph.foothold_hosts)]
    clauses += [k[a] for a in sorted(graph.foothold_credentials)]
    clauses += _moves_without_network(graph, c, k, ctx)
    clauses += _network_moves(graph, c, k, ctx)
    solver.add(*clauses)
    return HornEncoding(solver, c, k)


def _moves_without_network(
    graph: AttackGraph, c: dict[str, z3.BoolRef], k: dict[str, z3.BoolRef], ctx: z3.Context
) -> list[z3.BoolRef]:
    clauses: list[z3.BoolRef] = []
    for h in graph.hosts:
        clauses += [z3.Implies(c[h], c[b]) for b in sorted(graph.manages[h])]
        clauses += [z3.Implies(c[h], k[a]) for a in sorted(graph.sessions[h])]
    return clauses


def _network_moves(
    graph: AttackGraph, c: dict[str, z3.BoolRef], k: dict[str, z3.BoolRef], ctx: z3.Context
) -> list[z3.BoolRef]:
    """Senders activate source atoms; a door opens from any active atom of its opener set.

    Doors with the same opener set share one `reach` variable, so the clauses grow with the
    distinct opener sets, not with host pairs.
    """
    act: dict[int, z3.BoolRef] = {}
    clauses: list[z3.BoolRef] = []
    for name in sorted(graph.units):
        for atom in bits(graph.unit_atoms[name]):
            var = act.setdefault(atom, z3.Bool(f"active:{atom}", ctx))
            clauses.append(z3.Implies(c[name], var) if graph.units[name].is_host else var)
    cred_ok: dict[str, z3.BoolRef] = {}
    reach: dict[int, z3.BoolRef] = {}
    for door, mask in sorted(graph.openers.items()):
        if mask not in reach:
            reach[mask] = z3.Bool(f"reach:{len(reach)}", ctx)
            clauses += [z3.Implies(act[a], reach[mask]) for a in bits(mask) if a in act]
        premise = reach[mask]
        if door.move == "login":
            if door.host not in cred_ok:
                cred_ok[door.host] = z3.Bool(f"cred_ok:{door.host}", ctx)
                clauses += [
                    z3.Implies(k[a], cred_ok[door.host]) for a in sorted(graph.login_credentials[door.host])
                ]
            premise = z3.And(premise, cred_ok[door.host])
        clauses.append(z3.Implies(premise, c[door.host]))
    return clauses


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
