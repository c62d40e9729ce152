"""The architecture view of a layered model: every layer's allow rules, the layers in the legend
with their applies_to, and on each edge between two zones the layers that deny some packet there."""

from __future__ import annotations

import dataclasses

import pytest
from render_fixtures import REPO, check_golden

from segverify.model.addresses import cidr_set
from segverify.model.ir import Model
from segverify.model.load import load_model
from segverify.model.ports import parse_port_spec
from segverify.model.refs import Resolver
from segverify.render.dot import render_architecture
from segverify.render.dot_architecture import TOP_LEVEL, Conduits
from segverify.results import Packet
from segverify.semantics.firstmatch import compile_layers

MODEL = "tests/diff/data/layers/after.yaml"


@pytest.fixture
def layered(monkeypatch: pytest.MonkeyPatch) -> Model:
    monkeypatch.chdir(REPO)  # spans cite files relative to the working directory
    return load_model([MODEL])


def edge(dot: str, edge_id: str) -> str:
    """The DOT line of one edge (one statement per line)."""
    (line,) = [line for line in dot.splitlines() if f'id="{edge_id}"' in line or f"id={edge_id} " in line]
    return line


def test_the_layered_architecture_is_its_golden_and_deterministic(layered: Model) -> None:
    dot = render_architecture(layered)
    check_golden("fixture-layers-architecture.dot", dot)
    assert render_architecture(layered) == dot
    assert "Architecture: 2 zones, 2 hosts, 3 allow rules" in dot  # every layer's allow rules


def test_the_legend_lists_every_layer_with_where_it_applies(layered: Model) -> None:
    dot = render_architecture(layered)
    assert "top level: every packet; 1 rule; defaults above" in dot
    assert "host-fw: any -&gt; web; 2 rules; unmatched: same zone allow, across zones deny" in dot
    assert "pc-fw: pc -&gt; any; 1 rule; unmatched: same zone allow, across zones allow" in dot
    assert "enforcement layers" not in render_architecture(dataclasses.replace(layered, layers=()))


def test_each_zone_pair_edge_names_the_layers_that_deny_there(layered: Model) -> None:
    dot = render_architecture(layered)
    pc_to_web = edge(dot, "flow-h_pc-h_web")
    assert 'label="ssh\\n[top level, host-fw, pc-fw]"' in pc_to_web
    assert "host-fw: web-ssh-pc (tests/diff/data/layers/after.yaml:15): ssh" in pc_to_web
    assert "layers that deny some packet office -> servers: top level, host-fw, pc-fw" in pc_to_web
    # an edge from a reference outside every zone has no zone pair to describe
    assert "label=https " in edge(dot, "flow-ref_any-h_web")


def test_the_deniers_are_what_the_reference_decides(layered: Model) -> None:
    """Every layer, every zone pair: some packet denied there (by first match inside the layer,
    where it applies) exactly when the conduit names the layer. The model is small enough that a
    packet at every boundary and each service written in it covers every class."""
    resolver = Resolver(layered)
    layers = compile_layers(layered, resolver)
    points = sorted(
        {b for z in resolver.zone_sets.values() for b in z.boundaries()}
        | {cidr_set(a).first() + d for a in ("10.1.0.5", "10.2.0.5") for d in (-1, 0, 1)}
    )
    services = [parse_port_spec(s).first() for s in ("tcp/22", "tcp/443", "tcp/80", "udp/53", "icmp")]
    conduits = Conduits(layered)
    for a in layered.zones:
        for b in layered.zones:
            expected = []
            for layer in layers:
                packets = (
                    Packet(s, d, v)
                    for s in points
                    if resolver.zone_of(s) == a
                    for d in points
                    if resolver.zone_of(d) == b
                    for v in services
                )
                if any(layer.applies(p) and layer.decide(resolver, p).action == "deny" for p in packets):
                    expected.append(layer.name or TOP_LEVEL)
            assert conduits.deniers(a, b) == expected, (a, b)
