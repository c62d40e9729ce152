"""Kubernetes importer: the plan's layers with names resolved, for connectivity without a round trip
through the written model (`segverify connectivity --from k8s`, the NCA comparison)."""

from __future__ import annotations

from segverify.connectivity.layers import Endpoint, Layer, LayerRule, Network
from segverify.importers.k8s.plan import FlowPlan, ModelPlan
from segverify.model.addresses import ALL_ADDRESSES, cidr_set
from segverify.model.intervals import IntervalSet, union_all
from segverify.model.ports import parse_port_spec


def plan_network(plan: ModelPlan) -> Network:
    sets: dict[str, IntervalSet] = {"any": ALL_ADDRESSES}
    for z in plan.zones:
        sets[z.name] = union_all(cidr_set(n) for n in z.networks)
    for h in plan.hosts:
        sets[h.name] = cidr_set(h.address)
    hosts = [Endpoint(h.name, sets[h.name], False) for h in plan.hosts]
    zones = [Endpoint(z.name, sets[z.name], True) for z in plan.zones if z.external]
    layers = tuple(
        Layer(name, tuple(_rule(f, sets) for f in flows), True, True)
        for name, flows in (("egress", plan.egress), ("ingress", plan.ingress))
    )
    cells = sorted((lo, hi, z.name) for z in plan.zones for lo, hi in sets[z.name])
    return Network(tuple(hosts + zones), layers, tuple(cells))


def _rule(f: FlowPlan, sets: dict[str, IntervalSet]) -> LayerRule:
    return LayerRule(
        f.name,
        union_all(sets[r] for r in f.sources),
        union_all(sets[r] for r in f.destinations),
        union_all(parse_port_spec(s) for s in f.services),
        f.action == "allow",
    )
