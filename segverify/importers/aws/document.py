"""AWS importer: the model folder it writes, as plain values (zones, hosts, layers) with their sources."""

from __future__ import annotations

from dataclasses import dataclass, field

from segverify.diagnostics import Span


@dataclass(frozen=True, slots=True)
class ZoneOut:
    name: str
    networks: tuple[str, ...]
    description: str
    span: Span | None
    tags: tuple[str, ...] = ()
    external: bool = False


@dataclass(frozen=True, slots=True)
class HostOut:
    name: str
    zone: str
    address: str
    description: str
    span: Span
    tags: tuple[str, ...] = ()
    manages: tuple[str, ...] = ()
    relay: bool = False  # forwards connections it accepts (load balancer, endpoint): see network.py


@dataclass(frozen=True, slots=True)
class FlowOut:
    name: str
    sources: tuple[str, ...]
    destinations: tuple[str, ...]
    services: tuple[str, ...]
    allow: bool
    span: Span | None
    note: str = ""


@dataclass(frozen=True, slots=True)
class LayerOut:
    name: str
    summary: str
    flows: tuple[FlowOut, ...]


@dataclass(slots=True)
class Document:
    zones: list[ZoneOut] = field(default_factory=list)
    hosts: list[HostOut] = field(default_factory=list)
    layers: list[LayerOut] = field(default_factory=list)
