"""NCA as an oracle: run `nca --connectivity`, and put its answer and segverify's in one canonical form.

Both sides become {(src, dst): services} for pod pairs and, for a pod and the outside world, the
services as a function of the external address (intervals cut where the answer changes), so
names of external zones and NCA's own IP ranges need not line up. Services are compared as
per-protocol port sets over 1-65535 (Kubernetes ports; segverify's `tcp/0-65535` for a protocol
without ports includes port 0, which no NetworkPolicy can name) plus "every other protocol".
"""

from __future__ import annotations

import contextlib
import io
import ipaddress
import os
import re
from collections.abc import Iterable

from segverify.connectivity.compute import Connection
from segverify.connectivity.layers import Network
from segverify.importers.k8s.addresses import POD_SET
from segverify.model.intervals import IntervalSet
from segverify.model.ports import ALL_SERVICES, PROTOCOLS, proto_ports

V4 = IntervalSet.span(0, 2**32 - 1)
OUTSIDE = V4.difference(POD_SET)
PORTS = {"TCP": 6, "UDP": 17, "SCTP": 132}
OTHER = ALL_SERVICES.difference(IntervalSet.of((p << 16, (p << 16) | 0xFFFF) for p in PORTS.values()))
Services = tuple[object, ...]
Canon = dict[tuple[str, str], object]


def normal(services: IntervalSet) -> Services:
    out: list[object] = [OTHER.issubset(services)]
    for number in PORTS.values():
        out.append(services.intersection(proto_ports(number, 1, 65535)).intervals)
    return tuple(out)


def run_nca(path: str, out_path: str) -> str:
    """NCA's connectivity map of the manifests at `path`, through its command-line entry point."""
    from nca.nca_cli import nca_main

    with contextlib.suppress(FileNotFoundError):
        os.remove(out_path)  # NCA appends to an existing file
    argv = ["--connectivity", "-r", path, "--output_format", "txt_no_fw_rules", "--file_out", out_path]
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        nca_main(argv)
    with open(out_path, encoding="utf-8") as fh:
        return fh.read()


_CONN = re.compile(r"\{protocols:([A-Z, ]+?)(?:,dst_ports:([0-9,\-]+))?\}$")


def nca_services(text: str) -> IntervalSet:
    if text == "All connections":
        return ALL_SERVICES
    m = _CONN.match(text)
    if m is None:
        raise ValueError(f"NCA connection not understood: {text!r}")
    out = IntervalSet()
    for proto in (p.strip() for p in m.group(1).split(",")):
        number = PORTS.get(proto, PROTOCOLS.get(proto.lower(), -1))
        if number < 0:
            raise ValueError(f"NCA protocol not understood: {proto!r}")
        if m.group(2) is None:
            out = out.union(proto_ports(number, 0, 65535))
            continue
        for part in m.group(2).split(","):
            lo, _, hi = part.partition("-")
            out = out.union(proto_ports(number, int(lo), int(hi or lo)))
    return out


def nca_ips(text: str) -> IntervalSet | None:
    """An NCA endpoint that is an address range (`a-b`, CIDRs, comma lists); None for a pod."""
    if "[" in text:
        return None
    out = IntervalSet()
    for part in text.split(","):
        if "-" in part:
            lo, hi = part.split("-")
            out = out.union(IntervalSet.span(int(ipaddress.ip_address(lo)), int(ipaddress.ip_address(hi))))
        else:
            net = ipaddress.ip_network(part, strict=False)
            out = out.union(IntervalSet.span(int(net.network_address), int(net.broadcast_address)))
    return out


def nca_pod(text: str) -> str:
    ns_name = text.split("[", 1)[0]
    ns, _, name = ns_name.partition("/")
    return f"{ns}.{name}"


def parse_nca(output: str) -> list[tuple[str | IntervalSet, str | IntervalSet, IntervalSet]]:
    out: list[tuple[str | IntervalSet, str | IntervalSet, IntervalSet]] = []
    for line in output.splitlines():
        if " => " not in line:
            continue
        pair, _, conn = line.partition(" : ")
        src, _, dst = pair.partition(" => ")
        ends = []
        for end in (src.strip(), dst.strip()):
            ips = nca_ips(end)
            ends.append(nca_pod(end) if ips is None else ips)
        out.append((ends[0], ends[1], nca_services(conn.strip())))
    return out


def canonical(rows: Iterable[tuple[str | IntervalSet, str | IntervalSet, IntervalSet]]) -> Canon:
    pods: dict[tuple[str, str], IntervalSet] = {}
    edges: dict[tuple[str, str], list[tuple[IntervalSet, IntervalSet]]] = {}
    for src, dst, services in rows:
        if isinstance(src, str) and isinstance(dst, str):
            if src != dst:
                pods[(src, dst)] = pods.get((src, dst), IntervalSet()).union(services)
        elif isinstance(src, str) and isinstance(dst, IntervalSet):
            edges.setdefault((src, "egress"), []).append((dst.intersection(OUTSIDE), services))
        elif isinstance(dst, str) and isinstance(src, IntervalSet):
            edges.setdefault((dst, "ingress"), []).append((src.intersection(OUTSIDE), services))
    out: Canon = {k: normal(v) for k, v in pods.items() if normal(v) != normal(IntervalSet())}
    for key, pieces in edges.items():
        function = _piecewise(pieces)
        if function:
            out[key] = function
    return out


def _piecewise(pieces: list[tuple[IntervalSet, IntervalSet]]) -> tuple[tuple[int, int, Services], ...]:
    cuts = sorted({lo for s, _ in pieces for lo, _ in s} | {hi + 1 for s, _ in pieces for _, hi in s})
    out: list[tuple[int, int, Services]] = []
    for lo, nxt in zip(cuts, cuts[1:], strict=False):
        services = IntervalSet()
        for s, svc in pieces:
            if lo in s:
                services = services.union(svc)
        value = normal(services)
        if value == normal(IntervalSet()):
            continue
        if out and out[-1][1] == lo - 1 and out[-1][2] == value:
            out[-1] = (out[-1][0], nxt - 1, value)
        else:
            out.append((lo, nxt - 1, value))
    return tuple(out)


def segverify_rows(
    network: Network, conns: list[Connection]
) -> list[tuple[str | IntervalSet, str | IntervalSet, IntervalSet]]:
    external = {e.name: e.addresses for e in network.endpoints if e.external}
    rows: list[tuple[str | IntervalSet, str | IntervalSet, IntervalSet]] = []
    for c in conns:
        src: str | IntervalSet = external.get(c.src, c.src)
        dst: str | IntervalSet = external.get(c.dst, c.dst)
        rows.append((src, dst, c.services))
    return rows
