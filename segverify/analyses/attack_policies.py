"""Analyses stage: isolated, only_via and blast_radius, by the Horn encoding of lateral movement."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from segverify.analyses.base import Verdict, proved, unknown, violated
from segverify.encode.atoms import CellKey
from segverify.encode.attack import ClosedSet, avoid_targets, closed_within
from segverify.encode.edges import AttackGraph, Context, all_doors, build_graph, door_openers, shared_graph
from segverify.encode.memo import keep_latest
from segverify.encode.shortest import Ways, shortest_witness
from segverify.encode.witness import Fixpoint, Moves, PathWriter, least_fixpoint, steps_to
from segverify.errors import InternalError
from segverify.model.ir import AttackerProfile, BlastRadiusSpec, Foothold, IsolatedSpec, OnlyViaSpec, Policy
from segverify.results import (
    BlastWitness,
    Blocked,
    BlockedReason,
    ClosedSetCertificate,
    ControlledHost,
    PathWitness,
    RuleRef,
)

T = TypeVar("T")


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
    # Paths read back round by round (no step to spare), not searched: a witness may list
    # thousands of hosts, and the search's ways in cost a pass over the fixpoint per door.
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
    ways, names = Ways(graph, fp, _moves(ctx, graph)), [t for _, t in reached]
    first = shortest_witness(ctx, ways, footholds, names)
    others = [t for t in sorted(names) if t != first.target] if ctx.all_paths else []
    paths = tuple(ControlledHost(t, shortest_witness(ctx, ways, footholds, [t]).path) for t in others)
    facts = list(dict.fromkeys(f for t in sorted(names) for f in steps_to(fp, graph, ("host", t))))
    support = PathWriter(ctx, graph, fp, footholds).hops(facts)
    return violated(PathWitness(first.target, first.path, tuple(sorted(names)), paths, support))


def _fixpoint(ctx: Context, graph: AttackGraph) -> Fixpoint:
    """The worklist fixpoint, with the reverse indexes of the profile's shared graph (memo.py)."""
    return least_fixpoint(graph, _moves(ctx, graph))


def _moves(ctx: Context, graph: AttackGraph) -> Moves:
    key = (graph.profile, frozenset[str]())
    return keep_latest(ctx.memo.moves, key, lambda: Moves(shared_graph(ctx, key)))


def certificate(ctx: Context, graph: AttackGraph, closed: ClosedSet) -> ClosedSetCertificate:
    """The closed set and, for every door out of it, the reason the attacker cannot pass."""
    senders = 0
    for name in [u.key for u in graph.senders] + sorted(closed.hosts):
        senders |= graph.unit_atoms[name]
    entries = keep_latest(ctx.memo.entries, graph.profile, lambda: Entries(ctx, graph.profile))
    return ClosedSetCertificate(
        hosts=tuple(sorted(closed.hosts)),
        credentials=tuple(sorted(closed.credentials)),
        senders=graph.foothold_refs,
        boundary=entries.boundary(ctx, closed, graph.excluded, senders),
        excluded=tuple(sorted(graph.excluded)),
    )


class Entries:
    """Every door of a profile, and each boundary entry for it made once for the whole check.

    Certificates of one check list mostly the same moves for the same reasons: few entries
    are distinct, and copies of the rest would be held in the parent and in the memory a
    self-check child shares with it. A large model's boundary has hundreds of thousands of
    entries, once per proved policy: per door, the loop below only looks up
    what the door's accounts decide for this set's credentials (worked out once per
    distinct pair of account sets), and entries are kept by the door's position.
    """

    def __init__(self, ctx: Context, profile: AttackerProfile) -> None:
        graph = shared_graph(ctx, (profile, frozenset()))
        self.doors = all_doors(ctx, profile)
        self.hosts = [d.host for d in self.doors]
        # Login doors: the host's usable accounts and the accounts named in its `logins`, one
        # object per distinct pair (thousands of hosts share them), so boundary() keys on ids.
        same: dict[object, object] = {}
        self.logins: list[tuple[frozenset[str], frozenset[str]] | None] = []
        for d in self.doors:
            if d.move != "login":
                self.logins.append(None)
                continue
            usable = _interned(same, graph.login_credentials[d.host])
            named = _interned(same, ctx.principals.login_accounts(ctx.model.hosts[d.host]))
            self.logins.append(_interned(same, (usable, named)))
        self._refused: dict[tuple[int, BlockedReason, bool, tuple[RuleRef, ...]], Blocked] = {}
        self._denied: dict[tuple[int, tuple[RuleRef, ...]], Blocked] = {}
        self._cell_keys: dict[int, tuple[CellKey, ...]] = {}
        self._key_decider: tuple[int, Callable[[tuple[CellKey, ...]], tuple[RuleRef, ...]]] | None = None

    def boundary(
        self, ctx: Context, closed: ClosedSet, excluded: frozenset[str], senders: int
    ) -> tuple[Blocked, ...]:
        held, out = closed.credentials, closed.hosts | excluded
        reasons: dict[int, BlockedReason | None] = {}  # by id of a door's pair of account sets
        found: list[Blocked] = []
        for i, host in enumerate(self.hosts):
            if host in out:
                continue
            accounts = self.logins[i]
            reason = None
            if accounts is not None:
                if id(accounts) not in reasons:  # one object per distinct pair, kept by self.logins
                    reasons[id(accounts)] = _credential_reason(held, *accounts)
                reason = reasons[id(accounts)]
            found.append(
                self._packet(ctx, i, senders)
                if reason is None
                else self._refused_entry(ctx, i, senders, reason)
            )
        return tuple(found)

    def _keyed_rules(self, ctx: Context, i: int, senders: int) -> tuple[RuleRef, ...]:
        """The deciding rules of door i from `senders`, by the door's cell keys (kept per door)."""
        if self._key_decider is None or self._key_decider[0] != senders:
            self._key_decider = (senders, ctx.index.key_decider(senders))
        keys = self._cell_keys.get(i)
        if keys is None:
            door = self.doors[i]
            dst, svc = ctx.model.hosts[door.host].addresses, ctx.model.services[door.service].ports
            keys = self._cell_keys[i] = ctx.index.cell_keys(dst, svc)
        return self._key_decider[1](keys)

    def _packet(self, ctx: Context, i: int, senders: int) -> Blocked:
        rules = self._keyed_rules(ctx, i, senders)
        entry = self._denied.get((i, rules))
        if entry is None:
            door = self.doors[i]
            entry = self._denied[i, rules] = Blocked(
                door.move, door.host, door.service, "no-allowed-packet", rules, ("no-allowed-packet",)
            )
        return entry

    def _refused_entry(self, ctx: Context, i: int, senders: int, reason: BlockedReason) -> Blocked:
        """A login no held credential opens; when every packet to it is denied too, both walls."""
        # The door's opener atoms are memoized per door: one AND says whether a packet passes,
        # and the deciding rules are worked out only for the doors it does not.
        passes = bool(door_openers(ctx, self.doors[i]) & senders)
        rules = () if passes else self._keyed_rules(ctx, i, senders)
        entry = self._refused.get((i, reason, passes, rules))
        if entry is None:
            door = self.doors[i]
            walls: tuple[BlockedReason, ...] = (reason,) if passes else ("no-allowed-packet", reason)
            entry = self._refused[i, reason, passes, rules] = Blocked(
                door.move, door.host, door.service, reason, rules, walls
            )
        return entry


def _interned(same: dict[object, object], value: T) -> T:
    """`value`, or the equal object met first: equal sets become one object, and ids tell them apart."""
    return same.setdefault(value, value)  # type: ignore[return-value]


def _credential_reason(
    held: frozenset[str], usable: frozenset[str], named: frozenset[str]
) -> BlockedReason | None:
    """Why a login fails for want of a credential; None when a held one is usable."""
    if not usable.isdisjoint(held):
        return None
    # Held credentials that are named in `logins` but unusable can only be MFA-blocked ones.
    return "mfa" if not named.isdisjoint(held) else "no-usable-credential"
