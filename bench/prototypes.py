"""`python -m bench.prototypes --hosts N`: faster Horn encodings, measured against the engine's own.

For every isolated/only_via policy of the N-host enterprise, the engine's movement graph is
built once (segverify.engine.edges.build_graph), then the isolation question is answered by:
  engine   encode.attack.avoid_targets: since 85298b5 itself SMT-LIB text, shared per check
  smtlib   the same clauses written as SMT-LIB text and parsed by Z3 in one call
  worklist the engine's own least fixpoint (engine.witness.least_fixpoint), no solver
and the verdicts must agree. It also reports how many clauses all these policies share (the
case for one encoding per check with the policy as assumptions).
Prototypes only: nothing here is used by segverify.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from typing import Any

import z3  # noqa: TID251 (a measurement prototype of an encode/ alternative, never imported by segverify)

from bench.synth import generate_enterprise, plan_for
from segverify.api import new_context
from segverify.encode.attack import avoid_targets
from segverify.encode.check import CheckContext
from segverify.encode.horn import Symbols
from segverify.encode.solve import Budget
from segverify.engine.atoms import bits
from segverify.engine.edges import AttackGraph, build_graph
from segverify.engine.witness import least_fixpoint
from segverify.model.ir import IsolatedSpec, Model, OnlyViaSpec, Policy


def horn_clauses(graph: AttackGraph, n: Symbols) -> list[tuple[list[str], str]]:
    """(premises, conclusion) pairs: exactly the clauses of encode.attack.encode_moves."""
    out: list[tuple[list[str], str]] = [([], n("c", h)) for h in sorted(graph.foothold_hosts)]
    out += [([], n("k", a)) for a in sorted(graph.foothold_credentials)]
    for h in graph.hosts:
        out += [([n("c", h)], n("c", b)) for b in sorted(graph.manages[h])]
        out += [([n("c", h)], n("k", a)) for a in sorted(graph.sessions[h])]
    for name in sorted(graph.units):
        premise = [n("c", name)] if graph.units[name].is_host else []
        out += [(premise, n("x", atom)) for atom in bits(graph.unit_atoms[name])]
    seen: set[int] = set()
    gated: set[str] = set()
    for door, mask in sorted(graph.openers.items()):
        if mask not in seen:
            seen.add(mask)
            out += [([n("x", a)], n("r", mask)) for a in bits(mask)]
        premises = [n("r", mask)]
        if door.move == "login":
            if door.host not in gated:
                gated.add(door.host)
                out += [([n("k", a)], n("g", door.host)) for a in sorted(graph.login_credentials[door.host])]
            premises.append(n("g", door.host))
        out.append((premises, n("c", door.host)))
    return out


def smtlib(clauses: list[tuple[list[str], str]], goal: list[str], n: Symbols) -> str:
    decls = "".join(f"(declare-const {s} Bool)\n" for s in n.names.values())
    body = []
    for premises, head in clauses:
        if not premises:
            body.append(f"(assert {head})\n")
        elif len(premises) == 1:
            body.append(f"(assert (=> {premises[0]} {head}))\n")
        else:
            body.append(f"(assert (=> (and {' '.join(premises)}) {head}))\n")
    body += [f"(assert (not {g}))\n" for g in goal]
    return decls + "".join(body)


def by_smtlib(ctx: CheckContext, graph: AttackGraph, targets: frozenset[str]) -> bool:
    """True when isolated (a closed set avoids every target)."""
    n = Symbols()
    clauses = horn_clauses(graph, n)
    goal = [n("c", t) for t in sorted(targets) if t in graph.hosts]
    solver = z3.Solver(ctx=z3.Context())
    solver.from_string(smtlib(clauses, goal, n))
    return bool(solver.check() == z3.sat)


def by_engine(ctx: CheckContext, graph: AttackGraph, targets: frozenset[str]) -> bool:
    answer = avoid_targets(ctx, graph, targets)
    return answer is not None and not hasattr(answer, "verdict")


def by_worklist(ctx: CheckContext, graph: AttackGraph, targets: frozenset[str]) -> bool:
    return not (set(least_fixpoint(graph).hosts) & targets)


METHODS: dict[str, Callable[[CheckContext, AttackGraph, frozenset[str]], bool]] = {
    "engine": by_engine,
    "smtlib": by_smtlib,
    "worklist": by_worklist,
}


def isolation_policies(model: Model) -> list[Policy]:
    return [p for p in model.policies if isinstance(p.spec, IsolatedSpec | OnlyViaSpec)]


def measure(model: Model, methods: list[str]) -> dict[str, Any]:
    ctx = new_context(model, Budget())
    totals = dict.fromkeys(["graph", *methods], 0.0)
    clauses = 0
    shared_names = Symbols()
    sets: list[set[tuple[tuple[str, ...], str]]] = []
    for policy in isolation_policies(model):
        spec = policy.spec
        assert isinstance(spec, IsolatedSpec | OnlyViaSpec)
        via = ctx.resolver.hosts_of(spec.via) if isinstance(spec, OnlyViaSpec) else frozenset()
        t0 = time.perf_counter()
        graph = build_graph(ctx, spec.footholds, model.attacker_for(policy), via)
        totals["graph"] += time.perf_counter() - t0
        targets = ctx.resolver.hosts_of(spec.to) - via
        verdicts = {}
        for name in methods:
            t0 = time.perf_counter()
            verdicts[name] = METHODS[name](ctx, graph, targets)
            totals[name] += time.perf_counter() - t0
        if len(set(verdicts.values())) != 1:
            raise AssertionError(f"{policy.id}: methods disagree: {verdicts}")
        clauses += len(horn_clauses(graph, Symbols()))
        sets.append({(tuple(p), h) for p, h in horn_clauses(graph, shared_names)})
    common = set.intersection(*sets) if sets else set()
    return {
        "policies": len(sets),
        "clauses": clauses,
        "common": len(common),
        "distinct": len(set().union(*sets)) if sets else 0,
        "seconds": totals,
    }


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.prototypes")
    ap.add_argument("--hosts", type=int, nargs="+", default=[400, 1600])
    ap.add_argument("--methods", nargs="+", default=list(METHODS), choices=list(METHODS))
    args = ap.parse_args(argv)
    for hosts in args.hosts:
        out = measure(generate_enterprise(plan_for(hosts)), args.methods)
        secs = "  ".join(f"{k} {v:.2f}" for k, v in out["seconds"].items())
        print(
            f"{hosts:>7} hosts, {out['policies']} isolation policies, {out['clauses']:,} clauses "
            f"({out['distinct']:,} distinct, {out['common']:,} in every policy): {secs}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
