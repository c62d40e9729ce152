"""Enforcement layers, differentially: the Z3 chain (encode/flows) against the plain first match
(semantics/firstmatch) on random layered models, packet by packet, region by region and policy
by policy. A disagreement is a soundness bug."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from segverify import api
from segverify.analyses.registry import analysis_for
from segverify.encode.flows import Region
from segverify.encode.packets import NoPacket, RegionSolver
from segverify.encode.solve import Budget
from segverify.engine.pick import Found
from segverify.model.addresses import ALL_ADDRESSES
from segverify.model.intervals import IntervalSet
from segverify.model.ir import Model
from segverify.model.ports import ALL_SERVICES, proto_ports
from segverify.results import Packet
from segverify.semantics.firstmatch import decide
from segverify.semantics.packets import mixes_families
from segverify.semantics.policies import evaluate
from segverify.semantics.regions import FlowTable
from tests.strategies import layered_models, policies_for
from tests.test_differential import DIFF


def _space(model: Model) -> tuple[list[int], list[int]]:
    addrs: set[int] = set()
    for s in [z.addresses for z in model.zones.values()] + [h.addresses for h in model.hosts.values()]:
        for lo, hi in list(s)[:2]:
            addrs.update({lo, min(lo + 1, hi), hi})
    svcs = {f.ports.first() for f in model.all_flows()} | {
        proto_ports(6, 22, 22).first(),
        proto_ports(6, 443, 443).first(),
        proto_ports(17, 53, 53).first(),
    }
    return sorted(addrs)[:16], sorted(svcs)[:6]


def _point(p: Packet) -> Region:
    return Region(
        IntervalSet.span(p.src, p.src), IntervalSet.span(p.dst, p.dst), IntervalSet.span(p.svc, p.svc)
    )


@settings(DIFF, max_examples=200)
@given(layered_models(), st.data())
def test_z3_decides_concrete_packets_through_every_layer_like_the_reference(
    model: Model, data: st.DataObject
) -> None:
    ctx = api.new_context(model, Budget(seed=0))
    solver = RegionSolver(ctx.sets, Region(ALL_ADDRESSES, ALL_ADDRESSES, ALL_SERVICES), ctx.budget, ctx.pv)
    addrs, svcs = _space(model)
    triples = [Packet(*t) for t in itertools.product(addrs, addrs, svcs)]
    for packet in data.draw(st.lists(st.sampled_from(triples), min_size=1, max_size=4)):
        if mixes_families(packet):
            continue
        expected = decide(model, ctx.resolver, packet)
        want = "allow" if expected.allowed else "deny"
        answer = solver.find(_point(packet), want)
        assert isinstance(answer, Found) and answer.packet == packet
        assert answer.rule == expected.rule and answer.rules == expected.rules
        assert isinstance(solver.find(_point(packet), "deny" if expected.allowed else "allow"), NoPacket)
        # the deciding rules of a one-packet region: one per layer that applies
        assert sorted(r.name for r in solver.deciding(_point(packet))) == sorted(
            r.name for r in expected.rules
        )


@settings(DIFF, max_examples=150)
@given(layered_models(), st.sampled_from(["allow", "deny"]), st.data())
def test_region_answers_agree_between_z3_and_the_reference_sweep(
    model: Model, want: str, data: st.DataObject
) -> None:
    ctx = api.new_context(model, Budget(seed=0))
    sets = [z.addresses for z in model.zones.values()] + [h.addresses for h in model.hosts.values()]
    src, dst = data.draw(st.sampled_from(sets)), data.draw(st.sampled_from(sets))
    svc = data.draw(st.sampled_from([ALL_SERVICES, proto_ports(6, 0, 1000), proto_ports(17, 53, 53)]))
    region = Region(src, dst, svc)
    table = FlowTable(model, ctx.resolver)
    found, deciding = table.survey(src, dst, svc, want)  # type: ignore[arg-type]
    answer = RegionSolver(ctx.sets, region, ctx.budget, ctx.pv).find(region, want)  # type: ignore[arg-type]
    assert (found is None) == isinstance(answer, NoPacket)
    for hit in (found, answer if isinstance(answer, Found) else None):
        if hit is not None:
            packet = hit[0] if isinstance(hit, tuple) else hit.packet  # type: ignore[union-attr]
            assert decide(model, ctx.resolver, packet).allowed == (want == "allow")
    z3_deciding = RegionSolver(ctx.sets, region, ctx.budget, ctx.pv).deciding(region)
    assert isinstance(z3_deciding, list) and set(z3_deciding) == set(deciding)


@settings(DIFF, max_examples=120)
@given(layered_models(), st.data())
def test_packet_policies_on_layered_models_agree_with_the_reference(
    model: Model, data: st.DataObject
) -> None:
    kinds = policies_for(model).filter(lambda p: p.kind in {"reachable", "no_flow", "matrix"})
    for policy in data.draw(st.lists(kinds, min_size=3, max_size=3)):
        ctx = api.new_context(model, Budget(seed=0))
        verdict = analysis_for(policy.kind)(ctx, policy)
        api.self_check(model, policy, verdict, certificates=True)  # witness and certificate, plain Python
        assert verdict.status == evaluate(model, policy)[0], policy
