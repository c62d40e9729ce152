"""`connectivity` is exact: on random models, every reported service set equals what the reference
semantics (semantics/packets.py, first match on concrete packets) allows, at every address and
port where the answer can change."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from strategies import models

from segverify.connectivity.compute import Connectivity
from segverify.connectivity.layers import Endpoint, model_network
from segverify.model.intervals import IntervalSet
from segverify.model.ir import Model
from segverify.model.ports import ALL_SERVICES
from segverify.model.refs import Resolver
from segverify.results import Packet
from segverify.semantics.firstmatch import decide
from segverify.semantics.packets import mixes_families

EXACT = settings(
    deadline=None, derandomize=True, max_examples=60, suppress_health_check=[HealthCheck.too_slow]
)


def cuts(model: Model, resolver: Resolver) -> tuple[set[int], set[int]]:
    """Address and service points at which some rule or zone starts or stops matching."""
    sets = [resolver.addresses_of(f.sources) for f in model.flows]
    sets += [resolver.addresses_of(f.destinations) for f in model.flows]
    sets += [IntervalSet.span(lo, hi) for lo, hi, _ in resolver.zone_cells]
    addresses = {x for s in sets for lo, hi in s for x in (lo, hi + 1)}
    services = {x for f in model.flows for lo, hi in f.ports for x in (lo, hi + 1)} | {0}
    return addresses, {s for s in services if s in ALL_SERVICES}


def samples(endpoint: Endpoint, points: set[int]) -> list[int]:
    starts = {lo for lo, _ in endpoint.addresses}
    return sorted(p for p in points | starts if p in endpoint.addresses)


def reference(model: Model, resolver: Resolver, srcs: list[int], dsts: list[int], svc: int) -> bool:
    for s in srcs:
        for d in dsts:
            packet = Packet(s, d, svc)
            if not mixes_families(packet) and decide(model, resolver, packet).allowed:
                return True
    return False


@EXACT
@given(models(max_hosts=6, max_flows=8))
def test_connectivity_equals_the_reference_semantics(model: Model) -> None:
    resolver = Resolver(model)
    network = model_network(model)
    found = {(c.src, c.dst): c.services for c in Connectivity(network).connections()}
    address_points, service_points = cuts(model, resolver)
    for a in network.endpoints:
        for b in network.endpoints:
            if a.name == b.name or (a.external and b.external):
                assert (a.name, b.name) not in found
                continue
            srcs, dsts = samples(a, address_points), samples(b, address_points)
            reported = found.get((a.name, b.name), IntervalSet())
            for svc in service_points:
                expected = reference(model, resolver, srcs, dsts, svc)
                assert (svc in reported) == expected, (a.name, b.name, svc)
