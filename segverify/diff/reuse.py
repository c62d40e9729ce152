"""Diff stage: what of BEFORE's results the diff keeps for AFTER, and why that is sound.

Reuse applies only to a change of rules alone (`change_of`): every definition but the rules is
the same on both sides (zones, services, hosts, accounts, groups, defaults and the attacker
profile, compared as `changes.py` compares them, positions aside), and neither side has layers.
Then the two sides differ only in the decisions of the changed packets, which the packet diff
computes exactly (`Change.boxes`: every packet whose action differs lies in one box, no other
packet does). Everything below rests on that and on two facts of the semantics:

1. A packet policy (reachable, no_flow, matrix) is decided by its regions, which depend on the
   definitions alone, and by the action of each packet in them. When no changed packet lies in
   any of its regions, AFTER decides every one of those packets as BEFORE does: the verdict is
   BEFORE's, and so are the failing packets. separate_accounts reads no packet at all.
2. The attacker's moves read packets only through logins and exploits: an allowed packet from
   an address the attacker sends from (a foothold's, or a controlled host's) to an address of a
   host h, on a port of a service that takes h: one exploitable under the profile, or a login
   service of h with a credential the attacker holds, may use on h and can replay under the
   profile (semantics/moves.py, attack.py). Let S (hosts and credentials) be closed under
   BEFORE's moves from the footholds: it holds the foothold's items and no move from it leads
   outside; the reference checked so. Call a changed packet *harmless* for S when its source is
   not an address S's hosts or the footholds send from, or when its port takes no host at its
   destination: a host outside S neither by an exploit nor by a login with a usable credential
   of S, a host inside S by no exploit or login at all (`Change.closed_unaffected`). When every
   changed packet is harmless, then for every X inside S the moves from X are the same on both
   sides: a changed packet from X's addresses takes no host with X's credentials (S's at most),
   on either side, and every other packet is decided alike. So S is closed under AFTER's moves
   too, both least fixpoints lie in S (each is the least closed set), and the rounds that build
   them from the footholds stay in S and are equal round by round: the same hosts and
   credentials on both sides.
   When S is BEFORE's least fixpoint itself (confirmed by the reference on both bounds,
   diff/attack.reach_of), a changed packet that opens (deny to allow) a way into a host of S is
   harmless too: AFTER's moves from any X inside S are BEFORE's plus moves into S, so S is
   closed under AFTER's moves (AFTER's fixpoint lies in S) and AFTER's rounds contain BEFORE's
   (BEFORE's fixpoint, S, lies in AFTER's): equal again.
   For a reach probe, S is BEFORE's least fixpoint from its foothold, or a set closed from
   other footholds (a proved policy's certificate without via hosts, or another probe's
   confirmed reach) under the probe's profile or a stronger one, that holds the foothold's
   items (its hosts, or its account's credentials) and whose footholds and hosts send from
   every address the foothold sends from (`Change.covers`): each move of the probe's attacker
   from inside S is then a move of the set's own, so S is closed for the probe too.
   With no changed packet that could take any host at all (`Change.moves_unchanged`), S may
   be every host and credential: nothing is run.

What is kept, policy by policy (`carried`), for a policy with the same kind, spec and attacker
profile on both sides and no `resilient`:

- proved attack policy: its certificate's closed set S as above. Its fixpoint on AFTER is the
  same as on BEFORE, so the targets stay unreached (isolated, only_via) or the count stays
  within max_hosts (blast_radius): proved, with BEFORE's certificate.
- proved or violated packet policy, proved separate_accounts: fact 1.
- violated attack policy or separate_accounts: the witness, its rule references read again by
  first match on AFTER, must replay on AFTER (semantics/verify.check_witness): it then shows the
  violation on AFTER. Kept only when BEFORE reported it violated, or waived by a waiver AFTER
  has too (waivers are applied afterwards, on the same date): AFTER is then violated or waived,
  and waived again when BEFORE was, so the policy did not regress; the diff prints a witness
  only for a regressed policy, which is always decided afresh. (A kept witness lists the targets or hosts
  BEFORE's fixpoint reached; AFTER's may reach more: only the status is compared.)

Anything else (unknown, waived in BEFORE, resilient, a spec or profile that changed, a changed
packet in the way) is decided on AFTER as `check` decides it. tests/diff/test_diff_reuse.py
holds the reusing diff equal to the full one (both sides checked, every probe run) on random
pairs of models.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from segverify.analyses.base import Verdict, proved, violated
from segverify.analyses.waivers import waiver_index
from segverify.diff.changes import ModelChanges
from segverify.diff.groups import PacketDiff
from segverify.kinds import KINDS
from segverify.kinds.common import AttackKind, RegionKind
from segverify.model.intervals import IntervalSet, union_all
from segverify.model.ir import (
    AccountFoothold,
    AttackerProfile,
    BlastRadiusSpec,
    Foothold,
    Host,
    IsolatedSpec,
    Model,
    OnlyViaSpec,
    Policy,
    RefFoothold,
)
from segverify.results import (
    AccountsWitness,
    BlastWitness,
    Certificate,
    ClosedSetCertificate,
    ControlledHost,
    Hop,
    MatrixWitness,
    PacketWitness,
    PathWitness,
    Report,
    Status,
    Witness,
)
from segverify.semantics.context import Semantics
from segverify.semantics.moves import (
    attack_services,
    exploitable,
    foothold_accounts,
    foothold_text,
    is_login,
    usable,
)
from segverify.semantics.verify import check_witness

Box = tuple[IntervalSet, IntervalSet, IntervalSet]
Reuse = Callable[[Policy], Verdict | None]


@dataclass(frozen=True, slots=True)
class Change:
    """A change of rules alone: its changed packets (exact, as boxes) and AFTER's tables."""

    boxes: tuple[Box, ...]
    opened: tuple[bool, ...]  # per box: deny before, allow after
    sem: Semantics  # AFTER's reference tables (the definitions are BEFORE's too)
    _sources: dict[AttackerProfile, IntervalSet] = field(default_factory=dict, compare=False)

    def touches(self, src: IntervalSet, dst: IntervalSet, svc: IntervalSet) -> bool:
        return any(s.intersects(src) and d.intersects(dst) and v.intersects(svc) for s, d, v in self.boxes)

    def moves_unchanged(self, profile: AttackerProfile) -> bool:
        """No changed packet is one a login or an exploit could use: the moves are the same on
        both sides, from anywhere, so is every fixpoint under `profile` (fact 2, S = all)."""
        return not self.attack_sources(profile)

    def attack_sources(self, profile: AttackerProfile) -> IntervalSet:
        """Sources of the changed packets a login or an exploit could use under `profile` (a superset)."""
        if profile not in self._sources:
            self._sources[profile] = self._attack_sources(profile)
        return self._sources[profile]

    def _attack_sources(self, profile: AttackerProfile) -> IntervalSet:
        model, found = self.sem.model, []
        for src, dst, svc in self.boxes:
            for host in model.hosts.values():
                if not host.addresses.intersects(dst):
                    continue
                ports = union_all(model.services[s].ports for s in attack_services(model, profile, host))
                if ports.intersects(svc):
                    found.append(src)
                    break
        return union_all(found)

    def senders(self, hosts: Iterable[str], footholds: Iterable[Foothold]) -> IntervalSet | None:
        """The addresses the hosts and the footholds send from (None: a foothold AFTER cannot resolve)."""
        resolver, model = self.sem.resolver, self.sem.model
        texts = [foothold_text(fh) for fh in footholds]
        if not all(resolver.is_known(t) for t in texts):
            return None
        hosts_at = [model.hosts[h].addresses for h in hosts]
        return union_all([*hosts_at, *(resolver.addresses(t) for t in texts)])

    def covers(
        self, hosts: Iterable[str], credentials: Iterable[str], footholds: Iterable[Foothold], fh: Foothold
    ) -> bool:
        """A set closed from `footholds` is closed from `fh` too: it holds fh's items (its hosts, or
        its account's credentials) and fh sends from no address the footholds and hosts do not."""
        model, resolver = self.sem.model, self.sem.resolver
        if isinstance(fh, AccountFoothold):
            if fh.account not in model.principals:
                return False
            items_in = foothold_accounts(self.sem.principals, fh) <= frozenset(credentials)
        else:
            items_in = resolver.is_known(fh.ref.text) and resolver.hosts(fh.ref) <= frozenset(hosts)
        senders, own = self.senders(hosts, footholds), self.senders((), (fh,))
        return items_in and senders is not None and own is not None and own.issubset(senders)

    def width(self, fh: Foothold) -> tuple[bool, int]:
        """Ref footholds before account footholds, then by how many addresses they send from."""
        text = foothold_text(fh)
        size = self.sem.resolver.addresses(text).size() if self.sem.resolver.is_known(text) else 0
        return (isinstance(fh, RefFoothold), size)

    def closed_unaffected(
        self,
        hosts: Iterable[str],
        credentials: Iterable[str],
        footholds: Iterable[Foothold],
        profile: AttackerProfile,
        least: bool = False,
    ) -> bool:
        """Every changed packet is harmless for this closed set of BEFORE (the module's fact 2);
        `least`: the set is BEFORE's least fixpoint, so openings into it are harmless too."""
        if not self.attack_sources(profile):
            return True
        inside, held = frozenset(hosts), frozenset(credentials)
        senders = self.senders(inside, footholds)
        if senders is None:
            return False
        for (src, dst, svc), opened in zip(self.boxes, self.opened, strict=True):
            if not src.intersects(senders):
                continue
            for host in self.sem.model.hosts.values():
                if not host.addresses.intersects(dst):
                    continue
                if host.name in inside:
                    if not (least and opened) and self._takes(host, svc, None, profile):
                        return False
                elif self._takes(host, svc, held, profile):
                    return False
        return True

    def _takes(
        self, host: Host, svc: IntervalSet, held: frozenset[str] | None, profile: AttackerProfile
    ) -> bool:
        """Some port of `svc` could take the host: an exploit, or a login (with a usable credential
        of `held` that may log in there; None: with any credential)."""
        model, principals = self.sem.model, self.sem.principals
        for name in attack_services(model, profile, host):
            if not model.services[name].ports.intersects(svc):
                continue
            if exploitable(profile, host, name) or held is None:
                return True
            if is_login(model, name) and any(
                usable(principals, profile, a) for a in principals.login_accounts(host) & held
            ):
                return True
        return False


def change_of(after: Model, packets: PacketDiff, changes: ModelChanges, sem: Semantics) -> Change | None:
    """The change, when it is of rules alone and neither side has layers; else None (no reuse)."""
    definitions = (*changes.added, *changes.removed, *changes.changed)
    if after.layers or any(d.kind != "rule" for d in definitions):
        return None
    groups = packets.groups()
    return Change(
        tuple((g.src, g.dst, g.svc) for g in groups), tuple(g.direction == "opened" for g in groups), sem
    )


def _plain(value: object) -> object:
    """A value without source positions, for comparing a policy across versions."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return (type(value).__name__,) + tuple(
            _plain(getattr(value, f.name)) for f in dataclasses.fields(value) if f.name != "span"
        )
    if isinstance(value, tuple):
        return tuple(_plain(v) for v in value)
    return value


def carried(before: Model, report: Report, change: Change, certificates: bool) -> Reuse:
    """The AFTER verdict kept from BEFORE's check, or None to decide it afresh (see the module doc).

    `certificates`: BEFORE's certificates were re-derived by the reference (check's default);
    without that, no closed set of BEFORE is relied on."""
    return Carried(before, report, change, certificates).verdict


class Carried:
    """The verdicts kept for AFTER's policies.

    A violating packet is any one Z3 finds, and which one depends on the packet queries asked
    before in the check's context: packet policies are decided first, by id (api.check's order),
    each after every packet policy before it. So that a packet policy decided afresh gets the
    witness a full check gives it, every packet policy before it is decided afresh too; only
    those after the last one decided afresh are kept. (Attack witnesses are the engine's,
    whatever was asked before.)"""

    def __init__(self, before: Model, report: Report, change: Change, certificates: bool) -> None:
        self.before, self.change, self.certificates = before, change, certificates
        self.policies = {p.id: p for p in before.policies}
        self.results = {r.id: r for r in report.results}
        packet = sorted(
            (p for p in change.sem.model.policies if isinstance(KINDS[p.kind], RegionKind)),
            key=lambda p: p.id,
        )
        self.kept = {p.id: self._kept(p) for p in packet}
        fresh = [i for i, p in enumerate(packet) if self.kept[p.id] is None]
        for p in packet[: fresh[-1] if fresh else 0]:
            self.kept[p.id] = None

    def verdict(self, policy: Policy) -> Verdict | None:
        if policy.id in self.kept:
            return self.kept[policy.id]
        return self._kept(policy)

    def _kept(self, policy: Policy) -> Verdict | None:
        old, result = self.policies.get(policy.id), self.results.get(policy.id)
        if old is None or result is None or not self._same(old, policy):
            return None
        record = KINDS[policy.kind]
        if isinstance(record, RegionKind):
            if any(self.change.touches(q.src, q.dst, q.svc) for q in record.queries(self.change.sem, policy)):
                return None  # fact 1 needs the regions clear of the change
        elif result.status == Status.PROVED and isinstance(record, AttackKind):
            return self._closed(policy, result.certificate)
        if result.status == Status.PROVED and result.certificate is not None:
            return proved(result.certificate)  # a packet policy clear of the change, separate_accounts
        waived = result.status == Status.WAIVED and self._same_waiver(policy.id)
        if (result.status != Status.VIOLATED and not waived) or result.witness is None:
            return None  # unknown, waived by a waiver AFTER changes, or a violation without a witness
        witness = rebased(self.change.sem, result.witness)
        if witness is None or check_witness(self.change.sem.model, policy, witness, self.change.sem):
            return None
        return violated(witness)

    def _same_waiver(self, policy: str) -> bool:
        """The policy's waiver (the one that counts) is the same on both sides, positions aside."""
        old = waiver_index(self.before.waivers).get(policy)
        new = waiver_index(self.change.sem.model.waivers).get(policy)
        return _plain(old) == _plain(new)

    def _same(self, old: Policy, new: Policy) -> bool:
        if old.resilient is not None or new.resilient is not None:
            return False
        if (old.kind, _plain(old.spec)) != (new.kind, _plain(new.spec)):
            return False
        return self.before.attacker_for(old) == self.change.sem.model.attacker_for(new)

    def _closed(self, policy: Policy, cert: Certificate | None) -> Verdict | None:
        """A proved attack policy whose closed set the change cannot leave (fact 2)."""
        spec = policy.spec
        assert isinstance(spec, IsolatedSpec | OnlyViaSpec | BlastRadiusSpec)
        if not self.certificates or not isinstance(cert, ClosedSetCertificate):
            return None
        profile = self.change.sem.model.attacker_for(policy)
        kept = self.change.closed_unaffected(cert.hosts, cert.credentials, spec.footholds, profile)
        return proved(cert) if kept else None


def rebased(sem: Semantics, witness: Witness) -> Witness | None:
    """The witness with every rule reference read again by first match on `sem`'s model
    (rules move when others are added); None for a kind of witness not carried."""
    if isinstance(witness, PacketWitness):
        return PacketWitness(witness.packet, sem.table.decide(witness.packet))
    if isinstance(witness, MatrixWitness):
        pairs = (dataclasses.replace(p, rule=sem.table.decide(p.packet)) for p in witness.pairs)
        return MatrixWitness(tuple(pairs))
    if isinstance(witness, PathWitness):
        return dataclasses.replace(
            witness,
            path=_hops(sem, witness.path),
            paths=tuple(ControlledHost(c.host, _hops(sem, c.path)) for c in witness.paths),
            support=_hops(sem, witness.support),
        )
    if isinstance(witness, BlastWitness):
        hosts = tuple(ControlledHost(c.host, _hops(sem, c.path)) for c in witness.hosts)
        return BlastWitness(hosts, witness.max_hosts)
    if isinstance(witness, AccountsWitness):
        return witness
    return None


def _hops(sem: Semantics, hops: tuple[Hop, ...]) -> tuple[Hop, ...]:
    return tuple(
        h if h.packet is None or h.rule is None else dataclasses.replace(h, rule=sem.table.decide(h.packet))
        for h in hops
    )
