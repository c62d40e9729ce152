"""The packet diff is exact: every packet decided differently lies in exactly one group, no other does."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from segverify.diagnostics import Span
from segverify.diff.groups import Group, PacketDiff, packet_diff
from segverify.diff.packets import WHOLE, changed_boxes
from segverify.errors import InternalError
from segverify.model.addresses import ALL_ADDRESSES, V6_BASE, cidr_set
from segverify.model.ir import Defaults, Model
from segverify.model.ports import parse_port_spec
from segverify.model.refs import Resolver
from segverify.results import Packet
from segverify.semantics.packets import mixes_families
from segverify.semantics.regions import FlowTable
from tests.strategies import examples, flow, host, make_model, models, ref_pool, zone

SETTINGS = settings(max_examples=examples(40), deadline=None, suppress_health_check=list(HealthCheck))
SERVICES = sorted(
    v
    for s in ("tcp/20-23", "tcp/443", "tcp/2222", "tcp/5938", "udp/53", "tcp/3389", "icmp")
    for lo, hi in parse_port_spec(s)
    for v in range(lo, min(hi, lo + 2) + 1)
)


def table(model: Model) -> FlowTable:
    return FlowTable(model, Resolver(model))


def diff(a: Model, b: Model) -> PacketDiff:
    return packet_diff(table(a), table(b))


@st.composite
def changed(draw: st.DrawFn, model: Model) -> Model:
    """The model after a change a pull request makes: rules added, removed, moved, edited; defaults."""
    flows = list(model.flows)
    pool = ref_pool(model.zones.values(), model.hosts.values())
    for _ in range(draw(st.integers(1, 3))):
        op = draw(st.sampled_from(("add", "add", "add", "remove", "move", "action", "action", "defaults")))
        if op == "add" or not flows:
            new = draw(st.sampled_from(pool)), draw(st.sampled_from(pool))
            svc = draw(st.sampled_from(("ssh", "https", "tcp/20-22", "any", "udp/53", "icmp")))
            made = make_model([], [], flows=[flow(f"n{len(flows)}", new[0], new[1], svc)]).flows[0]
            flows.insert(
                draw(st.integers(0, len(flows))),
                replace(made, action=draw(st.sampled_from(("allow", "deny")))),
            )
        elif op == "remove":
            flows.pop(draw(st.integers(0, len(flows) - 1)))
        elif op == "move":
            flows.insert(
                draw(st.integers(0, len(flows) - 1)), flows.pop(draw(st.integers(0, len(flows) - 1)))
            )
        elif op == "action":
            i = draw(st.integers(0, len(flows) - 1))
            flows[i] = replace(flows[i], action="deny" if flows[i].action == "allow" else "allow")
        else:
            d = model.defaults
            model = replace(
                model, defaults=replace(d, intra_zone="deny" if d.intra_zone == "allow" else "allow")
            )
    return replace(model, flows=tuple(replace(f, index=i) for i, f in enumerate(flows)))


@st.composite
def model_pairs(draw: st.DrawFn) -> tuple[Model, Model]:
    before = draw(models())
    after = draw(changed(before)) if draw(st.integers(0, 7)) else draw(models())
    return before, after


def _points(*ms: Model) -> list[int]:
    out = {0, cidr_set("203.0.113.9").first(), V6_BASE + 5, V6_BASE + 0x20010DB8 * 2**96 + 5}
    for m in ms:
        for z in m.zones.values():
            out.update(z.addresses.boundaries())
        for h in m.hosts.values():
            out.update(h.addresses.boundaries())
        for f in m.flows:
            for r in f.sources + f.destinations:
                if r.text[0].isdigit():
                    out.update(cidr_set(r.text).boundaries())
    return sorted(p for p in out if p < V6_BASE * 2)


def _packets(draw: st.DrawFn, a: Model, b: Model) -> list[Packet]:
    points = _points(a, b)
    srcs = draw(st.lists(st.sampled_from(points), min_size=1, max_size=10, unique=True))
    dsts = draw(st.lists(st.sampled_from(points), min_size=1, max_size=10, unique=True))
    svcs = draw(st.lists(st.sampled_from(SERVICES), min_size=1, max_size=4, unique=True))
    found = [Packet(s, d, v) for s in srcs for d in dsts for v in svcs]
    # real addresses (not the unused gap of the 129-bit space above IPv4), of one family
    return [p for p in found if p.src in ALL_ADDRESSES and p.dst in ALL_ADDRESSES and not mixes_families(p)]


@SETTINGS
@given(model_pairs(), st.data())
def test_every_changed_packet_is_in_exactly_one_group(pair: tuple[Model, Model], data: st.DataObject) -> None:
    before, after = pair
    old_table, new_table = table(before), table(after)
    result = packet_diff(old_table, new_table)
    for p in _packets(data.draw, before, after):
        old, new = old_table.decide(p), new_table.decide(p)
        holders = [g for g in result.groups() if _holds(g, p)]
        if old.action == new.action:
            assert holders == [], p
        else:
            assert len(holders) == 1, p
            g = holders[0]
            assert (g.before.name, g.after.name, g.after.action) == (old.name, new.name, new.action)


@SETTINGS
@given(model_pairs(), st.data())
def test_examples_differ_and_reversal_swaps_opened_and_closed(
    pair: tuple[Model, Model], data: st.DataObject
) -> None:
    before, after = pair
    old, new = table(before), table(after)
    forward, backward = packet_diff(old, new), packet_diff(new, old)
    for g in forward.groups():
        assert old.decide(g.example).action != new.decide(g.example).action
    for p in _packets(data.draw, before, after):
        assert _within(forward.opened, p) == _within(backward.closed, p), p
        assert _within(forward.closed, p) == _within(backward.opened, p), p


def _holds(g: Group, p: Packet) -> bool:
    return p.src in g.src and p.dst in g.dst and p.svc in g.svc


def _within(groups: tuple[Group, ...], p: Packet) -> bool:
    return any(_holds(g, p) for g in groups)


@SETTINGS
@given(models())
def test_identical_models_have_no_diff(model: Model) -> None:
    assert changed_boxes(table(model), table(model)) == []
    assert diff(model, model).groups() == ()


def _pair() -> tuple[Model, Model]:
    zones = [zone("a", "10.0.0.0/28"), zone("b", "10.1.0.0/28")]
    hosts = [host("web", "b", "10.1.0.4", services=["https"])]
    base = [flow("deny-ssh", "a", "b", "ssh", "deny"), flow("web", "a", "web", "https")]
    before = make_model(zones, hosts, flows=base, defaults=Defaults("allow", "deny"))
    wide = flow("admin", "10.0.0.0/27", "b", "ssh")  # one bit too wide: reaches 10.0.0.16/28 too
    after = make_model(zones, hosts, flows=[wide, *base], defaults=Defaults("allow", "deny"))
    return before, after


def test_a_one_rule_change_sweeps_only_that_rule() -> None:
    before, after = _pair()
    moved = replace(after, defaults=replace(after.defaults, span=Span("after.yaml", 40, 1)))
    boxes = changed_boxes(table(before), table(moved))  # defaults written elsewhere: same decisions
    assert len(boxes) == 1 and boxes[0] != WHOLE
    result = diff(before, after)
    assert result.closed == ()
    inside, outside = result.opened  # sorted: zone "a" before no zone ("")... by from_zone text
    if inside.from_zone is None:
        inside, outside = outside, inside
    assert (inside.before.name, inside.after.name, inside.from_zone, inside.to_zone) == (
        "deny-ssh",
        "admin",
        "a",
        "b",
    )
    assert (inside.src, inside.dst) == (cidr_set("10.0.0.0/28"), cidr_set("10.1.0.0/28"))
    assert inside.svc == parse_port_spec("tcp/22")
    # the part of the wide prefix outside zone a was denied by the inter-zone default
    assert (outside.before.name, outside.from_zone) == ("default:inter_zone", None)
    assert outside.src == cidr_set("10.0.0.16/28")
    assert [g.src for g in diff(after, before).closed] == [inside.src, outside.src] or [
        g.src for g in diff(after, before).closed
    ] == [outside.src, inside.src]


def test_an_example_the_reference_disagrees_with_is_an_internal_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before, after = _pair()
    before_table, after_table = table(before), table(after)
    monkeypatch.setattr(after_table, "decide", before_table.decide)  # a planted disagreement
    with pytest.raises(InternalError, match="packet diff example"):
        packet_diff(before_table, after_table)
