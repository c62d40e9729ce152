"""Analyses stage: reachable, no_flow and matrix, decided packet by packet by the Z3 packet layer."""

from __future__ import annotations

from segverify.analyses.base import Verdict, proved, unknown, violated
from segverify.encode.check import CheckContext
from segverify.encode.flows import Region
from segverify.encode.packets import RegionSolver, Want
from segverify.encode.solve import Outcome
from segverify.engine.pick import Found
from segverify.model.intervals import union_all
from segverify.model.ir import MatrixSpec, NoFlowSpec, Policy, ReachableSpec
from segverify.model.ports import ALL_SERVICES
from segverify.results import MatrixWitness, PacketWitness, PairWitness, RegionCertificate, RuleRef


def check_reachable(ctx: CheckContext, policy: Policy) -> Verdict:
    spec = policy.spec
    assert isinstance(spec, ReachableSpec)
    res = ctx.resolver
    region = Region(res.addresses_of(spec.sources), res.addresses_of(spec.destinations), spec.ports)
    return _single(ctx, region, "deny")


def check_no_flow(ctx: CheckContext, policy: Policy) -> Verdict:
    spec = policy.spec
    assert isinstance(spec, NoFlowSpec)
    res = ctx.resolver
    svc = ALL_SERVICES.difference(spec.except_ports)
    region = Region(res.addresses_of(spec.sources), res.addresses_of(spec.destinations), svc)
    return _single(ctx, region, "allow")


def _single(ctx: CheckContext, region: Region, bad: Want) -> Verdict:
    """One region; `bad` is the decision that violates the policy."""
    if region.is_empty():
        return proved(RegionCertificate(deciding=(), queries=1))  # vacuously: nothing to allow or deny
    solver = RegionSolver(ctx.sets, region, ctx.budget, ctx.pv)
    answer = solver.find(region, bad)
    if isinstance(answer, Outcome):
        return unknown(answer)
    if isinstance(answer, Found):
        return violated(PacketWitness(answer.packet, answer.rule, answer.rules))
    deciding = solver.deciding(region)
    if isinstance(deciding, Outcome):
        return unknown(deciding)
    return proved(RegionCertificate(deciding=tuple(deciding), queries=1))


def matrix_regions(ctx: CheckContext, spec: MatrixSpec) -> list[tuple[str, str, Region]]:
    """For each ordered pair of distinct listed zones, the packets the matrix forbids."""
    zs = ctx.resolver.zone_sets
    return [
        (a, b, Region(zs[a], zs[b], ALL_SERVICES.difference(spec.allowed_ports(a, b))))
        for a in sorted(set(spec.zones))
        for b in sorted(set(spec.zones))
        if a != b
    ]


def check_matrix(ctx: CheckContext, policy: Policy) -> Verdict:
    spec = policy.spec
    assert isinstance(spec, MatrixSpec)
    regions = matrix_regions(ctx, spec)
    pairs = [p for p in regions if not p[2].is_empty()]
    everything = union_all(ctx.resolver.zone_sets[z] for z in spec.zones)
    solver = RegionSolver(ctx.sets, Region(everything, everything, ALL_SERVICES), ctx.budget, ctx.pv)
    failing: list[PairWitness] = []
    deciding: set[RuleRef] = set()
    for a, b, region in sorted(pairs, key=lambda p: (p[0], p[1])):
        answer = solver.find(region, "allow")
        if isinstance(answer, Outcome):
            return unknown(answer)
        if isinstance(answer, Found):
            failing.append(PairWitness(a, b, answer.packet, answer.rule, answer.rules))
        elif not failing:
            rules = solver.deciding(region)
            if isinstance(rules, Outcome):
                return unknown(rules)
            deciding.update(rules)
    if failing:
        return violated(MatrixWitness(tuple(failing)))
    ordered = sorted(deciding, key=lambda r: (r.index if r.index is not None else 1 << 30, r.name))
    return proved(RegionCertificate(deciding=tuple(ordered), queries=len(regions)))
