"""Property tests: the interval algebra against Python sets, zone membership against brute force."""

from __future__ import annotations

import ipaddress

from hypothesis import given, settings
from hypothesis import strategies as st

from segverify.model.addresses import cidr_set
from segverify.model.intervals import IntervalSet, union_all
from segverify.model.ir import Model, Zone
from segverify.model.refs import Resolver

UNIVERSE = 64
intervals = st.lists(st.tuples(st.integers(0, UNIVERSE), st.integers(0, UNIVERSE)), max_size=6)


def as_set(s: IntervalSet) -> set[int]:
    return {v for lo, hi in s for v in range(lo, hi + 1)}


def points(raw: list[tuple[int, int]]) -> set[int]:
    return {v for lo, hi in raw for v in range(lo, hi + 1)}


def well_formed(s: IntervalSet) -> bool:
    pairs = s.intervals
    return all(lo <= hi for lo, hi in pairs) and all(
        a[1] + 1 < b[0] for a, b in zip(pairs, pairs[1:], strict=False)
    )


@given(
    st.lists(
        st.tuples(st.integers(0, UNIVERSE), st.integers(0, 2)).map(lambda t: (t[0], t[0] + t[1])), max_size=2
    ),
    st.lists(
        st.tuples(st.integers(0, UNIVERSE), st.integers(0, 2)).map(lambda t: (t[0], t[0] + t[1])), max_size=30
    ),
)
def test_lopsided_intersections_match_python_sets(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> None:
    # A few intervals against many take the binary-search path (intervals.LOPSIDED).
    x, y = IntervalSet.of(a), IntervalSet.of(b)
    for left, right in ((x, y), (y, x)):
        result = left.intersection(right)
        assert well_formed(result) and as_set(result) == points(a) & points(b)
        assert left.intersects(right) == bool(points(a) & points(b))


@given(intervals, intervals)
def test_interval_algebra_matches_python_sets(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> None:
    x, y = IntervalSet.of(a), IntervalSet.of(b)
    px, py = points(a), points(b)
    assert as_set(x) == px
    for result, expected in ((x.union(y), px | py), (x.intersection(y), px & py), (x.difference(y), px - py)):
        assert well_formed(result)
        assert as_set(result) == expected
    assert x.issubset(y) == (px <= py)
    assert x.intersects(y) == bool(px & py)
    assert x.size() == len(px)
    assert all((v in x) == (v in px) for v in range(-1, UNIVERSE + 2))


# ---- zone membership over 10.0.0.0/24 -------------------------------------------------------------

BASE = int(ipaddress.IPv4Address("10.0.0.0"))


@st.composite
def networks(draw: st.DrawFn) -> str:
    prefix = draw(st.integers(24, 32))
    block = 1 << (32 - prefix)
    start = draw(st.integers(0, 256 // block - 1)) * block
    return f"{ipaddress.IPv4Address(BASE + start)}/{prefix}"


@st.composite
def zoned_models(draw: st.DrawFn) -> Model:
    """Disjoint internal zones (validation demands it) and external zones with distinct networks."""
    zones: dict[str, Zone] = {}
    taken = IntervalSet()
    for i, net in enumerate(draw(st.lists(networks(), max_size=4))):
        if not cidr_set(net).intersects(taken):
            taken = taken.union(cidr_set(net))
            zones[f"in{i}"] = Zone(f"in{i}", (net,), cidr_set(net))
    external = draw(st.lists(networks(), max_size=4, unique=True))
    for i, net in enumerate(external):
        zones[f"ex{i}"] = Zone(f"ex{i}", (net,), cidr_set(net), external=True)
    return Model(zones=dict(sorted(zones.items())))


def expected_zone(model: Model, address: int) -> str | None:
    internal = [z.name for z in model.zones.values() if not z.external and address in z.addresses]
    if internal:
        return internal[0]
    external = [
        (z.addresses.size(), z.name) for z in model.zones.values() if z.external and address in z.addresses
    ]
    return min(external)[1] if external else None


@settings(max_examples=200)
@given(zoned_models())
def test_zone_sets_internal_first_most_specific_external_disjoint(model: Model) -> None:
    zone_sets = Resolver(model).zone_sets
    assert set(zone_sets) == set(model.zones)
    names = sorted(zone_sets)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            assert not zone_sets[a].intersects(zone_sets[b]), (a, b)
    for z in model.zones.values():
        if not z.external:
            assert zone_sets[z.name] == z.addresses
    for offset in range(-1, 257):
        address = BASE + offset
        owners = [name for name, s in zone_sets.items() if address in s]
        expected = expected_zone(model, address)
        assert owners == ([] if expected is None else [expected])
    assert union_all(zone_sets.values()) == union_all(z.addresses for z in model.zones.values())
