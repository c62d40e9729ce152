"""Differential soundness: the Z3 engine against the plain-Python reference semantics.

Random small models (tests/strategies.py, written from the spec apart from the engine):
the engine's verdict must equal the reference verdict for every policy, and every witness
must replay and every certificate check (api.self_check raises otherwise). A failure here is
a soundness bug, never a flaky test: the runs are derandomized so CI is reproducible, and
`make bench` runs many more examples with fresh seeds.
"""

from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import models, policies_for

from segverify import api
from segverify.analyses.registry import analysis_for
from segverify.encode.attack import closed_within
from segverify.encode.doors import allowed_sources_z3
from segverify.encode.flows import Region
from segverify.encode.packets import NoPacket, RegionSolver
from segverify.encode.solve import Budget
from segverify.engine.atoms import Atoms, bits
from segverify.engine.edges import Door, build_graph, doors_of, shared_graph
from segverify.engine.pick import Found, pick_packet
from segverify.engine.witness import Moves, least_fixpoint
from segverify.model.addresses import ALL_ADDRESSES
from segverify.model.intervals import IntervalSet, union_all
from segverify.model.ir import AttackerProfile, Model, Ref, RefFoothold
from segverify.model.ports import ALL_SERVICES, proto_ports
from segverify.results import Packet, Status
from segverify.semantics.packets import decide, mixes_families
from segverify.semantics.policies import evaluate

DIFF = settings(
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)
ATTACK_KINDS = {"isolated", "only_via", "blast_radius"}


def engine_verdict(model: Model, policy: api.Policy) -> Status:
    ctx = api.new_context(model, Budget(seed=0))
    verdict = analysis_for(policy.kind)(ctx, policy)
    api.self_check(model, policy, verdict, certificates=True)
    return verdict.status


# Each generated model is checked against several policies: generating models is what costs
# (measured: about 80% of the time), so this keeps >= 500 packet and >= 1,000 attack cases
# (model, policy pairs) within the test budget.
PER_MODEL = 4


def _policies(data: st.DataObject, model: Model, attack: bool) -> list[api.Policy]:
    kinds = policies_for(model).filter(lambda p: (p.kind in ATTACK_KINDS) == attack)
    return data.draw(st.lists(kinds, min_size=PER_MODEL, max_size=PER_MODEL))


@settings(DIFF, max_examples=150)
@given(models(), st.data())
def test_packet_policies_agree_with_reference(model: Model, data: st.DataObject) -> None:
    for policy in _policies(data, model, attack=False):
        assert engine_verdict(model, policy) == evaluate(model, policy)[0], policy


@settings(DIFF, max_examples=260)
@given(models(), st.data())
def test_attack_policies_agree_with_reference(model: Model, data: st.DataObject) -> None:
    for policy in _policies(data, model, attack=True):
        assert engine_verdict(model, policy) == evaluate(model, policy)[0], policy


def _small_space(model: Model) -> tuple[list[int], list[int]]:
    """A handful of addresses of every zone and host, and a handful of services."""
    addrs: set[int] = set()
    for s in [z.addresses for z in model.zones.values()] + [h.addresses for h in model.hosts.values()]:
        for lo, hi in list(s)[:2]:
            addrs.update({lo, min(lo + 1, hi), hi})
    svcs = {f.ports.first() for f in model.flows} | {
        proto_ports(6, 22, 22).first(),
        proto_ports(6, 443, 443).first(),
        proto_ports(17, 53, 53).first(),
        0,
    }
    return sorted(addrs)[:16], sorted(svcs)[:5]


@settings(DIFF, max_examples=250)
@given(models(), st.data())
def test_encoder_decides_concrete_packets_like_the_reference(model: Model, data: st.DataObject) -> None:
    ctx = api.new_context(model, Budget(seed=0))
    solver = RegionSolver(ctx.sets, Region(ALL_ADDRESSES, ALL_ADDRESSES, ALL_SERVICES), ctx.budget, ctx.pv)
    addrs, svcs = _small_space(model)
    triples = list(itertools.product(addrs, addrs, svcs))
    for src, dst, svc in data.draw(st.lists(st.sampled_from(triples), min_size=1, max_size=4)):
        point = Region(IntervalSet.span(src, src), IntervalSet.span(dst, dst), IntervalSet.span(svc, svc))
        if mixes_families(Packet(src, dst, svc)):
            assert isinstance(solver.find(point, "allow"), NoPacket)
            assert isinstance(solver.find(point, "deny"), NoPacket)
            continue
        expected = decide(model, ctx.resolver, Packet(src, dst, svc))
        answer = solver.find(point, expected.action)
        assert isinstance(answer, Found) and answer.rule == expected
        other = "deny" if expected.action == "allow" else "allow"
        assert isinstance(solver.find(point, other), NoPacket)


@settings(DIFF, max_examples=150)
@given(models(), st.sampled_from(["allow", "deny"]))
def test_no_packet_means_none_by_enumeration(model: Model, want: str) -> None:
    """When the encoder finds no packet in a small region, enumeration finds none either."""
    ctx = api.new_context(model, Budget(seed=0))
    addrs, svcs = _small_space(model)
    region = Region(
        IntervalSet.of((a, a) for a in addrs),
        IntervalSet.of((a, a) for a in addrs),
        IntervalSet.of((s, s) for s in svcs),
    )
    answer = RegionSolver(ctx.sets, region, ctx.budget, ctx.pv).find(
        region, "allow" if want == "allow" else "deny"
    )
    brute = [
        p
        for p in (Packet(s, d, v) for s in addrs for d in addrs for v in svcs)
        if not mixes_families(p) and decide(model, ctx.resolver, p).action == want
    ]
    if isinstance(answer, NoPacket):
        assert brute == []
    else:
        assert isinstance(answer, Found)
        assert decide(model, ctx.resolver, answer.packet) == answer.rule and answer.rule.action == want


@settings(DIFF, max_examples=120)
@given(models())
def test_atom_edges_equal_z3_edges(model: Model) -> None:
    """The first-match-over-atoms edge index against the Z3 packet layer, door by door."""
    ctx = api.new_context(model, Budget(seed=0))
    profile = AttackerProfile(exploits="exposed")
    graph = build_graph(ctx, (RefFoothold(Ref("any")),), profile, frozenset())
    universe = union_all(u.addresses for u in graph.units.values())
    for host in model.hosts.values():
        for door in doors_of(ctx, host, profile):
            by_atoms = _atoms_as_set(ctx.index.src, graph.openers.get(door, 0)).intersection(universe)
            by_z3 = allowed_sources_z3(ctx, universe, Door(door.host, door.service, door.move))
            assert isinstance(by_z3, IntervalSet)
            assert by_atoms == by_z3, f"{door}: atoms {by_atoms} z3 {by_z3}"


@settings(DIFF, max_examples=60)
@given(models(), st.data())
def test_z3_finds_the_least_fixpoint_closed_and_nothing_smaller(model: Model, data: st.DataObject) -> None:
    """closed_within (blast_radius) negates every other host: the worklist's least fixpoint
    must be closed, any set missing one of its non-foothold hosts not, and no question may
    leave anything behind in the shared solver (asked again, the same answer)."""
    ctx = api.new_context(model, Budget(seed=0))
    foothold = data.draw(st.sampled_from(sorted(model.hosts)))
    profile = data.draw(st.sampled_from([AttackerProfile(), AttackerProfile(exploits="exposed")]))
    graph = build_graph(ctx, (RefFoothold(Ref(foothold)),), profile, frozenset())
    least = frozenset(least_fixpoint(graph).hosts)
    assert closed_within(ctx, graph, least).verdict == "sat"
    for host in sorted(least - graph.foothold_hosts):
        assert closed_within(ctx, graph, least - {host}).verdict == "unsat", host
    assert closed_within(ctx, graph, least).verdict == "sat"


@settings(DIFF, max_examples=60)
@given(models(), st.data())
def test_fixpoint_indexed_before_via_hosts_left_out_equals_the_trimmed_one(
    model: Model, data: st.DataObject
) -> None:
    """only_via policies share the reverse indexes of the profile's untrimmed graph: the
    left-out hosts must never be gained through them, and the fixpoint must not change."""
    ctx = api.new_context(model, Budget(seed=0))
    hosts = sorted(model.hosts)
    foothold = data.draw(st.sampled_from(hosts))
    via = frozenset(data.draw(st.lists(st.sampled_from(hosts), min_size=1, max_size=3))) - {foothold}
    profile = data.draw(st.sampled_from([AttackerProfile(), AttackerProfile(exploits="exposed")]))
    graph = build_graph(ctx, (RefFoothold(Ref(foothold)),), profile, via)
    shared = least_fixpoint(graph, Moves(shared_graph(ctx, (profile, frozenset()))))
    own = least_fixpoint(graph)
    assert shared.hosts == own.hosts and shared.credentials == own.credentials
    assert not set(shared.hosts) & via


@settings(DIFF, max_examples=40)
@given(models())
def test_picked_hop_packets_match_z3_and_the_reference(model: Model) -> None:
    """Witness hops take their packet from the atom index (pick.py): it exists exactly when the
    Z3 packet layer finds one, lies in the hop's region, and first match allows it by its rule."""
    ctx = api.new_context(model, Budget(seed=0))
    senders = [z.addresses for z in model.zones.values()] + [h.addresses for h in model.hosts.values()]
    for host in model.hosts.values():
        for service in host.services:
            svc = model.services[service].ports
            solver = RegionSolver(ctx.sets, Region(ALL_ADDRESSES, host.addresses, svc), ctx.budget, ctx.pv)
            for src in senders:
                picked = pick_packet(ctx.index, src, host.addresses, svc)
                by_z3 = solver.find(Region(src, host.addresses, svc), "allow")
                assert (picked is None) == isinstance(by_z3, NoPacket), f"{src} -> {host.name}/{service}"
                if picked is not None:
                    p = picked.packet
                    assert p.src in src and p.dst in host.addresses and p.svc in svc
                    assert not mixes_families(p)
                    assert decide(model, ctx.resolver, p) == picked.rule and picked.rule.action == "allow"


def _atoms_as_set(atoms: Atoms, mask: int) -> IntervalSet:
    return IntervalSet.of(atoms.interval(k) for k in bits(mask))


# `make bench` (pytest -m slow): many more cases, fresh seeds every run.
WIDE = settings(DIFF, derandomize=False, database=None)


@pytest.mark.slow
@settings(WIDE, max_examples=3000)
@given(models(), st.data())
def test_wide_attack_agreement(model: Model, data: st.DataObject) -> None:
    test_attack_policies_agree_with_reference.hypothesis.inner_test(model, data)  # type: ignore[attr-defined]


@pytest.mark.slow
@settings(WIDE, max_examples=2000)
@given(models(), st.data())
def test_wide_packet_agreement(model: Model, data: st.DataObject) -> None:
    test_packet_policies_agree_with_reference.hypothesis.inner_test(model, data)  # type: ignore[attr-defined]


@pytest.mark.slow
@settings(WIDE, max_examples=500)
@given(models())
def test_wide_picked_packets(model: Model) -> None:
    test_picked_hop_packets_match_z3_and_the_reference.hypothesis.inner_test(model)  # type: ignore[attr-defined]
