"""Connectivity stage: the connections as text, JSON (`segverify_connectivity: 1`), CSV or DOT."""

from __future__ import annotations

import csv
import functools
import io
import json

from segverify.connectivity.compute import Connection
from segverify.model.intervals import IntervalSet
from segverify.model.ports import ALL_SERVICES, PROTOCOL_NAMES


@functools.lru_cache(maxsize=4096)  # a few distinct sets, printed for millions of pairs
def service_names(services: IntervalSet) -> list[str]:
    """`any`, or per protocol: `icmp` (or `tcp`, ...) for every port, else `tcp/80`, `udp/53-54`."""
    if services == ALL_SERVICES:
        return ["any"]
    out = []
    for lo, hi in services:
        for proto in range(lo >> 16, (hi >> 16) + 1):
            first, last = max(lo, proto << 16) & 0xFFFF, min(hi, (proto << 16) | 0xFFFF) & 0xFFFF
            name = PROTOCOL_NAMES.get(proto, f"proto-{proto}")
            if first == 0 and last == 0xFFFF:
                out.append(name if name == "icmp" else f"{name}/0-65535")
            else:
                out.append(f"{name}/{first}" if first == last else f"{name}/{first}-{last}")
    return out


def render_json(conns: list[Connection]) -> str:
    """One connection per line, each name and service list encoded once (millions of pairs)."""
    names: dict[str, str] = {}
    encoded: dict[int, str] = {}  # by id: a few service sets, each shared by many pairs
    rows = []
    for src, dst, services in conns:
        a = names.get(src) or names.setdefault(src, json.dumps(src))
        b = names.get(dst) or names.setdefault(dst, json.dumps(dst))
        s = encoded.get(id(services))
        if s is None:
            s = encoded[id(services)] = json.dumps(service_names(services))
        rows.append(f'{{"src": {a}, "dst": {b}, "services": {s}}}')
    body = ",\n  ".join(rows)
    return '{"segverify_connectivity": 1, "connections": [' + (f"\n  {body}\n" if conns else "") + "]}\n"


def render_txt(conns: list[Connection]) -> str:
    return "".join(f"{c.src} => {c.dst} : {', '.join(service_names(c.services))}\n" for c in conns)


def render_csv(conns: list[Connection]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["src", "dst", "services"])
    for c in conns:
        w.writerow([c.src, c.dst, " ".join(service_names(c.services))])
    return buf.getvalue()


def render_dot(conns: list[Connection]) -> str:
    lines = ["digraph connectivity {", "  rankdir=LR;", "  node [shape=box];"]
    for c in conns:
        label = json.dumps(", ".join(service_names(c.services)))
        lines.append(f"  {json.dumps(c.src)} -> {json.dumps(c.dst)} [label={label}];")
    return "\n".join(lines + ["}"]) + "\n"


RENDERERS = {"txt": render_txt, "json": render_json, "csv": render_csv, "dot": render_dot}
