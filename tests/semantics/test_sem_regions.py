"""Exact region questions agree with first match on every packet of small enumerated regions."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from segverify.model.addresses import ALL_ADDRESSES, V6_BASE, cidr_set
from segverify.model.intervals import IntervalSet, union_all
from segverify.model.ir import Model
from segverify.model.ports import parse_port_spec
from segverify.model.refs import Resolver
from segverify.results import Packet
from segverify.semantics import regions
from segverify.semantics.packets import compile_flows, decide_compiled, mixes_families
from segverify.semantics.regions import FAMILIES, FlowTable, cut
from tests.strategies import examples, flow, host, make_model, models, zone

SETTINGS = settings(max_examples=examples(100), deadline=None, suppress_health_check=list(HealthCheck))
PORTS = union_all(
    parse_port_spec(s) for s in ("tcp/20-25", "tcp/443", "tcp/2222", "tcp/5938", "udp/53", "tcp/3389")
).union(IntervalSet.span(65536, 65538))  # icmp 0-2


def _points(model: Model) -> list[int]:
    """Addresses where membership can change: every boundary of zones and hosts, and a few outsiders."""
    out = {0, cidr_set("203.0.113.9").first(), V6_BASE + 5}
    for z in model.zones.values():
        out.update(z.addresses.boundaries())
    for h in model.hosts.values():
        out.update(h.addresses.boundaries())
    for f in model.flows:
        for r in f.sources + f.destinations:
            if r.text[0].isdigit():
                out.update(cidr_set(r.text).boundaries())
    return sorted(out)


@st.composite
def region_boxes(draw: st.DrawFn, model: Model) -> tuple[IntervalSet, IntervalSet, IntervalSet]:
    points = _points(model)

    def side() -> IntervalSet:
        starts = draw(st.lists(st.sampled_from(points), min_size=1, max_size=3))
        return IntervalSet.of(
            (
                max(0, p + draw(st.integers(-2, 1))),
                max(0, p + draw(st.integers(-2, 1))) + draw(st.integers(0, 3)),
            )
            for p in starts
        )

    svc = IntervalSet.of((v, v) for v in draw(st.lists(st.sampled_from(sorted(_members(PORTS))), max_size=6)))
    return side(), side(), svc


def _members(s: IntervalSet) -> list[int]:
    return [v for lo, hi in s for v in range(lo, hi + 1)]


def is_packet(p: Packet) -> bool:
    """Real addresses (not the unused gap of the 129-bit space) of one family."""
    return p.src in ALL_ADDRESSES and p.dst in ALL_ADDRESSES and not mixes_families(p)


def _packets(src: IntervalSet, dst: IntervalSet, svc: IntervalSet) -> list[Packet]:
    return [Packet(*p) for p in itertools.product(_members(src), _members(dst), _members(svc))]


@st.composite
def model_and_region(draw: st.DrawFn) -> tuple[Model, tuple[IntervalSet, IntervalSet, IntervalSet]]:
    model = draw(models())
    return model, draw(region_boxes(model))


@pytest.mark.parametrize("restricted", [0, regions.RESTRICTED_CUTS])
@SETTINGS
@given(case=model_and_region())
def test_every_cell_is_decided_by_its_rule_and_cells_partition_the_region(restricted, case) -> None:  # type: ignore[no-untyped-def]
    # restricted=0 forces the one shared destination cut that large sweeps switch to.
    saved, regions.RESTRICTED_CUTS = regions.RESTRICTED_CUTS, restricted
    try:
        _check_cells(case)
    finally:
        regions.RESTRICTED_CUTS = saved


def _check_cells(case) -> None:  # type: ignore[no-untyped-def]
    model, (src, dst, svc) = case
    resolver = Resolver(model)
    table = FlowTable(model, resolver)
    flows = compile_flows(model, resolver)
    covered = 0
    for cell in table.cells(src, dst, svc):
        assert cell.src.issubset(src) and cell.dst.issubset(dst) and cell.svc.issubset(svc)
        for p in _packets(cell.src, cell.dst, cell.svc):
            assert decide_compiled(model, resolver, flows, p) == cell.rule, p
        covered += cell.src.size() * cell.dst.size() * cell.svc.size()
    # Cells cover every packet of the region: real addresses, one family per packet.
    fams = [(src.intersection(f), dst.intersection(f)) for f in FAMILIES]
    assert covered == sum(s.size() * d.size() for s, d in fams) * svc.size()


@SETTINGS
@given(model_and_region(), st.sampled_from(("allow", "deny")))
def test_find_packet_and_deciding_rules_agree_with_brute_force(case, want) -> None:  # type: ignore[no-untyped-def]
    model, (src, dst, svc) = case
    resolver = Resolver(model)
    table = FlowTable(model, resolver)
    flows = compile_flows(model, resolver)
    packets = [p for p in _packets(src, dst, svc) if is_packet(p)]
    decided = {p: decide_compiled(model, resolver, flows, p) for p in packets}
    found = table.find_packet(src, dst, svc, want)
    if found is None:
        assert all(r.action != want for r in decided.values())
    else:
        packet, rule = found
        assert decided[packet] == rule and rule.action == want
    assert table.deciding_rules(src, dst, svc) == frozenset(decided.values())
    assert table.allowed(src, dst, svc) == all(r.action == "allow" for r in decided.values())


def _two_zone_model(*flows):  # type: ignore[no-untyped-def]
    zones = [zone("a", "10.0.0.0/28"), zone("b", "10.0.1.0/28"), zone("internet", "0.0.0.0/0", external=True)]
    hosts = [
        host("fleet", "a", "10.0.0.8/29", services=["ssh"]),
        host("db", "b", "10.0.1.5", services=["postgres"]),
    ]
    return make_model(zones, hosts, flows=flows)


def test_a_rule_covering_part_of_a_fleet_splits_it_exactly() -> None:
    model = _two_zone_model(flow("half", "10.0.0.8/30", "db", "postgres"))
    table = FlowTable(model, Resolver(model))
    fleet, db = model.hosts["fleet"].addresses, model.hosts["db"].addresses
    pg = model.services["postgres"].ports
    assert not table.allowed(fleet, db, pg)
    assert table.allowed(cidr_set("10.0.0.8/30"), db, pg)
    packet, rule = table.find_packet(fleet, db, pg, "deny") or (None, None)
    assert packet is not None and packet.src in cidr_set("10.0.0.12/30")
    assert rule is not None and rule.name == "default:inter_zone"
    assert {r.name for r in table.deciding_rules(fleet, db, pg)} == {"half", "default:inter_zone"}


def test_an_empty_region_holds_vacuously_and_has_no_deciding_rule() -> None:
    model = _two_zone_model()
    table = FlowTable(model, Resolver(model))
    assert table.allowed(IntervalSet(), cidr_set("10.0.1.0/28"), PORTS)
    assert table.find_packet(cidr_set("10.0.0.0/28"), cidr_set("10.0.1.0/28"), IntervalSet(), "deny") is None
    assert table.deciding_rules(cidr_set("10.0.0.0/28"), IntervalSet(), PORTS) == frozenset()


def test_internet_witnesses_read_as_documentation_addresses() -> None:
    model = _two_zone_model(flow("in", "internet", "db", "postgres"))
    resolver = Resolver(model)
    table = FlowTable(model, resolver)
    pg = model.services["postgres"].ports
    found = table.find_packet(resolver.zone_sets["internet"], cidr_set("10.0.1.0/28"), pg, "allow")
    assert found is not None and found[0].src == cidr_set("203.0.113.1").first()


def test_cut_groups_addresses_by_rules_zones_and_tags() -> None:
    region = IntervalSet.span(0, 99)
    parts = cut(
        region,
        [IntervalSet.span(10, 19), IntervalSet.span(15, 30)],
        [("z", IntervalSet.span(0, 49))],
        [IntervalSet.span(90, 120)],
    )
    got = [(p.addrs.intervals, p.flows, p.zone, p.tags) for p in parts]
    assert got == [
        (((0, 9), (31, 49)), 0, "z", 0),
        (((10, 14),), 1, "z", 0),
        (((15, 19),), 3, "z", 0),
        (((20, 30),), 2, "z", 0),
        (((50, 89),), 0, None, 0),
        (((90, 99),), 0, None, 1),
    ]


@SETTINGS
@given(models(), st.data())
def test_flow_table_decides_every_packet_as_first_match_does(model, data) -> None:  # type: ignore[no-untyped-def]
    """FlowTable.decide scans only the rules holding the packet's service, and caches."""
    resolver = Resolver(model)
    table, flows = FlowTable(model, resolver), compile_flows(model, resolver)
    points, ports = _points(model), sorted(PORTS.boundaries())
    for _ in range(20):
        p = Packet(
            data.draw(st.sampled_from(points)),
            data.draw(st.sampled_from(points)),
            data.draw(st.sampled_from(ports)),
        )
        assert table.decide(p) == decide_compiled(model, resolver, flows, p), p
        assert table.decide(p) == decide_compiled(model, resolver, flows, p), p  # cached
