"""Semantics stage: what a policy's attacker starts from and which services each move may use."""

from __future__ import annotations

from dataclasses import dataclass

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
from segverify.model.principals import Principals
from segverify.model.refs import Resolver


@dataclass(frozen=True, slots=True)
class Setup:
    """One attack question: footholds, targets, the via hosts the attacker cannot use, the profile."""

    footholds: tuple[Foothold, ...]
    targets: frozenset[str]
    via: frozenset[str]
    via_addrs: IntervalSet
    profile: AttackerProfile


def setup_for(model: Model, resolver: Resolver, policy: Policy) -> Setup:
    """isolated, only_via and blast_radius as one shape; other kinds have no attacker."""
    spec, profile = policy.spec, model.attacker_for(policy)
    if isinstance(spec, IsolatedSpec):
        return Setup(spec.footholds, resolver.hosts_of(spec.to), frozenset(), IntervalSet(), profile)
    if isinstance(spec, OnlyViaSpec):
        via = resolver.hosts_of(spec.via)
        via_addrs = union_all(model.hosts[h].addresses for h in via)
        return Setup(spec.footholds, resolver.hosts_of(spec.to) - via, via, via_addrs, profile)
    if isinstance(spec, BlastRadiusSpec):
        return Setup(spec.footholds, frozenset(), frozenset(), IntervalSet(), profile)
    raise TypeError(f"policy {policy.id} ({policy.kind}) has no attacker")


def foothold_text(fh: Foothold) -> str:
    """The reference a foothold sends from: the reference itself, or an account foothold's `at`."""
    return fh.ref.text if isinstance(fh, RefFoothold) else fh.at.text


def foothold_accounts(principals: Principals, fh: AccountFoothold) -> frozenset[str]:
    """The credentials an account foothold holds (a group name stands for its member accounts)."""
    return principals.accounts_of(fh.account)


def sender_set(resolver: Resolver, setup: Setup, text: str) -> IntervalSet:
    """Addresses a foothold reference sends from; only_via removes the via hosts' addresses."""
    return resolver.addresses(text).difference(setup.via_addrs)


def host_senders(host: Host, setup: Setup) -> IntervalSet:
    return host.addresses.difference(setup.via_addrs)


def exploitable(profile: AttackerProfile, host: Host, service: str) -> bool:
    """The profile decides which offered services an exploit may use."""
    if service not in host.services:
        return False
    if profile.exploits == "exposed":
        return True
    return profile.exploits == "declared" and service in host.vulnerable


def is_login(model: Model, service: str) -> bool:
    svc = model.services.get(service)
    return bool(svc and svc.login)


def attack_services(model: Model, profile: AttackerProfile, host: Host) -> tuple[str, ...]:
    """The offered services through which a login or an exploit could take the host (sorted)."""
    return tuple(sorted(s for s in set(host.services) if is_login(model, s) or exploitable(profile, host, s)))


def usable(principals: Principals, profile: AttackerProfile, account: str) -> bool:
    """An mfa account's credentials are held but cannot be replayed without mfa_bypass."""
    return profile.mfa_bypass or not principals.has_mfa(account)
