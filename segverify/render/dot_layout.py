"""Render stage (diagrams): which zones and hosts a picture shows, and what stands for the rest.

Big models would make dot run for minutes and the picture unreadable, so past a threshold every
zone becomes one node except the zones holding a pinned host (one on a shown path); counts are
capped per zone and overall, and whatever is left out is represented by a "more" node.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from segverify.model.ir import Model
from segverify.render.dot_style import dot_id

HOST_THRESHOLD = 60  # architecture: more hosts than this, collapse every zone to one node
PATHS_THRESHOLD = 20  # paths: more hosts than this, collapse the zones the drawing does not touch
MAX_HOSTS_PER_ZONE = 40  # in an expanded zone, beyond the pinned hosts
PATHS_HOSTS_PER_ZONE = 12  # the same on a paths view, where the pinned hosts are the point
MAX_ZONES = 80
MAX_PINNED = 150  # hosts a shown path or closed set may force into the picture


@dataclass(frozen=True, slots=True)
class Layout:
    clusters: tuple[str, ...]  # zones drawn as clusters, external first, each group by name
    collapsed: tuple[str, ...]  # zones drawn as one node
    hidden_zones: tuple[str, ...]  # zones left out (beyond MAX_ZONES)
    hosts: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # shown hosts per cluster
    hidden_hosts: Mapping[str, int] = field(default_factory=dict)  # left-out host count per cluster


def zone_order(model: Model) -> list[str]:
    """External zones first (they sit at the edge of the picture), then internal, each by name."""
    return sorted(model.zones, key=lambda z: (not model.zones[z].external, z))


def hosts_by_zone(model: Model) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {z: [] for z in model.zones}
    for name in sorted(model.hosts):
        out.setdefault(model.hosts[name].zone, []).append(name)
    return out


def plan_layout(
    model: Model,
    pinned: frozenset[str] = frozenset(),
    threshold: int = HOST_THRESHOLD,
    max_hosts_per_zone: int = MAX_HOSTS_PER_ZONE,
    max_zones: int = MAX_ZONES,
) -> Layout:
    """Expand every zone of a small model; of a large one, only pinned zones and those of pinned hosts.

    `pinned` holds host and zone names (they share one namespace).
    """
    members = hosts_by_zone(model)
    zones_named = {z for z in pinned if z in model.zones}
    pinned = frozenset(sorted(h for h in pinned if h in model.hosts)[:MAX_PINNED])
    pinned_zones = {model.hosts[h].zone for h in pinned} | zones_named
    order = zone_order(model)
    keep = [z for z in order if z in pinned_zones]
    keep += [z for z in order if z not in pinned_zones][: max(0, max_zones - len(keep))]
    kept = set(keep)
    small = len(model.hosts) <= threshold
    clusters = tuple(z for z in order if z in kept and (small or z in pinned_zones))
    hosts: dict[str, tuple[str, ...]] = {}
    hidden: dict[str, int] = {}
    for z in clusters:
        must = [h for h in members[z] if h in pinned]
        rest = [h for h in members[z] if h not in pinned]
        shown = set(must + rest[:max_hosts_per_zone])
        hosts[z] = tuple(h for h in members[z] if h in shown)
        hidden[z] = len(members[z]) - len(shown)
    return Layout(
        clusters=clusters,
        collapsed=tuple(z for z in order if z in kept and z not in clusters),
        hidden_zones=tuple(z for z in order if z not in kept),
        hosts=hosts,
        hidden_hosts=hidden,
    )


def host_node(name: str) -> str:
    return dot_id("h_", name)


def zone_node(name: str) -> str:
    """The zone's anchor inside its cluster, or the zone itself when collapsed."""
    return dot_id("z_", name)


def cluster_name(zone: str) -> str:
    return dot_id("cluster_", zone)


def more_node(zone: str) -> str:
    return dot_id("more_", zone)


MORE_ZONES = "more_zones"


def representative(model: Model, layout: Layout, host: str) -> str:
    """The DOT node that stands for a host: itself, its zone's "more" node, its zone, or the rest."""
    zone = model.hosts[host].zone
    if zone in layout.hosts:
        return host_node(host) if host in layout.hosts[zone] else more_node(zone)
    if zone in layout.collapsed:
        return zone_node(zone)
    return MORE_ZONES
