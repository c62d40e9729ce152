"""Encode stage: lateral movement as forward Horn clauses, solved exhaustively by Z3.

The clauses (horn.py) say: footholds are controlled or held; a controlled host sends from its
addresses; a door opens from any address of its opener set that is sent from; a login door
also needs a usable credential; managing gives control; a controlled host yields the
credentials of its sessions. A foothold reference sends from its addresses unconditionally.
With the goal negated (no target controlled, or none outside the fixpoint), SAT means some set
closed under every move contains the foothold and avoids the goal; UNSAT means every closed set
reaches the goal, so the least one does: an attack path exists. No depth bound is involved
(bounded unrolling reports wrong "safe" answers on long chains). The certificate is not Z3's
model but the worklist's least fixpoint (engine/witness.py), which lies inside every closed set; so
SAT must come with a fixpoint that avoids the goal, or the two disagree (analyses check this).
Reading Z3's model back would cost time on a large model and tell nothing more.

The clauses are parsed once per check and attacker profile (encode/check.HornMemo); each policy's
footholds and goal are assumptions of its own `check`.
"""

from __future__ import annotations

import z3

from segverify.encode.check import CheckContext
from segverify.encode.horn import HornBase, Terms
from segverify.encode.solve import Outcome, solve
from segverify.engine.edges import AttackGraph, shared_graph
from segverify.model.ir import Model, OnlyViaSpec
from segverify.model.refs import Resolver


def horn_base(ctx: CheckContext, graph: AttackGraph) -> HornBase:
    """The clauses for this graph's attacker profile; only the latest base is kept.

    A base holds about 1 KB of solver memory per clause; api.check evaluates the policies of
    one profile together.
    """
    profile = graph.profile
    base = ctx.horn.bases.get(profile)
    # A policy from outside the model (api.paths, tests) may leave out hosts no guard covers.
    if base is None or not graph.excluded <= frozenset(base.guarded):
        ctx.horn.bases.clear()
        shared = shared_graph(ctx, (profile, frozenset()))
        if ctx.horn.terms is None:
            ctx.horn.terms = Terms(ctx.pv.ctx)
        guarded = via_hosts(ctx) | graph.excluded
        inside = {h: ctx.index.src.inside(ctx.model.hosts[h].addresses) for h in guarded}
        base = HornBase(shared, ctx.budget, ctx.horn.terms, inside)
        ctx.horn.bases[profile] = base
    return base


def via_hosts(ctx: CheckContext) -> frozenset[str]:
    return model_via_hosts(ctx.model, ctx.resolver)


def model_via_hosts(model: Model, resolver: Resolver) -> frozenset[str]:
    """Every host some only_via policy of the model leaves out."""
    out: set[str] = set()
    for policy in model.policies:
        if isinstance(policy.spec, OnlyViaSpec):
            out |= resolver.hosts_of(policy.spec.via)
    return frozenset(out)


def footholds(base: HornBase, graph: AttackGraph) -> list[z3.BoolRef]:
    senders = 0
    for unit in graph.senders:
        senders |= graph.unit_atoms[unit.key]
    facts = [base.var("c", h) for h in sorted(graph.foothold_hosts)]
    facts += [base.var("k", a) for a in sorted(graph.foothold_credentials)]
    return facts + base.reached_by(senders) + base.usable(graph.excluded)


def avoid_targets(ctx: CheckContext, graph: AttackGraph, targets: frozenset[str]) -> Outcome:
    """sat: some closed set avoids every target (isolated); unsat: none does (a path exists)."""
    base = horn_base(ctx, graph)
    goal = [base.negated("c", t) for t in sorted(targets) if t in graph.units]
    return solve(base.solver, *footholds(base, graph), *goal)


def closed_within(ctx: CheckContext, graph: AttackGraph, hosts: frozenset[str]) -> Outcome:
    """sat: some closed set controls no host outside `hosts`; unsat: none does.

    For blast_radius, `hosts` is the worklist's least fixpoint: the smallest closed set, so
    "some closed set has at most N hosts" is "it is closed and has at most N". Asking Z3 for
    closure with every other host negated replaced a cardinality constraint over all host
    variables, which was slow on large models.
    """
    base = horn_base(ctx, graph)
    negated = base.negated_hosts()
    outside = [negated[h] for h in graph.hosts if h not in hosts]
    return solve(base.solver, *footholds(base, graph), *outside)
