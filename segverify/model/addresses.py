"""Model stage: IPv4 and IPv6 addresses as integers of one 129-bit space.

Bit 128 is the family (0: IPv4 in the low 32 bits, 1: IPv6 in the low 128 bits), so every
CIDR in either family is one aligned block of that space, and a prefix test is a single
bit-slice equality in the encoder.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator

from segverify.model.intervals import IntervalSet

ADDR_BITS = 129
V6_BASE = 1 << 128
IPV4_ALL = IntervalSet.span(0, (1 << 32) - 1)
IPV6_ALL = IntervalSet.span(V6_BASE, V6_BASE + (1 << 128) - 1)
ALL_ADDRESSES = IPV4_ALL.union(IPV6_ALL)

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class AddressError(ValueError):
    """A malformed address or network; `hint` names what was probably meant."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.hint = hint


def _base(net: IPNetwork) -> int:
    return 0 if net.version == 4 else V6_BASE


def parse_network(text: str) -> IPNetwork:
    """Parse an address or CIDR; host bits set is an error whose hint names the network meant."""
    try:
        return ipaddress.ip_network(text, strict=True)
    except ValueError as exc:
        try:
            loose = ipaddress.ip_network(text, strict=False)
        except ValueError:
            raise AddressError(f"'{text}' is not an IPv4 or IPv6 address or network: {exc}") from None
        raise AddressError(f"'{text}' has host bits set", hint=f"did you mean {loose}?") from None


# An IPv4 address or CIDR as ipaddress writes it (no leading zeros in an octet): what most hosts
# hold. Reading it directly skips building an ipaddress object, the bulk of a host's build time.
_DOTTED = re.compile(
    r"(0|[1-9][0-9]{0,2})\.(0|[1-9][0-9]{0,2})\.(0|[1-9][0-9]{0,2})\.(0|[1-9][0-9]{0,2})(?:/([0-9]+))?"
)


def plain_ipv4(text: str) -> tuple[int, int] | None:
    """(first address, prefix length) of `a.b.c.d` or `a.b.c.d/n` when parse_network would accept it;
    None for any other text, which parse_network then reads (and refuses with the reason)."""
    match = _DOTTED.fullmatch(text)
    if match is None:
        return None
    a, b, c, d, prefix = match.groups()
    octets = (int(a), int(b), int(c), int(d))
    length = 32 if prefix is None else int(prefix)
    if max(octets) > 255 or length > 32:
        return None
    value = (octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]
    if value & ((1 << (32 - length)) - 1):
        return None  # host bits set
    return value, length


def network_set(net: IPNetwork) -> IntervalSet:
    lo = _base(net) + int(net.network_address)
    return IntervalSet.span(lo, lo + net.num_addresses - 1)


def cidr_set(text: str) -> IntervalSet:
    return network_set(parse_network(text))


def format_address(value: int) -> str:
    if value >= V6_BASE:
        return str(ipaddress.IPv6Address(value - V6_BASE))
    return str(ipaddress.IPv4Address(value))


def aligned_blocks(lo: int, hi: int) -> Iterator[tuple[int, int]]:
    """Split [lo, hi] into maximal aligned blocks (start, k): [start, start + 2**k - 1]."""
    while lo <= hi:
        k = (lo & -lo).bit_length() - 1 if lo else ADDR_BITS
        while k > 0 and lo + (1 << k) - 1 > hi:
            k -= 1
        yield lo, k
        lo += 1 << k


def prefix_blocks(addrs: IntervalSet) -> list[tuple[int, int]]:
    """The set as aligned blocks: each is one prefix test in the encoder."""
    return [b for lo, hi in addrs for b in aligned_blocks(lo, hi)]


def pick_address(addrs: IntervalSet) -> int:
    """A deterministic, readable member: skip a range's network address when it has others."""
    lo, hi = addrs.intervals[0]
    return lo + 1 if hi - lo >= 2 else lo


def format_set(addrs: IntervalSet) -> list[str]:
    """The set as the shortest list of CIDRs, for reports."""
    out = []
    for start, k in prefix_blocks(addrs):
        bits = 32 if start < V6_BASE else 128
        out.append(f"{format_address(start)}/{bits - k}")
    return out
