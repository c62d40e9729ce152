"""Kubernetes importer: pod addresses, allocated deterministically, and the external address atoms.

Pods get addresses from POD_CIDR: namespaces in sorted order, each an aligned block (at least 16
addresses) holding its workloads in sorted order, one address per workload. ipBlock peers are
outside the cluster (Kubernetes applies them to external addresses only), so the external
address space is cut at every ipBlock `cidr` and `except` boundary into atoms, each one
external zone named `ext-<first>-<last>`, and POD_CIDR is left out of every atom.
"""

from __future__ import annotations

import ipaddress

from segverify.model.addresses import V6_BASE, cidr_set, format_address, format_set
from segverify.model.intervals import IntervalSet

POD_CIDR = "10.244.0.0/16"
V4_ALL = IntervalSet.span(0, 2**32 - 1)


def cidr_interval(cidr: str) -> IntervalSet:
    """An ipBlock's CIDR (host bits set are ignored, as Kubernetes' own parser does); ValueError if bad."""
    return cidr_set(str(ipaddress.ip_network(cidr, strict=False)))


POD_SET = cidr_interval(POD_CIDR)


def namespace_blocks(counts: dict[str, int]) -> dict[str, tuple[int, int]]:
    """(first address, size) of each namespace's block, in sorted order of namespace names."""
    out = {}
    cursor = POD_SET.first()
    for ns in sorted(counts):
        size = 16
        while size < counts[ns] + 2:  # the block's first and last addresses stay unused
            size *= 2
        cursor = -(-cursor // size) * size
        out[ns] = (cursor, size)
        cursor += size
    if cursor > POD_SET.intervals[-1][1] + 1:
        raise ValueError(f"the workloads do not fit in the pod CIDR {POD_CIDR}")
    return out


def atoms(blocks: list[IntervalSet]) -> list[tuple[int, int]]:
    """The external space (IPv4, plus IPv6 when an ipBlock is IPv6) cut at every block boundary."""
    space = V4_ALL
    if any(b.first() >= V6_BASE for b in blocks if b):
        space = space.union(IntervalSet.span(V6_BASE, V6_BASE + 2**128 - 1))
    cuts = {lo for lo, _ in space} | {hi + 1 for _, hi in space}
    for b in blocks:
        cuts |= {lo for lo, _ in b} | {hi + 1 for _, hi in b}
    cuts |= {lo for lo, _ in POD_SET} | {hi + 1 for _, hi in POD_SET}
    edges = sorted(cuts)
    outside = space.difference(POD_SET)
    return [(lo, hi - 1) for lo, hi in zip(edges, edges[1:], strict=False) if lo in outside]


def atom_name(lo: int, hi: int) -> str:
    return f"ext-{format_address(lo)}-{format_address(hi)}"


def atom_networks(lo: int, hi: int) -> tuple[str, ...]:
    return tuple(format_set(IntervalSet.span(lo, hi)))
