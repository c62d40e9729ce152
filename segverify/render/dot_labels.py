"""Render stage (diagrams): the text on hosts and zones: labels and SVG tooltips."""

from __future__ import annotations

from segverify.model.ir import Host, Zone
from segverify.render.dot_style import span_text, wrap


def host_detail_lines(host: Host) -> list[str]:
    lines = wrap(host.services, 3, 9)
    if host.logins:
        lines.append("login: " + ", ".join(host.logins))
    if host.sessions:
        lines.append("sessions: " + ", ".join(host.sessions))
    if host.vulnerable:
        lines.append("vulnerable: " + ", ".join(host.vulnerable))
    return lines


def host_tooltip(host: Host) -> str:
    where = span_text(host.span)
    parts = [
        f"host {host.name}" + (f" ({where})" if where else ""),
        f"zone {host.zone}",
        f"address {host.address}",
    ]
    fields = (
        ("services", host.services),
        ("logins", host.logins),
        ("sessions", host.sessions),
        ("manages", tuple(r.text for r in host.manages)),
        ("vulnerable", host.vulnerable),
        ("tags", host.tags),
    )
    parts += [f"{key}: {', '.join(values)}" for key, values in fields if values]
    if host.description:
        parts.append(host.description)
    return "\n".join(parts)


def zone_tooltip(zone: Zone) -> str:
    where = span_text(zone.span)
    parts = [f"zone {zone.name}" + (f" ({where})" if where else ""), "networks: " + ", ".join(zone.networks)]
    if zone.external:
        parts.append("external: addresses in no other zone")
    if zone.tags:
        parts.append("tags: " + ", ".join(zone.tags))
    if zone.description:
        parts.append(zone.description)
    return "\n".join(parts)
