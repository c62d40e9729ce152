"""Semantics stage: the oracle verdict of every policy kind, with its witness or its certificate."""

from __future__ import annotations

from dataclasses import dataclass

from segverify.kinds import KINDS
from segverify.kinds.common import RegionKind
from segverify.model.intervals import IntervalSet
from segverify.model.ir import Model, Policy
from segverify.results import (
    Certificate,
    ClosedSetCertificate,
    MatrixWitness,
    PacketWitness,
    PairWitness,
    RegionCertificate,
    RuleRef,
    Status,
    Witness,
)
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
    """The regions of a packet policy (its kind's record says which); TypeError for other kinds."""
    record = KINDS[policy.kind]
    if not isinstance(record, RegionKind):
        raise TypeError(f"policy {policy.id} ({policy.kind}) is not a packet policy")
    return record.queries(sem, policy)


def evaluate(model: Model, policy: Policy, sem: Semantics | None = None) -> Verdict:
    """PROVED with no witness, or VIOLATED with the oracle's witness (the kind's record picks how)."""
    return KINDS[policy.kind].reference(sem or Semantics(model), policy)


def packet_verdict(sem: Semantics, policy: Policy) -> Verdict:
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


def matrix_verdict(sem: Semantics, policy: Policy) -> Verdict:
    pairs = failing_pairs(sem, policy)
    return (Status.VIOLATED, MatrixWitness(pairs)) if pairs else (Status.PROVED, None)


def attack_of(sem: Semantics, policy: Policy) -> Attack:
    """The reference fixpoint of an attack policy's attacker; its kind reads the verdict off it."""
    return Attack(sem, setup_for(sem.model, sem.resolver, policy))


# ---- certificates ------------------------------------------------------------------------------


def certificate_for(model: Model, policy: Policy, sem: Semantics | None = None) -> Certificate:
    """The certificate of a proved policy; ValueError when the policy is violated."""
    return KINDS[policy.kind].certificate(sem or Semantics(model), policy)


def require_proved(policy: Policy, status: Status) -> None:
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
