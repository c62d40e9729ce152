"""Synthesis stage: a mutable draft that builds IR entities directly (no YAML), then one Model.

The generator computes addresses as integers, so a 100,000-host model is built without
parsing a single CIDR string per host; the resulting Model equals what the loader builds
from the same entities written as YAML (spans aside).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from typing import TypeVar

from segverify.model.addresses import cidr_set
from segverify.model.catalog import builtin_services
from segverify.model.intervals import IntervalSet, union_all
from segverify.model.ir import (
    Action,
    Defaults,
    Flow,
    Host,
    Model,
    Policy,
    Principal,
    Ref,
    Service,
    Waiver,
    Zone,
)
from segverify.model.ports import looks_like_port_spec, parse_port_spec

V = TypeVar("V")


def v4_text(value: int) -> str:
    return f"{value >> 24}.{(value >> 16) & 255}.{(value >> 8) & 255}.{value & 255}"


def v4_cidr(start: int, prefix: int) -> str:
    return v4_text(start) if prefix == 32 else f"{v4_text(start)}/{prefix}"


def refs(texts: Iterable[str]) -> tuple[Ref, ...]:
    return tuple(Ref(t) for t in texts)


class Draft:
    """Entities in the order they are added; `model()` sorts the named ones as the loader does."""

    def __init__(self) -> None:
        self.zones: dict[str, Zone] = {}
        self.services: dict[str, Service] = builtin_services()
        self.hosts: dict[str, Host] = {}
        self.principals: dict[str, Principal] = {}
        self.flows: list[Flow] = []
        self.policies: list[Policy] = []
        self.waivers: list[Waiver] = []
        self.defaults = Defaults()

    def zone(
        self, name: str, networks: tuple[str, ...], external: bool = False, tags: tuple[str, ...] = ()
    ) -> Zone:
        z = Zone(name, networks, union_all(cidr_set(n) for n in networks), external, tags)
        self.zones[name] = z
        return z

    def service(self, name: str, specs: tuple[str, ...], login: bool = False) -> None:
        self.services[name] = Service(name, union_all(parse_port_spec(s) for s in specs), specs, login)

    def host(
        self,
        name: str,
        zone: str,
        start: int,
        prefix: int,
        *,
        services: tuple[str, ...] = (),
        logins: tuple[str, ...] = (),
        sessions: tuple[str, ...] = (),
        manages: tuple[str, ...] = (),
        vulnerable: tuple[str, ...] = (),
        tags: tuple[str, ...] = (),
    ) -> Host:
        """A v4 host (prefix 32) or a fleet (a shorter prefix)."""
        size = 1 << (32 - prefix)
        addrs = IntervalSet.span(start, start + size - 1)
        address = v4_cidr(start, prefix)
        return self.add_host(
            Host(
                name,
                zone,
                address,
                addrs,
                size > 1,
                services=services,
                logins=logins,
                sessions=sessions,
                manages=refs(manages),
                vulnerable=vulnerable,
                tags=tags,
            )
        )

    def add_host(self, host: Host) -> Host:
        for s in host.services:
            if s not in self.services and looks_like_port_spec(s):
                # An inline port spec on a host becomes a service named by its text (not a login).
                self.services[s] = Service(s, parse_port_spec(s), (s,), False)
        self.hosts[host.name] = host
        return host

    def account(self, name: str, member_of: tuple[str, ...] = (), mfa: bool = False) -> None:
        self.principals[name] = Principal(name, "account", member_of, mfa)
        self._implicit_groups(member_of)

    def group(self, name: str, member_of: tuple[str, ...] = (), description: str = "") -> None:
        self.principals[name] = Principal(name, "group", member_of, description=description)
        self._implicit_groups(member_of)

    def _implicit_groups(self, names: tuple[str, ...]) -> None:
        for g in names:
            self.principals.setdefault(g, Principal(g, "group"))

    def ports(self, services: Iterable[str]) -> IntervalSet:
        return union_all(
            self.services[s].ports if s in self.services else parse_port_spec(s) for s in services
        )

    def flow(
        self,
        name: str,
        sources: Iterable[str],
        destinations: Iterable[str],
        services: Iterable[str],
        action: Action = "allow",
        owner: str = "",
        ticket: str = "",
    ) -> Flow:
        names = tuple(services)
        src, dst = refs(sources), refs(destinations)
        f = Flow(
            len(self.flows), name, src, dst, names, self.ports(names), action, owner=owner, ticket=ticket
        )
        self.flows.append(f)
        return f

    def model(self) -> Model:
        """The model so far; flows may have been reordered, so their indexes are renumbered."""
        flows = tuple(
            f if f.index == i else dataclasses.replace(f, index=i) for i, f in enumerate(self.flows)
        )
        return Model(
            zones=by_name(self.zones),
            services=by_name(self.services),
            hosts=by_name(self.hosts),
            principals=by_name(self.principals),
            flows=flows,
            defaults=self.defaults,
            policies=tuple(self.policies),
            waivers=tuple(self.waivers),
        )


def by_name(entities: Mapping[str, V]) -> dict[str, V]:
    return dict(sorted(entities.items()))
