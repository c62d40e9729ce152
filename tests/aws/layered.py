"""Test helper: decide a concrete packet on an imported model through segverify's layered semantics."""

from __future__ import annotations

from dataclasses import dataclass

from segverify.model.addresses import cidr_set
from segverify.model.load import load_model_texts
from segverify.model.refs import Resolver
from segverify.results import Packet
from segverify.semantics.firstmatch import CompiledLayer, Decision, compile_layers, decide_layers


@dataclass
class Loaded:
    resolver: Resolver
    layers: tuple[CompiledLayer, ...]


def load_layers(text: str) -> Loaded:
    model = load_model_texts([("aws.yaml", text)])
    resolver = Resolver(model)
    return Loaded(resolver, compile_layers(model, resolver))


def _decide(loaded: Loaded, src: str, dst: str, svc: int) -> Decision:
    packet = Packet(cidr_set(src).first(), cidr_set(dst).first(), svc)
    return decide_layers(loaded.layers, loaded.resolver, packet)


def allowed(loaded: Loaded, src: str, dst: str, svc: int) -> bool:
    return _decide(loaded, src, dst, svc).allowed


def deciding(loaded: Loaded, src: str, dst: str, svc: int) -> list[str]:
    return [rule.name for rule in _decide(loaded, src, dst, svc).rules]
