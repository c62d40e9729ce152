"""Connectivity stage: answers re-checked by the reference semantics before they are printed.

For a deterministic sample of pairs of single-address hosts, the first and last service of each
reported interval must be allowed by semantics/firstmatch (every layer, one concrete packet),
and the service just outside it denied. A disagreement is an internal error, never output.
"""

from __future__ import annotations

from collections.abc import Iterator

from segverify.connectivity.compute import Connection
from segverify.errors import InternalError
from segverify.model.intervals import IntervalSet
from segverify.model.ir import Model
from segverify.model.ports import ALL_SERVICES
from segverify.model.refs import Resolver
from segverify.results import Packet
from segverify.semantics.firstmatch import compile_layers, decide_layers

SAMPLE = 200  # pairs re-checked: spread over the list, a few ms each


def probes(services: IntervalSet) -> Iterator[tuple[int, bool]]:
    """(service, allowed?) at every edge of the reported set."""
    for lo, hi in services:
        yield lo, True
        yield hi, True
        if lo - 1 in ALL_SERVICES:
            yield lo - 1, False
        if hi + 1 in ALL_SERVICES:
            yield hi + 1, False


def recheck(model: Model, conns: list[Connection]) -> None:
    resolver = Resolver(model)
    layers = compile_layers(model, resolver)
    single = {h.name: h.addresses.first() for h in model.hosts.values() if h.addresses.size() == 1}
    candidates = [c for c in conns if c.src in single and c.dst in single]
    step = max(1, len(candidates) // SAMPLE)
    for c in candidates[::step]:
        for svc, expected in probes(c.services):
            packet = Packet(single[c.src], single[c.dst], svc)
            if decide_layers(layers, resolver, packet).allowed != expected:
                raise InternalError(
                    f"connectivity {c.src} -> {c.dst}: service {svc} is not what the layers decide"
                )
