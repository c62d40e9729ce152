"""AWS importer: protocols and ports of security group rules and ACL entries as segverify port specs.

segverify's packets name tcp, udp and sctp ports and icmp; any other protocol exists only inside `any`, and
ICMP types are not modelled. So an allow that cannot be said exactly is widened (to `icmp` or
`any`) and a deny that cannot be said exactly is dropped: both only add allowed packets, so a
`proved` isolation on the imported model holds on the real network. Each is warned about.
"""

from __future__ import annotations

from dataclasses import dataclass

# Protocol names and numbers as the EC2 API writes them ("-1" is every protocol).
_NAMES = {
    "-1": "any",
    "all": "any",
    "tcp": "tcp",
    "6": "tcp",
    "udp": "udp",
    "17": "udp",
    "icmp": "icmp",
    "1": "icmp",
    "sctp": "sctp",
    "132": "sctp",
}


@dataclass(frozen=True, slots=True)
class Mapped:
    """The port specs a rule becomes (empty: the rule is dropped) and why it is not exact."""

    services: tuple[str, ...]
    inexact: str = ""


def _ports(proto: str, lo: int | None, hi: int | None) -> str:
    lo = 0 if lo is None or lo < 0 else lo
    hi = 65535 if hi is None or hi < 0 else hi
    return f"{proto}/{lo}" if lo == hi else f"{proto}/{lo}-{hi}"


def map_protocol(protocol: str, lo: int | None, hi: int | None, icmp_type: int | None, allow: bool) -> Mapped:
    """One rule's protocol and ports (for ICMP, `icmp_type`: None or -1 is every type)."""
    name = _NAMES.get(protocol)
    if name == "any":
        return Mapped(("any",))
    if name in ("tcp", "udp"):
        return Mapped((_ports(name, lo, hi),))
    if name == "sctp":
        # EC2: for a protocol other than tcp, udp and icmp, a rule covers every port, whatever its range.
        return Mapped(("sctp/0-65535",))
    if name == "icmp" and icmp_type in (None, -1):
        return Mapped(("icmp",))
    what = f"ICMP type {icmp_type}" if name == "icmp" else f"protocol '{protocol}'"
    if not allow:
        return Mapped((), f"a deny of {what} cannot be said exactly and is left out")
    widened = "icmp" if name == "icmp" else "any"
    return Mapped((widened,), f"an allow of {what} is imported as `{widened}`")
