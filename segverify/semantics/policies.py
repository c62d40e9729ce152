"""Semantics stage: the oracle verdict of every policy kind, with its witness or its certificate."""

from __future__ import annotations

from dataclasses import dataclass

from segverify.model.intervals import IntervalSet
from segverify.model.ir import (
    BlastRadiusSpec,
    IsolatedSpec,
    MatrixSpec,
    Model,
    NoFlowSpec,
    OnlyViaSpec,
    Policy,
    ReachableSpec,
    SeparateAccountsSpec,
)
from segverify.model.ports import ALL_SERVICES
from segverify.results import (
    BlastWitness,
    Certificate,
    ClosedSetCertificate,
    ControlledHost,
    MatrixWitness,
    PacketWitness,
    PairWitness,
    PathWitness,
    RegionCertificate,
    RuleRef,
    Status,
    Witness,
)
from segverify.semantics import accounts
from segverify.semantics.attack import Attack
from segverify.semantics.closure import boundary, crossings, foothold_refs, senders_of
from segverify.semantics.context import Semantics
from segverify.semantics.moves import setup_for
from segverify.semantics.regions import Want, sort_rules

Verdict = tuple[Status, Witness | None]


@dataclass(frozen=True, slots=True)
class Query:
    """One region of a packet policy and the decision that would violate it."""

    pair: tuple[str, str] | None  # matrix: (source zone, destination zone)
    src: IntervalSet
    dst: IntervalSet
    svc: IntervalSet
    bad: Want


def queries(sem: Semantics, policy: Policy) -> list[Query]:
    """reachable: any denial violates; no_flow and every matrix pair: any allowed packet outside except."""
    spec, r = policy.spec, sem.resolver
    if isinstance(spec, ReachableSpec):
        return [
            Query(None, r.addresses_of(spec.sources), r.addresses_of(spec.destinations), spec.ports, "deny")
        ]
    if isinstance(spec, NoFlowSpec):
        svc = ALL_SERVICES.difference(spec.except_ports)
        return [Query(None, r.addresses_of(spec.sources), r.addresses_of(spec.destinations), svc, "allow")]
    if isinstance(spec, MatrixSpec):
        zones = sorted(set(spec.zones))
        return [
            Query(
                (a, b),
                r.zone_sets[a],
                r.zone_sets[b],
                ALL_SERVICES.difference(spec.allowed_ports(a, b)),
                "allow",
            )
            for a in zones
            for b in zones
            if a != b
        ]
    raise TypeError(f"policy {policy.id} ({policy.kind}) is not a packet policy")


def evaluate(model: Model, policy: Policy, sem: Semantics | None = None) -> Verdict:
    """PROVED with no witness, or VIOLATED with the oracle's witness."""
    sem = sem or Semantics(model)
    spec = policy.spec
    if isinstance(spec, ReachableSpec | NoFlowSpec):
        return _packet_verdict(sem, policy)
    if isinstance(spec, MatrixSpec):
        return _matrix_verdict(sem, policy)
    if isinstance(spec, SeparateAccountsSpec):
        found = accounts.violation(sem, spec)
        return (Status.PROVED, None) if found is None else (Status.VIOLATED, found)
    return _attack_verdict(sem, policy)


def _packet_verdict(sem: Semantics, policy: Policy) -> Verdict:
    (q,) = queries(sem, policy)
    found = sem.table.find_packet(q.src, q.dst, q.svc, q.bad)
    return (Status.PROVED, None) if found is None else (Status.VIOLATED, PacketWitness(*found))


def failing_pairs(sem: Semantics, policy: Policy) -> tuple[PairWitness, ...]:
    out = []
    for q in queries(sem, policy):
        found = sem.table.find_packet(q.src, q.dst, q.svc, q.bad)
        if found is not None and q.pair is not None:
            out.append(PairWitness(q.pair[0], q.pair[1], found[0], found[1]))
    return tuple(out)


def _matrix_verdict(sem: Semantics, policy: Policy) -> Verdict:
    pairs = failing_pairs(sem, policy)
    return (Status.VIOLATED, MatrixWitness(pairs)) if pairs else (Status.PROVED, None)


def _attack_verdict(sem: Semantics, policy: Policy) -> Verdict:
    return _attack_outcome(sem, policy)[1]


def _attack_outcome(sem: Semantics, policy: Policy) -> tuple[Attack, Verdict]:
    setup = setup_for(sem.model, sem.resolver, policy)
    attack = Attack(sem, setup)
    spec = policy.spec
    if isinstance(spec, BlastRadiusSpec):
        if len(attack.controlled) <= spec.max_hosts:
            return attack, (Status.PROVED, None)
        order = sorted(attack.controlled, key=lambda h: (attack.depth(h), h))
        hosts = tuple(ControlledHost(h, attack.path_to(h)) for h in order)
        return attack, (Status.VIOLATED, BlastWitness(hosts, spec.max_hosts))
    reached = attack.reached_targets()
    if not reached:
        return attack, (Status.PROVED, None)
    support = tuple(h for t in sorted(reached) for h in attack.path_to(t))
    witness = PathWitness(reached[0], attack.path_to(reached[0]), tuple(sorted(reached)), support=support)
    return attack, (Status.VIOLATED, witness)


# ---- certificates ------------------------------------------------------------------------------


def certificate_for(model: Model, policy: Policy, sem: Semantics | None = None) -> Certificate:
    """The certificate of a proved policy; ValueError when the policy is violated."""
    sem = sem or Semantics(model)
    spec = policy.spec
    if isinstance(spec, IsolatedSpec | OnlyViaSpec | BlastRadiusSpec):
        attack, (status, _) = _attack_outcome(sem, policy)
        _require_proved(policy, status)
        return closed_set(sem, attack)
    _require_proved(policy, evaluate(model, policy, sem)[0])
    if isinstance(spec, SeparateAccountsSpec):
        return accounts.certificate(sem, spec)
    return region_certificate(sem, policy)


def _require_proved(policy: Policy, status: Status) -> None:
    if status != Status.PROVED:
        raise ValueError(f"policy {policy.id} is violated: it has no certificate")


def region_certificate(sem: Semantics, policy: Policy) -> RegionCertificate:
    deciding: set[RuleRef] = set()
    qs = queries(sem, policy)
    for q in qs:
        deciding |= sem.table.deciding_rules(q.src, q.dst, q.svc)
    return RegionCertificate(sort_rules(deciding), len(qs))


def closed_set(sem: Semantics, attack: Attack) -> ClosedSetCertificate:
    """The least closed set (the fixpoint) and why each move across its boundary fails."""
    setup = attack.setup
    hosts, creds, refs = attack.controlled, attack.held, foothold_refs(setup)
    cross = crossings(sem, setup, hosts, senders_of(sem, setup, hosts, refs))
    return ClosedSetCertificate(
        hosts=tuple(sorted(hosts)),
        credentials=tuple(sorted(creds)),
        senders=refs,
        boundary=tuple(boundary(sem, setup, creds, cross)),
        excluded=tuple(sorted(setup.via)),
    )
