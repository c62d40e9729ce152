"""Kubernetes importer: what the model will hold (zones, hosts, two layers), before it is written."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class ZonePlan:
    name: str
    networks: tuple[str, ...]
    external: bool
    note: str


@dataclass(frozen=True, slots=True)
class HostPlan:
    name: str
    zone: str
    address: str
    note: str
    services: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class FlowPlan:
    name: str
    sources: tuple[str, ...]
    destinations: tuple[str, ...]
    services: tuple[str, ...]
    action: str
    note: str


@dataclass
class ModelPlan:
    zones: list[ZonePlan] = field(default_factory=list)
    hosts: list[HostPlan] = field(default_factory=list)
    egress: list[FlowPlan] = field(default_factory=list)
    ingress: list[FlowPlan] = field(default_factory=list)
