"""Analyses stage: isolated, only_via and blast_radius, by the Horn encoding of lateral movement."""

from __future__ import annotations

from segverify.analyses.base import Verdict, proved, unknown, violated
from segverify.encode.atoms import Decide
from segverify.encode.attack import ClosedSet, avoid_targets, closed_within
from segverify.encode.edges import AttackGraph, Context, Door, all_doors, build_graph, shared_graph
from segverify.encode.memo import keep_latest
from segverify.encode.witness import Fixpoint, Moves, PathWriter, least_fixpoint, steps_to
from segverify.errors import InternalError
from segverify.model.ir import BlastRadiusSpec, Foothold, IsolatedSpec, OnlyViaSpec, Policy
from segverify.results import (
    BlastWitness,
    Blocked,
    BlockedReason,
    ClosedSetCertificate,
    ControlledHost,
    PathWitness,
    RuleRef,
)


def evaluation_group(ctx: Context, policy: Policy) -> tuple[str]:
    """Policies with equal groups share one movement graph and one set of clauses (memo.py)."""
    if isinstance(policy.spec, IsolatedSpec | OnlyViaSpec | BlastRadiusSpec):
        return (repr(ctx.model.attacker_for(policy)),)
    return ("",)


def check_isolated(ctx: Context, policy: Policy) -> Verdict:
    spec = policy.spec
    assert isinstance(spec, IsolatedSpec)
    return _isolation(ctx, policy, spec.footholds, ctx.resolver.hosts_of(spec.to), frozenset())


def check_only_via(ctx: Context, policy: Policy) -> Verdict:
    spec = policy.spec
    assert isinstance(spec, OnlyViaSpec)
    via = ctx.resolver.hosts_of(spec.via)
    # The via hosts are unusable (neither controlled nor sent from); a path that ends at one
    # passes through it, so via hosts are no targets.
    return _isolation(ctx, policy, spec.footholds, ctx.resolver.hosts_of(spec.to) - via, via)


def check_blast_radius(ctx: Context, policy: Policy) -> Verdict:
    spec = policy.spec
    assert isinstance(spec, BlastRadiusSpec)
    graph = build_graph(ctx, spec.footholds, ctx.model.attacker_for(policy), frozenset())
    fp = _fixpoint(ctx, graph)
    answer = closed_within(ctx, graph, frozenset(fp.hosts))
    if answer.verdict == "unknown":
        return unknown(answer)
    if answer.verdict == "unsat":
        raise InternalError(f"{policy.id}: the solver finds the least fixpoint not closed")
    least = ClosedSet(frozenset(fp.hosts), frozenset(fp.credentials))
    if len(least.hosts) <= spec.max_hosts:
        return proved(certificate(ctx, graph, least))
    # Every closed set contains the least one: more than max_hosts, each with its path.
    writer = PathWriter(ctx, graph, fp, spec.footholds)
    order = sorted(fp.hosts, key=lambda h: (fp.hosts[h].round, h))
    hosts = tuple(ControlledHost(h, writer.hops(steps_to(fp, graph, ("host", h)))) for h in order)
    return violated(BlastWitness(hosts, spec.max_hosts))


def _isolation(
    ctx: Context,
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
    reached = sorted((fp.hosts[t].round, t) for t in targets if t in fp.hosts)
    # The least fixpoint lies in every closed set: it avoids the targets exactly when some
    # closed set does (sat). Any other combination is a bug in the clauses or the worklist.
    if answer.verdict == "sat" and reached:
        raise InternalError(
            f"{policy.id}: the solver avoids the targets, the fixpoint reaches {reached[0][1]}"
        )
    if answer.verdict == "sat":
        return proved(certificate(ctx, graph, ClosedSet(frozenset(fp.hosts), frozenset(fp.credentials))))
    if not reached:
        raise InternalError(f"{policy.id}: solver found a path, the fixpoint reaches no target")
    target = reached[0][1]
    hops = PathWriter(ctx, graph, fp, footholds).hops(steps_to(fp, graph, ("host", target)))
    return violated(PathWitness(target, hops))


def _fixpoint(ctx: Context, graph: AttackGraph) -> Fixpoint:
    """The worklist fixpoint, with the reverse indexes of the profile's shared graph (memo.py)."""
    key = (graph.profile, frozenset[str]())
    return least_fixpoint(graph, keep_latest(ctx.memo.moves, key, lambda: Moves(shared_graph(ctx, key))))


def certificate(ctx: Context, graph: AttackGraph, closed: ClosedSet) -> ClosedSetCertificate:
    """The closed set and, for every door out of it, the reason the attacker cannot pass."""
    senders = 0
    for name in [u.key for u in graph.senders] + sorted(closed.hosts):
        senders |= graph.unit_atoms[name]
    decide = ctx.index.decider(senders)
    out = closed.hosts | graph.excluded
    entries = keep_latest(ctx.memo.entries, graph.profile, lambda: Entries(all_doors(ctx, graph.profile)))
    return ClosedSetCertificate(
        hosts=tuple(sorted(closed.hosts)),
        credentials=tuple(sorted(closed.credentials)),
        senders=graph.foothold_refs,
        boundary=tuple(
            _blocked(ctx, graph, closed, decide, entries, i)
            for i, door in enumerate(entries.doors)
            if door.host not in out
        ),
        excluded=tuple(sorted(graph.excluded)),
    )


class Entries:
    """Every door of a profile, and each boundary entry for it made once for the whole check.

    Certificates of one check list mostly the same moves for the same reasons: at 25,600
    hosts, 976,811 entries held 56,804 distinct ones. At 100,000 hosts the copies took
    ~700 MB, in the parent and in the memory a self-check child shares with it. Entries are
    keyed by the door's position: hashing the Door itself cost more than the entry.
    """

    def __init__(self, doors: list[Door]) -> None:
        self.doors = doors
        self._made: dict[tuple[int, str, tuple[RuleRef, ...]], Blocked] = {}

    def blocked(self, i: int, reason: BlockedReason, rules: tuple[RuleRef, ...] = ()) -> Blocked:
        found = self._made.get((i, reason, rules))
        if found is None:
            door = self.doors[i]
            found = self._made[i, reason, rules] = Blocked(door.move, door.host, door.service, reason, rules)
        return found


def _blocked(
    ctx: Context, graph: AttackGraph, closed: ClosedSet, decide: Decide, entries: Entries, i: int
) -> Blocked:
    door, held = entries.doors[i], closed.credentials
    if door.move == "login" and graph.login_credentials[door.host].isdisjoint(held):
        # Held credentials that are named in `logins` but unusable can only be MFA-blocked ones.
        named = held and not ctx.principals.login_accounts(ctx.model.hosts[door.host]).isdisjoint(held)
        return entries.blocked(i, "mfa" if named else "no-usable-credential")
    dst, svc = ctx.model.hosts[door.host].addresses, ctx.model.services[door.service].ports
    return entries.blocked(i, "no-allowed-packet", tuple(decide(dst, svc)))
