"""Diff stage: hosts and credentials an attacker newly reaches, or no longer reaches, after a change.

The footholds are those of the attack policies on either side (and any given with --foothold),
each with the attacker profile its policy uses. Reach is the reference fixpoint (semantics/attack.py)
on each side; every gained host's path is replayed on AFTER before it is reported.
"""

from __future__ import annotations

from dataclasses import dataclass

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
from segverify.results import Hop, PathWitness
from segverify.semantics.attack import attack_for
from segverify.semantics.context import Semantics
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
    """Each (foothold, profile) an attack policy on either side uses, and the extra footholds."""
    found: dict[tuple[str, AttackerProfile], Probe] = {}
    for model in (before, after):
        for policy in model.policies:
            if isinstance(policy.spec, (IsolatedSpec, OnlyViaSpec, BlastRadiusSpec)):
                for fh in policy.spec.footholds:
                    profile = model.attacker_for(policy)
                    found.setdefault((foothold_text(fh), profile), (fh, profile))
    for fh in extra:
        found.setdefault((foothold_text(fh), after.defaults.attacker), (fh, after.defaults.attacker))
    return [found[k] for k in sorted(found, key=lambda k: (k[0], profile_text(k[1])))]


def _usable(sem: Semantics, fh: Foothold) -> bool:
    """A foothold one side cannot resolve reaches nothing there (it names what the other side added)."""
    if isinstance(fh, AccountFoothold) and fh.account not in sem.model.principals:
        return False
    ref = fh.ref if isinstance(fh, RefFoothold) else fh.at
    return sem.resolver.is_known(ref.text)


def _probe_policy(fh: Foothold, profile: AttackerProfile) -> Policy:
    return Policy(id="diff", kind="blast_radius", spec=BlastRadiusSpec((fh,), 0), attacker=profile)


def reach_diff(
    before: Semantics, after: Semantics, found: list[Probe]
) -> tuple[tuple[ReachChange, ...], tuple[ReachChange, ...]]:
    """(gained, lost) over every probe, sorted by foothold, profile, then host or credential."""
    gained: list[ReachChange] = []
    lost: list[ReachChange] = []
    for fh, profile in found:
        # One Semantics per side: every probe shares its resolver, flow table and principals.
        old = attack_for(before.model, _probe_policy(fh, profile), before) if _usable(before, fh) else None
        new = attack_for(after.model, _probe_policy(fh, profile), after) if _usable(after, fh) else None
        label = (foothold_text(fh), profile_text(profile))
        old_hosts, new_hosts = (a.controlled if a else frozenset() for a in (old, new))
        old_creds, new_creds = (a.held if a else frozenset() for a in (old, new))
        for host in sorted(new_hosts - old_hosts):
            assert new is not None
            gained.append(
                ReachChange(*label, host=host, witness=_replayed(after, fh, profile, host, new.path_to(host)))
            )
        gained += [ReachChange(*label, credential=c) for c in sorted(new_creds - old_creds)]
        lost += [ReachChange(*label, host=h) for h in sorted(old_hosts - new_hosts)]
        lost += [ReachChange(*label, credential=c) for c in sorted(old_creds - new_creds)]
    return tuple(gained), tuple(lost)


def _replayed(
    sem: Semantics, fh: Foothold, profile: AttackerProfile, host: str, path: tuple[Hop, ...]
) -> tuple[Hop, ...]:
    probe = Policy(id="diff", kind="isolated", spec=IsolatedSpec((fh,), (Ref(host),)), attacker=profile)
    problems = check_witness(sem.model, probe, PathWitness(host, path), sem)
    if problems:
        raise InternalError(f"self-check failed for a gained path to {host}: " + "; ".join(problems))
    return path
