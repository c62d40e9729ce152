"""Connectivity stage: enforcement layers with their references resolved to address sets.

A packet is allowed iff every layer that applies to it allows it; a layer decides by first match
over its rules, then by its defaults (intra_zone when both ends lie in one zone). The layers of a
model are compiled by the reference semantics (semantics/firstmatch.py), the implicit one first.
"""

from __future__ import annotations

from dataclasses import dataclass

from segverify.model.intervals import IntervalSet, union_all
from segverify.model.ir import Model
from segverify.model.refs import Resolver
from segverify.semantics.firstmatch import compile_layers


@dataclass(frozen=True, slots=True)
class LayerRule:
    name: str
    sources: IntervalSet
    destinations: IntervalSet
    ports: IntervalSet
    allow: bool


@dataclass(frozen=True, slots=True)
class Layer:
    name: str
    rules: tuple[LayerRule, ...]
    intra_allow: bool
    inter_allow: bool
    applies_from: IntervalSet | None = None  # None: every source
    applies_to: IntervalSet | None = None


@dataclass(frozen=True, slots=True)
class Endpoint:
    """A host, or an external zone (listed by its networks)."""

    name: str
    addresses: IntervalSet
    external: bool


@dataclass(frozen=True, slots=True)
class Network:
    """What connectivity reads: endpoints, layers and the zone of every address (for defaults)."""

    endpoints: tuple[Endpoint, ...]
    layers: tuple[Layer, ...]
    zone_cells: tuple[tuple[int, int, str], ...]


def model_network(model: Model) -> Network:
    """The model's layers (the implicit one first) as the reference semantics resolves them."""
    resolver = Resolver(model)
    layers = tuple(
        Layer(
            cl.name or "flows",
            tuple(
                LayerRule(cf.rule.name, cf.sources, cf.destinations, cf.ports, cf.rule.action == "allow")
                for cf in cl.rules
            ),
            cl.intra.action == "allow",
            cl.inter.action == "allow",
            cl.sources,
            cl.destinations,
        )
        for cl in compile_layers(model, resolver)
    )
    hosts = [Endpoint(h.name, h.addresses, False) for h in model.hosts.values()]
    taken = union_all(h.addresses for h in hosts)
    # An external zone stands for its addresses that no host has (a host is listed on its own).
    outside = [
        (z.name, resolver.zone_sets[z.name].difference(taken)) for z in model.zones.values() if z.external
    ]
    zones = [Endpoint(name, addrs, True) for name, addrs in outside if addrs]
    return Network(tuple(hosts + zones), layers, tuple(resolver.zone_cells))
