"""Test helper: decide a packet on an imported model, one layer at a time through segverify's semantics.

Each layer is loaded as a model of its own (the imported zones and hosts, the layer's flows and
defaults) and decided by semantics/packets.py; a packet is allowed iff every layer allows it, which
is what the layers issue defines. The importer's translation is what is under test, not this.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

from segverify.model.addresses import cidr_set
from segverify.model.ir import Model
from segverify.model.load import load_model_texts
from segverify.model.refs import Resolver
from segverify.results import Packet
from segverify.semantics.packets import CompiledFlow, compile_flows, decide_compiled


@dataclass
class Layer:
    name: str
    model: Model
    resolver: Resolver
    flows: tuple[CompiledFlow, ...]


def _layer_text(doc: dict[str, Any], flows: list[Any], defaults: dict[str, str]) -> str:
    body = {
        "segverify": 1,
        "zones": doc["zones"],
        "hosts": doc.get("hosts") or {},
        "flows": flows,
        "defaults": defaults,
    }
    return yaml.safe_dump(body, sort_keys=False)


def load_layers(text: str) -> list[Layer]:
    doc = yaml.safe_load(text)
    parts = [(layer["name"], layer["flows"], layer["defaults"]) for layer in doc.get("layers") or []]
    parts.append(("top-level", doc.get("flows") or [], doc["defaults"]))
    layers = []
    for name, flows, defaults in parts:
        model = load_model_texts([(f"{name}.yaml", _layer_text(doc, flows, defaults))])
        resolver = Resolver(model)
        layers.append(Layer(name, model, resolver, compile_flows(model, resolver)))
    return layers


def address(text: str) -> int:
    return cidr_set(text).first()


def allowed(layers: list[Layer], src: str, dst: str, svc: int) -> bool:
    packet = Packet(address(src), address(dst), svc)
    return all(
        decide_compiled(layer.model, layer.resolver, layer.flows, packet).action == "allow"
        for layer in layers
    )


def deciding(layers: list[Layer], src: str, dst: str, svc: int) -> dict[str, str]:
    packet = Packet(address(src), address(dst), svc)
    return {
        layer.name: decide_compiled(layer.model, layer.resolver, layer.flows, packet).name for layer in layers
    }
