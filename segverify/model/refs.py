"""Model stage: references (zone, host, CIDR, `any`, `tag:NAME`) to address sets and host sets.

Zone membership follows the spec: an address belongs to the internal zone whose networks
contain it; otherwise to the most specific external zone containing it; otherwise to none.
So an external `internet: 0.0.0.0/0` means "every address in no other zone".
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from functools import cached_property

from segverify.model.addresses import ALL_ADDRESSES, AddressError, cidr_set
from segverify.model.intervals import IntervalSet, union_all
from segverify.model.ir import Model, Ref

TAG_PREFIX = "tag:"


class Resolver:
    """Resolves references of one model; caches per reference text."""

    def __init__(self, model: Model) -> None:
        self.model = model
        self._addr_cache: dict[str, IntervalSet] = {}
        self._hosts_cache: dict[str, frozenset[str]] = {}

    @cached_property
    def zone_sets(self) -> dict[str, IntervalSet]:
        """Each zone's effective membership (disjoint across zones)."""
        zones = self.model.zones.values()
        internal = {z.name: z.addresses for z in zones if not z.external}
        out = dict(internal)
        taken = union_all(internal.values())
        nets = sorted(
            ((cidr_set(n), z.name) for z in zones if z.external for n in z.networks),
            key=lambda item: (item[0].size(), item[0].first(), item[1]),
        )
        # Most specific first: a network only gets what no smaller external network claimed.
        for net, name in nets:
            part = net.difference(taken)
            out[name] = out.get(name, IntervalSet()).union(part)
            taken = taken.union(net)
        for z in zones:
            out.setdefault(z.name, IntervalSet())
        return out

    @cached_property
    def zone_cells(self) -> list[tuple[int, int, str]]:
        """Sorted (lo, hi, zone) intervals: for zone_of and for the intra/inter default."""
        cells = [(lo, hi, name) for name, s in self.zone_sets.items() for lo, hi in s]
        return sorted(cells)

    def zone_of(self, address: int) -> str | None:
        cells = self.zone_cells
        i = bisect.bisect_right(cells, (address, float("inf"), "")) - 1
        if i >= 0 and cells[i][0] <= address <= cells[i][1]:
            return cells[i][2]
        return None

    def addresses(self, ref: Ref | str) -> IntervalSet:
        text = ref.text if isinstance(ref, Ref) else ref
        if text not in self._addr_cache:
            self._addr_cache[text] = self._addresses(text)
        return self._addr_cache[text]

    def addresses_of(self, refs: Iterable[Ref | str]) -> IntervalSet:
        return union_all(self.addresses(r) for r in refs)

    def _addresses(self, text: str) -> IntervalSet:
        m = self.model
        if text == "any":
            return ALL_ADDRESSES
        if text in m.zones:
            return self.zone_sets[text]
        if text in m.hosts:
            return m.hosts[text].addresses
        if text.startswith(TAG_PREFIX):
            tag = text[len(TAG_PREFIX) :]
            zones = [self.zone_sets[z.name] for z in m.zones.values() if tag in z.tags]
            hosts = [h.addresses for h in m.hosts.values() if tag in h.tags]
            return union_all(zones + hosts)
        try:
            return cidr_set(text)
        except AddressError:
            raise KeyError(text) from None

    @cached_property
    def zone_hosts(self) -> dict[str, frozenset[str]]:
        """The hosts whose `zone` is each zone (a zone with no hosts is absent)."""
        members: dict[str, list[str]] = {}
        for h in self.model.hosts.values():
            members.setdefault(h.zone, []).append(h.name)
        return {zone: frozenset(names) for zone, names in members.items()}

    def hosts(self, ref: Ref | str) -> frozenset[str]:
        """Hosts a reference denotes as a target or foothold (spec: Policies, targets)."""
        text = ref.text if isinstance(ref, Ref) else ref
        if text not in self._hosts_cache:  # each distinct text scans the hosts at most once
            self._hosts_cache[text] = self._hosts(text)
        return self._hosts_cache[text]

    def _hosts(self, text: str) -> frozenset[str]:
        m = self.model
        if text == "any":
            return frozenset(m.hosts)
        if text in m.zones:
            return self.zone_hosts.get(text, frozenset())
        if text in m.hosts:
            return frozenset((text,))
        if text.startswith(TAG_PREFIX):
            tag = text[len(TAG_PREFIX) :]
            zones = {z.name for z in m.zones.values() if tag in z.tags}
            return frozenset(h.name for h in m.hosts.values() if tag in h.tags or h.zone in zones)
        net = self.addresses(text)
        return frozenset(h.name for h in m.hosts.values() if h.addresses.intersects(net))

    def hosts_of(self, refs: Iterable[Ref | str]) -> frozenset[str]:
        out: frozenset[str] = frozenset()
        for r in refs:
            out |= self.hosts(r)
        return out

    def is_known(self, text: str) -> bool:
        """Whether a reference resolves (used by validation for dangling-ref)."""
        m = self.model
        if text == "any" or text in m.zones or text in m.hosts:
            return True
        if text.startswith(TAG_PREFIX):
            return True
        try:
            cidr_set(text)
        except AddressError:
            return False
        return True
