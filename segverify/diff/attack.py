"""Diff stage: hosts and credentials an attacker newly reaches, or no longer reaches, after a change.

The footholds are those of the attack policies on either side (and any given with --foothold),
each under every attacker profile those policies use. Each side's reach is the engine's least
closed set, confirmed by the reference on both bounds before it is compared (reach_of).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from segverify.analyses.attack_policies import check_blast_radius
from segverify.analyses.base import proved
from segverify.analyses.crosscheck import self_check
from segverify.diff.reuse import Change
from segverify.encode.check import CheckContext
from segverify.engine.certificate import ClosedSet, certificate
from segverify.engine.edges import build_graph
from segverify.errors import InternalError
from segverify.model.ir import (
    AccountFoothold,
    AttackerProfile,
    BlastRadiusSpec,
    Foothold,
    IsolatedSpec,
    Model,
    OnlyViaSpec,
    Policy,
    Ref,
    RefFoothold,
)
from segverify.results import BlastWitness, ClosedSetCertificate, Hop, PathWitness, Report, Status
from segverify.semantics.attack import attack_for
from segverify.semantics.context import Semantics
from segverify.semantics.moves import foothold_accounts
from segverify.semantics.verify import check_witness

Probe = tuple[Foothold, AttackerProfile]


@dataclass(frozen=True, slots=True)
class ReachChange:
    foothold: str
    profile: str
    host: str | None = None  # a host, or
    credential: str | None = None  # a credential
    witness: tuple[Hop, ...] = ()  # gained hosts: the attack path in AFTER


def foothold_text(fh: Foothold) -> str:
    return fh.ref.text if isinstance(fh, RefFoothold) else f"{fh.account}@{fh.at.text}"


def profile_text(p: AttackerProfile) -> str:
    extras = [
        name for name, on in (("mfa_bypass", p.mfa_bypass), ("credential_theft", p.credential_theft)) if on
    ]
    return "+".join([f"exploits:{p.exploits}", *extras])


def probes(before: Model, after: Model, extra: tuple[Foothold, ...] = ()) -> list[Probe]:
    """Every foothold of an attack policy on either side (and the extra ones), each with every
    attacker profile those policies use (AFTER's default profile when none does)."""
    footholds: dict[str, Foothold] = {}
    profiles: dict[str, AttackerProfile] = {}
    for model in (before, after):
        for policy in model.policies:
            if isinstance(policy.spec, (IsolatedSpec, OnlyViaSpec, BlastRadiusSpec)):
                footholds.update((foothold_text(fh), fh) for fh in policy.spec.footholds)
                profile = model.attacker_for(policy)
                profiles[profile_text(profile)] = profile
    footholds.update((foothold_text(fh), fh) for fh in extra)
    if not profiles:
        profiles[profile_text(after.defaults.attacker)] = after.defaults.attacker
    # Profile by profile, as check orders its policies: the engine keeps one profile's clauses
    # and boundary tables at a time (engine/memo.py), so alternating profiles rebuilds them.
    return [(footholds[f], profiles[p]) for p in sorted(profiles) for f in sorted(footholds)]


def _usable(sem: Semantics, fh: Foothold) -> bool:
    """A foothold one side cannot resolve reaches nothing there (it names what the other side added)."""
    if isinstance(fh, AccountFoothold) and fh.account not in sem.model.principals:
        return False
    ref = fh.ref if isinstance(fh, RefFoothold) else fh.at
    return sem.resolver.is_known(ref.text)


def _probe_policy(fh: Foothold, profile: AttackerProfile, max_hosts: int) -> Policy:
    return Policy(id="diff", kind="blast_radius", spec=BlastRadiusSpec((fh,), max_hosts), attacker=profile)


@dataclass(frozen=True, slots=True)
class Closed:
    """A closed set of BEFORE the reference confirmed (a proved policy's certificate, no via hosts)."""

    hosts: tuple[str, ...]
    credentials: tuple[str, ...]
    footholds: tuple[Foothold, ...]  # the footholds it is closed from
    profile: AttackerProfile

    def holds(self, change: Change, fh: Foothold, profile: AttackerProfile) -> bool:
        """The probe's fixpoint lies in this set and the change cannot alter it (diff/reuse.py).

        The set is closed for the probe too when it holds the foothold's items and the foothold
        sends from no address the set's footholds and hosts do not (`Change.covers`): the
        probe's moves are among the set's own. A set closed under a profile is closed under any
        weaker one (`weaker`: each of its moves is a move of the stronger profile too)."""
        if not weaker(profile, self.profile):
            return False
        if not change.covers(self.hosts, self.credentials, self.footholds, fh):
            return False
        return change.closed_unaffected(self.hosts, self.credentials, (fh,), profile)


EXPLOITS = ("none", "declared", "exposed")  # each exploits what the one before does, and more


def weaker(p: AttackerProfile, q: AttackerProfile) -> bool:
    """Every move p allows, q allows: exploits no wider, MFA and credential theft only where q has them."""
    return (
        EXPLOITS.index(p.exploits) <= EXPLOITS.index(q.exploits)
        and q.mfa_bypass >= p.mfa_bypass
        and q.credential_theft >= p.credential_theft
    )


def _strength(p: AttackerProfile) -> tuple[int, bool, bool]:
    """Ordered so that a profile weaker than another (`weaker`) never sorts above it."""
    return (EXPLOITS.index(p.exploits), p.mfa_bypass, p.credential_theft)


def closed_sets(model: Model, report: Report) -> list[Closed]:
    """The closed sets of the proved isolated and blast_radius policies of a checked model."""
    results = {r.id: r for r in report.results}
    out = []
    for policy in model.policies:
        result = results.get(policy.id)
        spec = policy.spec
        if result is None or result.status != Status.PROVED or policy.resilient is not None:
            continue
        cert = result.certificate
        if isinstance(spec, IsolatedSpec | BlastRadiusSpec) and isinstance(cert, ClosedSetCertificate):
            if not cert.excluded:
                out.append(Closed(cert.hosts, cert.credentials, spec.footholds, model.attacker_for(policy)))
    return out


@dataclass(frozen=True, slots=True)
class Reach:
    """One side's exact reach from one probe: hosts (each with its replayed path) and credentials."""

    paths: dict[str, tuple[Hop, ...]]
    credentials: frozenset[str]


@dataclass(frozen=True, slots=True)
class Side:
    """A version as the reach comparison needs it: the engine's context and the reference's tables."""

    ctx: CheckContext
    sem: Semantics


def reach_diff(
    before: Side | Callable[[], Side],
    after: Side | Callable[[], Side],
    found: list[Probe],
    change: Change | None = None,
    closed: Sequence[Closed] = (),
) -> tuple[tuple[ReachChange, ...], tuple[ReachChange, ...]]:
    """(gained, lost) over every probe, sorted by foothold, profile, then host or credential.

    Without `change`, every probe is run on both sides. With it (a change of rules alone,
    diff/reuse.py), a probe is skipped when no changed packet is one a move could use, or when
    a closed set of BEFORE the change cannot leave holds its foothold (`closed`: proved
    policies' certificates; and the confirmed reach of a probe already run, from the same
    foothold under the same or a stronger profile: those run first); and AFTER's run is skipped
    when BEFORE's confirmed reach is such a set: the fixpoint is then the same on both sides
    (fact 2 of diff/reuse.py). Sides given as functions are built only when a probe runs."""
    sides: dict[int, Side] = {}

    def side(i: int) -> Side:
        if i not in sides:
            given = (before, after)[i]
            sides[i] = given if isinstance(given, Side) else given()
        return sides[i]

    gained: list[ReachChange] = []
    lost: list[ReachChange] = []
    covers = list(closed)
    if change is not None:  # stronger profiles and wider footholds first: their reach covers others'
        found = sorted(found, key=lambda probe: (_strength(probe[1]), change.width(probe[0])), reverse=True)
    for fh, profile in found:
        if change is not None and (
            change.moves_unchanged(profile) or any(c.holds(change, fh, profile) for c in covers)
        ):
            continue
        old = reach_of(side(0), fh, profile)
        if change is not None:
            covers.append(Closed(tuple(old.paths), tuple(old.credentials), (fh,), profile))
            if change.closed_unaffected(old.paths, old.credentials, (fh,), profile, True):
                continue  # AFTER's reach is BEFORE's: nothing gained or lost
        new = reach_of(side(1), fh, profile)
        label = (foothold_text(fh), profile_text(profile))
        gained += [
            ReachChange(*label, host=h, witness=new.paths[h]) for h in sorted(new.paths.keys() - old.paths)
        ]
        gained += [ReachChange(*label, credential=c) for c in sorted(new.credentials - old.credentials)]
        lost += [ReachChange(*label, host=h) for h in sorted(old.paths.keys() - new.paths)]
        lost += [ReachChange(*label, credential=c) for c in sorted(old.credentials - new.credentials)]
    return tuple(sorted(gained, key=_reach_order)), tuple(sorted(lost, key=_reach_order))


def _reach_order(r: ReachChange) -> tuple[str, str, int, str]:
    """Reported by foothold, profile, then hosts before credentials, by name."""
    return (r.foothold, r.profile, r.host is None, r.host or r.credential or "")


def reach_of(side: Side, fh: Foothold, profile: AttackerProfile) -> Reach:
    """Exactly what the attacker takes: the engine's least set, confirmed by the reference on both
    bounds (every controlled host's path replayed: nothing less; the set's closure certificate
    re-derived: nothing more). When the solver gives up, the reference fixpoint answers alone."""
    if not _usable(side.sem, fh):
        return Reach({}, frozenset())
    model = side.sem.model
    listing = _probe_policy(fh, profile, 0)
    listed = check_blast_radius(side.ctx, listing)  # violated: every controlled host, with its path
    if listed.status == Status.UNKNOWN:
        return _reference_reach(side.sem, fh, profile)
    paths: dict[str, tuple[Hop, ...]] = {}
    if isinstance(listed.witness, BlastWitness):
        self_check(model, listing, listed, True, side.sem)
        paths = {c.host: c.path for c in listed.witness.hosts}
    credentials = _harvested(side.sem, fh, profile, paths)
    bound = listed  # no host controlled: the verdict is already proved, with its closed set
    if listed.status == Status.VIOLATED:
        graph = build_graph(side.ctx, (fh,), profile, frozenset())
        bound = proved(certificate(side.ctx, graph, ClosedSet(frozenset(paths), credentials)))
    closed = bound.certificate
    if not isinstance(closed, ClosedSetCertificate) or set(closed.hosts) != set(paths):
        raise InternalError(f"self-check failed for the reach of {foothold_text(fh)}: no closed set")
    if frozenset(closed.credentials) != credentials:
        raise InternalError(f"self-check failed for the reach of {foothold_text(fh)}: the credentials differ")
    self_check(model, _probe_policy(fh, profile, len(model.hosts) + 1), bound, True, side.sem)
    return Reach(paths, credentials)


def _harvested(
    sem: Semantics, fh: Foothold, profile: AttackerProfile, hosts: Iterable[str]
) -> frozenset[str]:
    """The foothold's credentials and those the controlled hosts give up: the certificate's must be these."""
    held = set(foothold_accounts(sem.principals, fh)) if isinstance(fh, AccountFoothold) else set()
    if profile.credential_theft:
        for host in hosts:
            held |= sem.principals.session_accounts(sem.model.hosts[host])
    return frozenset(held)


def _reference_reach(sem: Semantics, fh: Foothold, profile: AttackerProfile) -> Reach:
    attack = attack_for(sem.model, _probe_policy(fh, profile, 0), sem)
    paths = {h: _replayed(sem, fh, profile, h, attack.path_to(h)) for h in sorted(attack.controlled)}
    return Reach(paths, attack.held)


def _replayed(
    sem: Semantics, fh: Foothold, profile: AttackerProfile, host: str, path: tuple[Hop, ...]
) -> tuple[Hop, ...]:
    probe = Policy(id="diff", kind="isolated", spec=IsolatedSpec((fh,), (Ref(host),)), attacker=profile)
    problems = check_witness(sem.model, probe, PathWitness(host, path), sem)
    if problems:
        raise InternalError(f"self-check failed for a gained path to {host}: " + "; ".join(problems))
    return path
