"""Model stage: protocol and destination port as one integer, proto * 65536 + port.

`tcp/22` is one point, `tcp/8000-8100` an interval, `icmp` every port of protocol 1 and
`any` the whole space, so service sets use the same interval algebra as addresses.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from segverify.model.intervals import IntervalSet

if TYPE_CHECKING:
    from segverify.model.ir import Model

SVC_BITS = 24
PROTOCOLS = {"icmp": 1, "tcp": 6, "udp": 17, "sctp": 132}
PROTOCOL_NAMES = {v: k for k, v in PROTOCOLS.items()}
ALL_SERVICES = IntervalSet.span(0, (1 << SVC_BITS) - 1)


class PortSpecError(ValueError):
    pass


def _port(text: str, spec: str) -> int:
    if not text:
        raise PortSpecError(f"'{spec}': a port number is missing")
    if not text.isdigit():
        raise PortSpecError(f"'{spec}': '{text}' is not a port number")
    value = int(text)
    if value > 65535:
        raise PortSpecError(f"'{spec}': port {value} is outside 0-65535")
    return value


def parse_port_spec(spec: str) -> IntervalSet:
    """`tcp/22`, `tcp/8000-8100`, `udp/53`, `sctp/9`, `icmp` or `any` as a set of svc integers."""
    if spec == "any":
        return ALL_SERVICES
    if spec == "icmp":
        return proto_ports(1, 0, 65535)
    proto, sep, ports = spec.partition("/")
    if not sep or proto not in ("tcp", "udp", "sctp"):
        raise PortSpecError(f"'{spec}' is not a port spec (tcp/N, tcp/N-M, udp/N, sctp/N, icmp or any)")
    if ports.startswith("-") or ports.count("-") > 1:  # `tcp/-1`: a negative port, not a range
        raise PortSpecError(f"'{spec}': a port is a number 0-65535, and a range is written tcp/N-M")
    lo_text, dash, hi_text = ports.partition("-")
    lo = _port(lo_text, spec)
    hi = _port(hi_text, spec) if dash else lo
    if hi < lo:
        raise PortSpecError(f"'{spec}': range {lo}-{hi} is empty (the first port must not exceed the last)")
    return proto_ports(PROTOCOLS[proto], lo, hi)


def looks_like_port_spec(text: str) -> bool:
    return text in ("any", "icmp") or text.startswith(("tcp/", "udp/", "sctp/"))


def proto_ports(proto: int, lo: int, hi: int) -> IntervalSet:
    return IntervalSet.span(proto * 65536 + lo, proto * 65536 + hi)


def split_svc(value: int) -> tuple[str, int]:
    """(protocol name, port) of one svc integer; unnamed protocols print as their number."""
    proto, port = divmod(value, 65536)
    return PROTOCOL_NAMES.get(proto, str(proto)), port


def pick_svc(svcs: IntervalSet) -> int:
    """A deterministic member, preferring a named protocol (tcp first) so witnesses read well."""
    for proto in (6, 17, 1):
        hit = svcs.intersection(IntervalSet.span(proto * 65536, proto * 65536 + 65535))
        if hit:
            return hit.first()
    return svcs.first()


def service_ports(model: Model, name: str) -> IntervalSet:
    """What a `services` entry stands for: a service of the model, an inline spec or `any`."""
    if name in model.services:
        return model.services[name].ports
    if looks_like_port_spec(name):
        return parse_port_spec(name)
    return IntervalSet()
