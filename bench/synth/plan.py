"""Synthesis stage: how big a synthetic enterprise is (hosts, sites, rules, policies) for a size step."""

from __future__ import annotations

import math
from dataclasses import dataclass

# The benchmark's size steps: x4 from 100 to 25,600 host entries, then one 100,000-host model.
SIZES = (100, 400, 1_600, 6_400, 25_600)
LARGEST = 100_000
HOSTS_PER_SITE = 1_000
MAX_SITES = 250  # every site is one 10.s.0.0/16
MIN_HOSTS = 40  # two sites with their fixed management hosts, apps and a few workstations


@dataclass(frozen=True, slots=True)
class Plan:
    """`hosts` counts host entries (a fleet is one entry, analysed as one node)."""

    hosts: int
    seed: int
    sites: int
    rules: int  # target: structural rules come first, legacy rules fill up to this count
    policies: int


def plan_for(hosts: int, seed: int = 1, rules: int | None = None, policies: int | None = None) -> Plan:
    """Rules grow linearly (a tenth of the hosts), policies logarithmically (16 at 100, 100 at 100,000)."""
    if hosts < MIN_HOSTS:
        raise ValueError(f"a synthetic enterprise needs at least {MIN_HOSTS} hosts, not {hosts}")
    sites = min(MAX_SITES, max(2, hosts // HOSTS_PER_SITE))
    if hosts > sites * 2 * HOSTS_PER_SITE:
        raise ValueError(f"at most {MAX_SITES * 2 * HOSTS_PER_SITE:,} hosts fit the address plan")
    growth = math.log(max(hosts, 100) / 100) / math.log(1_000)
    return Plan(
        hosts=hosts,
        seed=seed,
        sites=sites,
        rules=rules if rules is not None else max(40, hosts // 10),
        policies=policies if policies is not None else max(16, min(100, round(16 + 84 * growth))),
    )
