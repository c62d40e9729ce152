"""Resolver.hosts: the hosts a reference denotes, each reference worked out once."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import replace
from pathlib import Path

from segverify.model.ir import Host, Model
from segverify.model.load import load_model
from segverify.model.refs import TAG_PREFIX, Resolver

ROOT = Path(__file__).resolve().parents[2]
MODELS = [
    ROOT / "examples" / "quickstart",
    ROOT / "examples" / "pci-cde" / "segmented",
    ROOT / "tests" / "cases" / "ipv6",
]


def brute_force(model: Model, text: str) -> frozenset[str]:
    """The spec's definition, host by host."""
    hosts = model.hosts.values()
    if text == "any":
        return frozenset(model.hosts)
    if text in model.zones:
        return frozenset(h.name for h in hosts if h.zone == text)
    if text in model.hosts:
        return frozenset((text,))
    if text.startswith(TAG_PREFIX):
        tag = text[len(TAG_PREFIX) :]
        zones = {z.name for z in model.zones.values() if tag in z.tags}
        return frozenset(h.name for h in hosts if tag in h.tags or h.zone in zones)
    net = Resolver(model).addresses(text)
    return frozenset(h.name for h in hosts if h.addresses.intersects(net))


def references(model: Model) -> list[str]:
    tags = {t for z in model.zones.values() for t in z.tags} | {
        t for h in model.hosts.values() for t in h.tags
    }
    cidrs = [h.address for h in model.hosts.values()] + ["10.0.0.0/8", "0.0.0.0/0", "::/0"]
    return ["any", *model.zones, *model.hosts, *(TAG_PREFIX + t for t in sorted(tags)), *cidrs]


def test_hosts_match_the_definition() -> None:
    for path in MODELS:
        model = load_model([str(path)])
        resolver = Resolver(model)
        for text in references(model) * 2:  # the second round comes from the cache
            assert resolver.hosts(text) == brute_force(model, text), (path, text)


class CountingHosts(Mapping[str, Host]):
    """A model's hosts that count how often all of them are walked."""

    def __init__(self, hosts: Mapping[str, Host]) -> None:
        self.hosts = hosts
        self.walks = 0

    def __getitem__(self, name: str) -> Host:
        return self.hosts[name]

    def __iter__(self) -> Iterator[str]:
        self.walks += 1
        return iter(self.hosts)

    def __len__(self) -> int:
        return len(self.hosts)

    def values(self) -> list[Host]:  # type: ignore[override]
        self.walks += 1
        return list(self.hosts.values())


def test_zone_references_walk_the_hosts_once() -> None:
    model = load_model([str(MODELS[1])])
    counting = CountingHosts(model.hosts)
    resolver = Resolver(replace(model, hosts=counting))
    for _ in range(3):
        for zone in model.zones:
            resolver.hosts(zone)
            resolver.hosts(TAG_PREFIX + "pci")
    assert counting.walks == 2  # one index of hosts by zone, one scan for the tag
