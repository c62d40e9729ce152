"""Connectivity: the command's work, from a loaded model or straight from Kubernetes manifests."""

from __future__ import annotations

from collections.abc import Sequence

from segverify import collector
from segverify.connectivity.compute import Connectivity
from segverify.connectivity.layers import Network, model_network
from segverify.connectivity.recheck import recheck
from segverify.connectivity.render import RENDERERS
from segverify.model.ir import Model

FORMATS = tuple(RENDERERS)


def connectivity_text(network: Network, fmt: str) -> str:
    # Millions of small objects and no cycles (collector.py): the collector would only rescan them.
    with collector.paused():
        return RENDERERS[fmt](Connectivity(network).connections())


def model_connectivity(model: Model, fmt: str) -> str:
    """A model's connectivity, a sample of it re-checked by the reference semantics first."""
    with collector.paused():
        conns = Connectivity(model_network(model)).connections()
        recheck(model, conns)
        return RENDERERS[fmt](conns)


def k8s_network(paths: Sequence[str]) -> tuple[Network, list[str]]:
    """The network of Kubernetes manifests, and the importer's warnings as text."""
    from segverify.importers.k8s.command import import_k8s
    from segverify.importers.k8s.network import plan_network

    with collector.paused():
        imported = import_k8s(paths)
    return plan_network(imported.plan), [w.render() for w in imported.warnings]
