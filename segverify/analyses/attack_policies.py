"""Analyses stage: isolated, only_via and blast_radius, by the Horn encoding of lateral movement."""

from __future__ import annotations

from typing import TypeVar

from segverify.analyses.base import Verdict, proved, unknown, violated
from segverify.analyses.crosscheck import closure_agrees, isolation_agrees
from segverify.encode.attack import avoid_targets, closed_within
from segverify.encode.check import CheckContext
from segverify.engine.certificate import ClosedSet, certificate
from segverify.engine.edges import AttackGraph, build_graph, shared_graph
from segverify.engine.memo import keep_latest
from segverify.engine.shortest import Ways, shortest_witness
from segverify.engine.witness import Fixpoint, Moves, PathWriter, least_fixpoint, steps_to
from segverify.model.ir import BlastRadiusSpec, Foothold, IsolatedSpec, OnlyViaSpec, Policy
from segverify.results import (
    BlastWitness,
    ControlledHost,
    PathWitness,
)

T = TypeVar("T")


def evaluation_group(ctx: CheckContext, policy: Policy) -> tuple[str]:
    """Policies with equal groups share one movement graph and one set of clauses (engine/memo.py)."""
    if isinstance(policy.spec, IsolatedSpec | OnlyViaSpec | BlastRadiusSpec):
        return (repr(ctx.model.attacker_for(policy)),)
    return ("",)


def check_isolated(ctx: CheckContext, policy: Policy) -> Verdict:
    spec = policy.spec
    assert isinstance(spec, IsolatedSpec)
    return _isolation(ctx, policy, spec.footholds, ctx.resolver.hosts_of(spec.to), frozenset())


def check_only_via(ctx: CheckContext, policy: Policy) -> Verdict:
    spec = policy.spec
    assert isinstance(spec, OnlyViaSpec)
    via = ctx.resolver.hosts_of(spec.via)
    # The via hosts are unusable (neither controlled nor sent from); a path that ends at one
    # passes through it, so via hosts are no targets.
    return _isolation(ctx, policy, spec.footholds, ctx.resolver.hosts_of(spec.to) - via, via)


def check_blast_radius(ctx: CheckContext, policy: Policy) -> Verdict:
    spec = policy.spec
    assert isinstance(spec, BlastRadiusSpec)
    graph = build_graph(ctx, spec.footholds, ctx.model.attacker_for(policy), frozenset())
    fp = _fixpoint(ctx, graph)
    answer = closed_within(ctx, graph, frozenset(fp.hosts))
    if answer.verdict == "unknown":
        return unknown(answer)
    closure_agrees(policy, answer)
    least = ClosedSet(frozenset(fp.hosts), frozenset(fp.credentials))
    if len(least.hosts) <= spec.max_hosts:
        return proved(certificate(ctx, graph, least))
    # Every closed set contains the least one: more than max_hosts, each with its path.
    # Paths read back round by round (no step to spare), not searched: a witness may list
    # thousands of hosts, and the search's ways in cost a pass over the fixpoint per door.
    writer = PathWriter(ctx, graph, fp, spec.footholds)
    order = sorted(fp.hosts, key=lambda h: (fp.hosts[h].round, h))
    hosts = tuple(ControlledHost(h, writer.hops(steps_to(fp, graph, ("host", h)))) for h in order)
    return violated(BlastWitness(hosts, spec.max_hosts))


def _isolation(
    ctx: CheckContext,
    policy: Policy,
    footholds: tuple[Foothold, ...],
    targets: frozenset[str],
    via: frozenset[str],
) -> Verdict:
    graph = build_graph(ctx, footholds, ctx.model.attacker_for(policy), via)
    answer = avoid_targets(ctx, graph, targets)
    if answer.verdict == "unknown":
        return unknown(answer)
    fp = _fixpoint(ctx, graph)
    names = [t for _, t in sorted((fp.hosts[t].round, t) for t in targets if t in fp.hosts)]
    isolation_agrees(policy, answer, names)  # Z3 decides; the worklist must agree (crosscheck.py)
    if answer.verdict == "sat":
        return proved(certificate(ctx, graph, ClosedSet(frozenset(fp.hosts), frozenset(fp.credentials))))
    ways = Ways(graph, fp, _moves(ctx, graph))
    first = shortest_witness(ctx, ways, footholds, names)
    others = [t for t in sorted(names) if t != first.target] if ctx.all_paths else []
    paths = tuple(ControlledHost(t, shortest_witness(ctx, ways, footholds, [t]).path) for t in others)
    facts = list(dict.fromkeys(f for t in sorted(names) for f in steps_to(fp, graph, ("host", t))))
    support = PathWriter(ctx, graph, fp, footholds).hops(facts)
    return violated(PathWitness(first.target, first.path, tuple(sorted(names)), paths, support))


def _fixpoint(ctx: CheckContext, graph: AttackGraph) -> Fixpoint:
    """The worklist fixpoint, with the reverse indexes of the profile's shared graph (engine/memo.py)."""
    return least_fixpoint(graph, _moves(ctx, graph))


def _moves(ctx: CheckContext, graph: AttackGraph) -> Moves:
    key = (graph.profile, frozenset[str]())
    return keep_latest(ctx.memo.moves, key, lambda: Moves(shared_graph(ctx, key)))
