"""Semantics stage: check any engine's witness or certificate without z3, before anything is printed."""

from __future__ import annotations

from segverify.kinds import KINDS
from segverify.model.ir import BlastRadiusSpec, Model, Policy, SeparateAccountsSpec
from segverify.results import (
    AccountsCertificate,
    AccountsWitness,
    BlastWitness,
    Certificate,
    MatrixWitness,
    Packet,
    PathWitness,
    RegionCertificate,
    ResilienceWitness,
    RuleRef,
    Witness,
)
from segverify.semantics import accounts
from segverify.semantics.context import Semantics
from segverify.semantics.moves import Setup, setup_for
from segverify.semantics.packets import format_packet, mixes_families
from segverify.semantics.policies import Query, failing_pairs, queries
from segverify.semantics.regions import sort_rules
from segverify.semantics.replay import replay, replay_all
from segverify.semantics.resilience import chosen


def check_witness(model: Model, policy: Policy, witness: Witness, sem: Semantics | None = None) -> list[str]:
    """Every reason the witness does not show a violation of the policy (empty: it does)."""
    if isinstance(witness, ResilienceWitness):
        return _resilience_errors(model, policy, witness)
    errors = KINDS[policy.kind].witness_errors(sem or Semantics(model), policy, witness)
    return (
        [f"a {type(witness).__name__} is not a witness for a {policy.kind} policy"]
        if errors is None
        else errors
    )


def _resilience_errors(model: Model, policy: Policy, w: ResilienceWitness) -> list[str]:
    """The breach replays on the model of its choice (controls failed, or the account stolen)."""
    variant, choice, errors = chosen(model, policy, w)
    return errors + check_witness(variant, choice, w.witness)


def packet_errors(
    sem: Semantics, q: Query, packet: Packet, rule: RuleRef, rules: tuple[RuleRef, ...] = ()
) -> list[str]:
    text, errors = format_packet(packet), []
    if packet.src not in q.src or packet.dst not in q.dst or packet.svc not in q.svc:
        errors.append(f"packet {text} lies outside the policy's region")
    if mixes_families(packet):
        errors.append(f"packet {text} mixes IPv4 and IPv6")
    decided = sem.table.decide(packet)
    layered = sem.table.decision(packet).rules if sem.model.layers else ()
    if layered != rules:
        errors.append(f"packet {text}: the layers' deciding rules are {[r.name for r in layered]}")
    if decided != rule:
        errors.append(f"packet {text} is decided by {decided.name}, not by the claimed {rule.name}")
    if decided.action != q.bad:
        errors.append(f"packet {text} is {decided.action}ed, which does not violate the policy")
    return errors


def matrix_errors(sem: Semantics, policy: Policy, witness: MatrixWitness) -> list[str]:
    by_pair = {q.pair: q for q in queries(sem, policy)}
    errors = []
    claimed = [(p.source, p.destination) for p in witness.pairs]
    if claimed != sorted(set(claimed)):
        errors.append("pairs are not sorted by (from, to) or repeat")
    for p in witness.pairs:
        q = by_pair.get((p.source, p.destination))
        if q is None:
            errors.append(f"{p.source} -> {p.destination} is not a pair of distinct listed zones")
            continue
        errors += [
            f"{p.source} -> {p.destination}: {e}" for e in packet_errors(sem, q, p.packet, p.rule, p.rules)
        ]
    missing = sorted({(p.source, p.destination) for p in failing_pairs(sem, policy)} - set(claimed))
    errors += [f"failing pair {a} -> {b} is not listed" for a, b in missing]
    return errors


def accounts_errors(sem: Semantics, spec: SeparateAccountsSpec, w: AccountsWitness) -> list[str]:
    first, second = (sem.model.hosts.get(h) for h in w.hosts)
    if w.principal not in sem.model.principals or first is None or second is None:
        return [f"{w.principal} or one of {w.hosts} does not exist"]
    errors = []
    hosts = (first, second)
    zones = (first.zone, second.zone)
    if zones != w.zones or zones[0] == zones[1] or not set(zones) <= set(spec.zones):
        errors.append(f"hosts {w.hosts} lie in zones {zones}, not in two distinct listed zones {w.zones}")
    may = [sem.principals.may_log_in(w.principal, h) for h in hosts]
    if w.reason == "login" and not all(may):
        errors.append(f"{w.principal} may not log in on both {w.hosts[0]} and {w.hosts[1]}")
    if w.reason == "session":
        if not sem.principals.in_sessions(w.principal, hosts[0]):
            errors.append(f"{w.hosts[0]} holds no session of {w.principal}")
        if not may[1]:
            errors.append(f"{w.principal} may not log in on {w.hosts[1]}")
    return errors


def path_errors(sem: Semantics, policy: Policy, witness: PathWitness) -> list[str]:
    setup = setup_for(sem.model, sem.resolver, policy)
    errors = [] if witness.target in setup.targets else [f"{witness.target} is not a target of the policy"]
    return errors + replay(sem, setup, witness.path, witness.target) + _reached_errors(sem, setup, witness)


def _reached_errors(sem: Semantics, setup: Setup, witness: PathWitness) -> list[str]:
    """Every host in `reached` is a target the attacker controls (its support replays); each
    further path replays.

    That no other target is reached rests on the engine's least fixpoint, which the
    differential tests compare with the reference's (recomputing it here would cost a
    reference fixpoint per policy). An empty `reached` claims nothing (`segverify paths`).
    """
    if not witness.reached and not witness.paths:
        return []
    reached = set(witness.reached)
    errors = []
    if witness.target not in reached or not reached <= setup.targets or len(reached) != len(witness.reached):
        errors.append(f"the reached hosts {list(witness.reached)} repeat, miss the target or are not targets")
    # Without a support (a witness read back from JSON), the printed paths must carry the claim.
    support = witness.support or witness.path + tuple(h for c in witness.paths for h in c.path)
    errors += [f"support: {e}" for e in replay_all(sem, setup, support, witness.reached)]
    names = [c.host for c in witness.paths]
    if len(set(names)) != len(names) or witness.target in names or not set(names) <= reached:
        errors.append(f"the further paths name {names}: repeats, the target, or hosts not reached")
    for c in witness.paths:
        errors += [f"path to {c.host}: {e}" for e in replay(sem, setup, c.path, c.host)]
    return errors


def blast_errors(sem: Semantics, policy: Policy, spec: BlastRadiusSpec, w: BlastWitness) -> list[str]:
    setup = setup_for(sem.model, sem.resolver, policy)
    names = [c.host for c in w.hosts]
    errors = []
    if w.max_hosts != spec.max_hosts:
        errors.append(f"max_hosts is {spec.max_hosts}, not {w.max_hosts}")
    if len(set(names)) != len(names) or not set(names) <= set(sem.model.hosts):
        errors.append("the controlled hosts repeat or name unknown hosts")
    if len(set(names)) <= spec.max_hosts:
        errors.append(f"{len(set(names))} controlled hosts do not exceed max_hosts {spec.max_hosts}")
    for c in w.hosts:
        if c.host in sem.model.hosts:
            errors += [f"{c.host}: {e}" for e in replay(sem, setup, c.path, c.host)]
    return errors


# ---- certificates --------------------------------------------------------------------------------


def check_certificate(
    model: Model, policy: Policy, certificate: Certificate, sem: Semantics | None = None
) -> list[str]:
    """Every reason the certificate does not prove the policy (empty: it does)."""
    errors = KINDS[policy.kind].certificate_errors(sem or Semantics(model), policy, certificate)
    if errors is None:
        return [f"a {type(certificate).__name__} is not a certificate for a {policy.kind} policy"]
    return errors


def region_errors(sem: Semantics, policy: Policy, cert: RegionCertificate) -> list[str]:
    qs = queries(sem, policy)
    errors = [] if cert.queries == len(qs) else [f"the policy has {len(qs)} regions, not {cert.queries}"]
    deciding: set[RuleRef] = set()
    for q in qs:
        found, rules = sem.table.survey(q.src, q.dst, q.svc, q.bad)
        if found is not None:
            where = f" ({q.pair[0]} -> {q.pair[1]})" if q.pair else ""
            errors.append(f"packet {format_packet(found[0])}{where} is {q.bad}ed by {found[1].name}")
        deciding |= rules
    if len(set(cert.deciding)) != len(cert.deciding):
        errors.append("the deciding rules repeat")
    if set(cert.deciding) != deciding:
        errors.append(
            f"the deciding rules are {[r.name for r in sort_rules(deciding)]}, not the claimed ones"
        )
    return errors


def accounts_cert_errors(sem: Semantics, spec: SeparateAccountsSpec, cert: AccountsCertificate) -> list[str]:
    errors = []
    found = accounts.violation(sem, spec)
    if found is not None:
        errors.append(f"{found.principal} spans {found.zones[0]} and {found.zones[1]} ({found.reason})")
    if cert != accounts.certificate(sem, spec):
        errors.append("the per-zone accounts differ from the model's logins and sessions")
    return errors
