"""AWS importer: the Document as one readable model file, each entry commented with its source."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator

from segverify.diagnostics import Span
from segverify.importers.aws.document import Document, FlowOut, HostOut, LayerOut, ZoneOut

HEADER = """\
# Written by `segverify import aws`: subnets are zones (tagged with their VPC), ENIs are hosts
# (tagged with their security groups), security groups and network ACLs are layers. Routing,
# peering and transit gateways are not modelled (see docs/importers.md). Add accounts and
# policies in files of your own beside this one; re-importing overwrites only this file.
segverify: 1
defaults: {intra_zone: allow, inter_zone: allow}  # all filtering is in the layers below
"""


def _q(text: str) -> str:
    return json.dumps(text)  # a JSON string is a YAML double-quoted scalar


def _list(items: Iterable[str]) -> str:
    return "[" + ", ".join(_q(i) for i in items) + "]"


def _from(span: Span | None) -> str:
    return f"  # {span.file}:{span.line}" if span else ""


def _zone(zone: ZoneOut) -> Iterator[str]:
    yield f"  {_q(zone.name)}:{_from(zone.span)}"
    yield f"    networks: {_list(zone.networks)}"
    if zone.external:
        yield "    external: true"
    if zone.tags:
        yield f"    tags: {_list(zone.tags)}"
    yield f"    description: {_q(zone.description)}"


def _host(host: HostOut) -> Iterator[str]:
    yield f"  {_q(host.name)}:{_from(host.span)}"
    yield f"    zone: {_q(host.zone)}"
    yield f"    address: {_q(host.address)}"
    # What listens is not in the EC2 API: every port is offered, the layers decide what reaches it.
    yield "    services: [any]"
    if host.relay:
        yield "    vulnerable: [any]  # forwards connections: reaching it is sending from it"
    if host.tags:
        yield f"    tags: {_list(host.tags)}"
    if host.manages:
        yield f"    manages: {_list(host.manages)}"
    yield f"    description: {_q(host.description)}"


def _flow(flow: FlowOut) -> Iterator[str]:
    note = f" {flow.note}" if flow.note else ""
    if flow.span or note:
        yield f"      #{_from(flow.span)[3:] if flow.span else ''}{note}"
    action = "" if flow.allow else ", action: deny"
    ends = f"from: {_list(flow.sources)}, to: {_list(flow.destinations)}"
    yield f"      - {{name: {_q(flow.name)}, {ends}, services: {_list(flow.services)}{action}}}"


def _layer(layer: LayerOut) -> Iterator[str]:
    yield f"  # {layer.summary}"
    yield f"  - name: {_q(layer.name)}"
    yield "    defaults: {intra_zone: allow, inter_zone: allow}  # addresses the layer does not govern"
    yield "    flows:"
    for flow in layer.flows:
        yield from _flow(flow)


def render_document(doc: Document) -> str:
    lines = [HEADER.rstrip("\n"), "zones:"]
    for zone in doc.zones:
        lines += _zone(zone)
    if doc.hosts:
        lines.append("hosts:")
        for host in doc.hosts:
            lines += _host(host)
    layers = [layer for layer in doc.layers if layer.flows]
    if layers:
        lines.append("layers:")
        for layer in layers:
            lines += _layer(layer)
    return "\n".join(lines) + "\n"
