"""The written model means what the importer meant: loaded back, its layers give the same
connectivity as the importer's own plan, and that connectivity is the reference semantics'
(semantics/firstmatch.py, every layer, concrete packets) at every port where it can change."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.synth.k8s import generate_cluster
from segverify.connectivity.compute import Connectivity
from segverify.connectivity.layers import model_network
from segverify.importers.k8s.command import import_k8s, model_path
from segverify.importers.k8s.network import plan_network
from segverify.model.intervals import IntervalSet
from segverify.model.load import load_model
from segverify.model.ports import ALL_SERVICES
from segverify.model.refs import Resolver
from segverify.results import Packet
from segverify.semantics.firstmatch import decide


def imported(folder: Path, seed: int) -> tuple[str, Path]:
    src = folder / "cluster.yaml"
    src.write_text(generate_cluster(seed, pods=8, policies=4), encoding="utf-8")
    result = import_k8s([str(src)])
    out = folder / "model"
    out.mkdir()
    model_path(out).write_text(result.text, encoding="utf-8")
    return str(src), out


@pytest.mark.parametrize("seed", range(12))
def test_the_written_model_has_the_plans_connectivity(tmp_path: Path, seed: int) -> None:
    src, out = imported(tmp_path, seed)
    from_plan = Connectivity(plan_network(import_k8s([src]).plan)).connections()
    from_model = Connectivity(model_network(load_model([str(out)], []))).connections()
    assert from_model == from_plan


@pytest.mark.parametrize("seed", range(4))
def test_host_pairs_follow_the_reference_through_every_layer(tmp_path: Path, seed: int) -> None:
    _, out = imported(tmp_path, seed)
    model = load_model([str(out)], [])
    resolver = Resolver(model)
    found = {(c.src, c.dst): c.services for c in Connectivity(model_network(model)).connections()}
    flows = [f for layer in model.layers for f in layer.flows]
    points = sorted({x for f in flows for lo, hi in f.ports for x in (lo, hi + 1)} | {0})
    hosts = list(model.hosts.values())
    for a in hosts:
        for b in hosts:
            if a.name == b.name:
                continue
            reported = found.get((a.name, b.name), IntervalSet())
            for svc in (p for p in points if p in ALL_SERVICES):
                packet = Packet(a.addresses.first(), b.addresses.first(), svc)
                assert (svc in reported) == decide(model, resolver, packet).allowed, (a.name, b.name, svc)


def test_a_wrong_answer_is_an_internal_error_never_output(tmp_path: Path) -> None:
    from segverify.connectivity.compute import Connection
    from segverify.connectivity.recheck import recheck
    from segverify.errors import InternalError
    from segverify.model.ports import proto_ports

    _, out = imported(tmp_path, 3)
    model = load_model([str(out)], [])
    conns = Connectivity(model_network(model)).connections()
    recheck(model, conns)  # the true answer passes
    first = next(c for c in conns if c.src in model.hosts and c.dst in model.hosts)
    wrong = Connection(first.src, first.dst, first.services.union(proto_ports(1, 0, 65535)))
    if wrong.services == first.services:  # it allowed ICMP already: claim one port less instead
        wrong = Connection(first.src, first.dst, first.services.difference(proto_ports(6, 80, 80)))
    with pytest.raises(InternalError):
        recheck(model, [wrong])
