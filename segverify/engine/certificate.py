"""Engine stage: closed-set certificates: the closed set and why every door out of it is shut."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from segverify.engine.atoms import CellKey
from segverify.engine.edges import AttackGraph, Context, all_doors, door_openers, shared_graph
from segverify.engine.memo import keep_latest
from segverify.model.ir import AttackerProfile
from segverify.results import Blocked, BlockedReason, ClosedSetCertificate, RuleRef

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class ClosedSet:
    hosts: frozenset[str]
    credentials: frozenset[str]


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

    Certificates of one check list mostly the same moves for the same reasons: at 25,600
    hosts, 976,811 entries held 56,804 distinct ones. At 100,000 hosts the copies took
    ~700 MB, in the parent and in the memory a self-check child shares with it. A boundary
    is ~175,000 entries there, 26 times per check: per door, the loop below only looks up
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
        # Entries by door position and the id of an interned tuple of rules (ints hash fast;
        # tuples of RuleRefs hash through a Python method, once per rule, for every door).
        self._refused: dict[tuple[int, BlockedReason, bool, int], Blocked] = {}
        self._denied: dict[tuple[int, int], Blocked] = {}
        self._rules: dict[tuple[RuleRef, ...], tuple[RuleRef, ...]] = {(): ()}  # each distinct tuple once
        # Doors meet few distinct tuples of cell keys: each door's is numbered once, and the
        # deciding rules are worked out once per number for the senders of the boundary at hand.
        self._class: list[int] = [-1] * len(self.doors)
        self._classes: dict[tuple[CellKey, ...], int] = {}
        self._class_keys: list[tuple[CellKey, ...]] = []
        self._openers: list[int | None] = [None] * len(self.doors)
        self._senders: int | None = None
        self._decide: Callable[[tuple[CellKey, ...]], tuple[RuleRef, ...]] | None = None
        self._class_rules: dict[int, tuple[RuleRef, ...]] = {}

    def boundary(
        self, ctx: Context, closed: ClosedSet, excluded: frozenset[str], senders: int
    ) -> tuple[Blocked, ...]:
        held, out = closed.credentials, closed.hosts | excluded
        if self._senders is None or self._senders != senders:
            self._senders, self._decide, self._class_rules = senders, ctx.index.key_decider(senders), {}
        reasons: dict[int, BlockedReason | None] = {}  # by id of a door's pair of account sets
        found: list[Blocked] = []
        logins = self.logins
        for i, host in enumerate(self.hosts):
            if host in out:
                continue
            accounts = logins[i]
            if accounts is None:
                found.append(self._packet(ctx, i))
                continue
            key = id(accounts)  # one object per distinct pair, kept by self.logins
            if key in reasons:
                reason = reasons[key]
            else:
                reason = reasons[key] = _credential_reason(held, *accounts)
            if reason is None:
                found.append(self._packet(ctx, i))
            else:
                found.append(self._refused_entry(ctx, i, senders, reason))
        return tuple(found)

    def _keyed_rules(self, ctx: Context, i: int) -> tuple[RuleRef, ...]:
        """The deciding rules of door i from the current senders (one interned tuple per answer)."""
        c = self._class[i]
        if c < 0:
            door = self.doors[i]
            dst, svc = ctx.model.hosts[door.host].addresses, ctx.model.services[door.service].ports
            keys = ctx.index.cell_keys(dst, svc)
            c = self._class[i] = self._classes.setdefault(keys, len(self._classes))
            if c == len(self._class_keys):
                self._class_keys.append(keys)
        rules = self._class_rules.get(c)
        if rules is None:
            assert self._decide is not None  # set by boundary() before any door
            decided = self._decide(self._class_keys[c])
            rules = self._class_rules[c] = self._rules.setdefault(decided, decided)
        return rules

    def _packet(self, ctx: Context, i: int) -> Blocked:
        rules = self._keyed_rules(ctx, i)
        entry = self._denied.get((i, id(rules)))
        if entry is None:
            door = self.doors[i]
            entry = self._denied[i, id(rules)] = Blocked(
                door.move, door.host, door.service, "no-allowed-packet", rules, ("no-allowed-packet",)
            )
        return entry

    def _refused_entry(self, ctx: Context, i: int, senders: int, reason: BlockedReason) -> Blocked:
        """A login no held credential opens; when every packet to it is denied too, both walls."""
        # The door's opener atoms are kept per door: one AND says whether a packet passes,
        # and the deciding rules are worked out only for the doors it does not.
        openers = self._openers[i]
        if openers is None:
            openers = self._openers[i] = door_openers(ctx, self.doors[i])
        passes = bool(openers & senders)
        rules = self._rules[()] if passes else self._keyed_rules(ctx, i)
        entry = self._refused.get((i, reason, passes, id(rules)))
        if entry is None:
            door = self.doors[i]
            walls: tuple[BlockedReason, ...] = (reason,) if passes else ("no-allowed-packet", reason)
            entry = self._refused[i, reason, passes, id(rules)] = Blocked(
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
