"""The movement engine through enforcement layers, differentially: engine/ (doors by first match
over atoms, per layer) against the reference (semantics/firstmatch, LayeredSweep, the attack
fixpoint) on random layered models. A disagreement is a soundness bug, not a flaky test."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from segverify import api
from segverify.encode.doors import allowed_sources_z3
from segverify.encode.solve import Budget
from segverify.engine.atoms import Atoms, bits
from segverify.engine.edges import Door, build_graph, doors_of
from segverify.engine.pick import pick_packet
from segverify.model.intervals import IntervalSet, union_all
from segverify.model.ir import AttackerProfile, Model, Ref, RefFoothold
from segverify.results import Packet
from segverify.semantics.firstmatch import decide
from segverify.semantics.packets import mixes_families
from segverify.semantics.policies import evaluate
from segverify.semantics.regions import FlowTable
from tests.strategies import layered_models, policies_for
from tests.test_differential import ATTACK_KINDS, DIFF, PER_MODEL, engine_verdict

EXPOSED = AttackerProfile(exploits="exposed")


@settings(DIFF, max_examples=150)
@given(layered_models(), st.data())
def test_attack_policies_on_layered_models_agree_with_the_reference(
    model: Model, data: st.DataObject
) -> None:
    """isolated, only_via and blast_radius: the check's verdict is the reference's, and every
    witness replays and every certificate checks (engine_verdict self-checks both)."""
    kinds = policies_for(model).filter(lambda p: p.kind in ATTACK_KINDS)
    for policy in data.draw(st.lists(kinds, min_size=PER_MODEL, max_size=PER_MODEL)):
        assert engine_verdict(model, policy) == evaluate(model, policy)[0], policy


def _atoms(atoms: Atoms, mask: int) -> list[IntervalSet]:
    return [IntervalSet.span(*atoms.interval(k)) for k in bits(mask)]


def _points(model: Model) -> tuple[list[int], list[int]]:
    """A few addresses of every zone and host, and a few ports of every service."""
    addrs: set[int] = set()
    for s in [z.addresses for z in model.zones.values()] + [h.addresses for h in model.hosts.values()]:
        for lo, hi in list(s)[:2]:
            addrs.update({lo, min(lo + 1, hi), hi})
    return sorted(addrs), sorted({s.ports.first() for s in model.services.values()})


@settings(DIFF, max_examples=80)
@given(layered_models())
def test_door_openers_are_the_references_decisions(model: Model) -> None:
    """Door by door and source atom by source atom, the engine opens exactly where the reference's
    layered sweep finds an allowed packet; and every concrete packet firstmatch allows through
    all layers comes from an opener atom."""
    ctx = api.new_context(model, Budget(seed=0))
    table = FlowTable(model, ctx.resolver)
    graph = build_graph(ctx, (RefFoothold(Ref("any")),), EXPOSED, frozenset())
    universe = union_all(u.addresses for u in graph.units.values())
    opened = ctx.index.src.mask(universe)
    addrs, _ = _points(model)
    for host in model.hosts.values():
        for door in doors_of(ctx, host, EXPOSED):
            svc = model.services[door.service].ports
            mask = graph.openers.get(door, 0)
            for k, atom in zip(bits(opened), _atoms(ctx.index.src, opened), strict=True):
                found = table.find_packet(atom, host.addresses, svc, "allow")
                assert (found is not None) == bool(mask >> k & 1), f"{door} from {atom}"
            ports = [lo for lo, _ in svc][:3]
            for src, dst, port in itertools.product(addrs, [a for a in addrs if a in host.addresses], ports):
                packet = Packet(src, dst, port)
                if not mixes_families(packet) and decide(model, ctx.resolver, packet).allowed:
                    assert mask >> ctx.index.src.index(src) & 1, f"{door}: {packet} is allowed"


@settings(DIFF, max_examples=60)
@given(layered_models())
def test_door_openers_equal_z3_through_every_layer(model: Model) -> None:
    """The atom index against the Z3 chain of every layer (encode/flows), door by door."""
    ctx = api.new_context(model, Budget(seed=0))
    graph = build_graph(ctx, (RefFoothold(Ref("any")),), EXPOSED, frozenset())
    universe = union_all(u.addresses for u in graph.units.values())
    for host in model.hosts.values():
        for door in doors_of(ctx, host, EXPOSED):
            by_atoms = union_all(_atoms(ctx.index.src, graph.openers.get(door, 0))).intersection(universe)
            by_z3 = allowed_sources_z3(ctx, universe, Door(door.host, door.service, door.move))
            assert isinstance(by_z3, IntervalSet)
            assert by_atoms == by_z3, f"{door}: atoms {by_atoms} z3 {by_z3}"


@settings(DIFF, max_examples=60)
@given(layered_models())
def test_picked_hop_packets_cite_every_layers_rule(model: Model) -> None:
    """A hop's packet is allowed by every layer that applies; `rules` is firstmatch's Decision
    (the deciding rule of each applying layer, the implicit one first) and `rule` its first."""
    ctx = api.new_context(model, Budget(seed=0))
    table = FlowTable(model, ctx.resolver)
    senders = [z.addresses for z in model.zones.values()] + [h.addresses for h in model.hosts.values()]
    for host in model.hosts.values():
        for service in host.services:
            svc = model.services[service].ports
            for src in senders:
                picked = pick_packet(ctx.index, src, host.addresses, svc)
                assert (picked is None) == (table.find_packet(src, host.addresses, svc, "allow") is None)
                if picked is not None:
                    p = picked.packet
                    assert p.src in src and p.dst in host.addresses and p.svc in svc
                    expected = decide(model, ctx.resolver, p)
                    assert expected.allowed and picked.rules == expected.rules
                    assert picked.rule == expected.rule


# `make bench` (pytest -m slow): many more cases, fresh seeds every run.
WIDE = settings(DIFF, derandomize=False, database=None)


@pytest.mark.slow
@settings(WIDE, max_examples=2000)
@given(layered_models(), st.data())
def test_wide_layered_attack_agreement(model: Model, data: st.DataObject) -> None:
    test_attack_policies_on_layered_models_agree_with_the_reference.hypothesis.inner_test(model, data)  # type: ignore[attr-defined]


@pytest.mark.slow
@settings(WIDE, max_examples=500)
@given(layered_models())
def test_wide_layered_door_openers(model: Model) -> None:
    test_door_openers_are_the_references_decisions.hypothesis.inner_test(model)  # type: ignore[attr-defined]
