"""Model stage: build services, zones and hosts from checked fields (names resolved as they are built)."""

from __future__ import annotations

import re

from segverify.model.addresses import AddressError, IPNetwork, network_set, parse_network, plain_ipv4
from segverify.model.catalog import builtin_services
from segverify.model.intervals import IntervalSet, union_all
from segverify.model.ir import Host, Service, Zone
from segverify.model.names import Context
from segverify.model.ports import PortSpecError, looks_like_port_spec, parse_port_spec
from segverify.model.read import Fields, Item
from segverify.model.refs import TAG_PREFIX

Named = tuple[Item, Fields]


def network(ctx: Context, item: Item) -> IPNetwork | None:
    try:
        return parse_network(item.text)
    except AddressError as exc:
        ctx.error("bad-cidr", str(exc), item.span, exc.hint)
        return None


def check_entity_name(ctx: Context, item: Item, what: str) -> None:
    """Zone and host names must not read as another kind of reference."""
    text = item.text
    if text == "any" or text.startswith(TAG_PREFIX) or _is_network(text):
        ctx.error(
            "bad-value",
            f"'{text}' cannot name a {what}: it reads as a reference",
            item.span,
            "`any`, `tag:...` and addresses are reserved",
        )


# Without a colon, only digits, dots and slashes can read as an address (IPv6 needs colons).
_IPV4_CHARS = re.compile(r"[0-9./]*")


def _is_network(text: str) -> bool:
    if ":" not in text and not _IPV4_CHARS.fullmatch(text):
        return False  # a name: known without asking ipaddress (which refuses it by raising, slowly)
    try:
        parse_network(text)
    except AddressError as exc:
        return bool(exc.hint)
    return True


# ---- services -------------------------------------------------------------------------------------


def build_services(ctx: Context, entries: list[Named]) -> None:
    """The built-in catalog, overridden by services of the same name."""
    ctx.services.update(builtin_services())
    for item, f in entries:
        if looks_like_port_spec(item.text):
            ctx.error("bad-value", f"'{item.text}' cannot name a service: it reads as a port spec", item.span)
            continue
        specs = f.items("ports")
        ctx.services[item.text] = Service(
            name=item.text,
            ports=union_all(_spec_ports(ctx, s) for s in specs),
            specs=tuple(s.text for s in specs),
            login=f.flag("login"),
            span=item.span,
        )


def _spec_ports(ctx: Context, item: Item) -> IntervalSet:
    try:
        return parse_port_spec(item.text)
    except PortSpecError as exc:
        ctx.error("bad-port", str(exc), item.span)
        return IntervalSet()


# ---- zones ----------------------------------------------------------------------------------------


def build_zones(ctx: Context, entries: list[Named]) -> dict[str, Zone]:
    out = {}
    for item, f in entries:
        check_entity_name(ctx, item, "zone")
        parsed = [network(ctx, i) for i in f.items("networks")]
        nets = [n for n in parsed if n is not None]
        if len(nets) < len(parsed) or not f.has("networks"):
            ctx.broken.add(item.text)
        out[item.text] = Zone(
            name=item.text,
            networks=tuple(str(n) for n in nets),
            addresses=union_all(network_set(n) for n in nets),
            external=f.flag("external"),
            tags=tuple(t.text for t in f.items("tags")),
            description=f.text("description"),
            span=item.span,
        )
    return out


# ---- hosts ----------------------------------------------------------------------------------------


def build_hosts(ctx: Context, entries: list[Named]) -> dict[str, Host]:
    out = {}
    for item, f in entries:
        check_entity_name(ctx, item, "host")
        out[item.text] = _host(ctx, item, f)
    return out


def _host(ctx: Context, item: Item, f: Fields) -> Host:
    zone, address = f.item("zone"), f.item("address")
    if zone is not None:
        ctx.check_zone(zone)
    block = _address_block(ctx, address) if address is not None else None
    if block is None:
        ctx.broken.add(item.text)
    services = _host_services(ctx, f.items("services"))
    _check_vulnerable(ctx, item, f.items("vulnerable"), services)
    for p in f.items("logins") + f.items("sessions"):
        ctx.check_principal(p)
    return Host(
        name=item.text,
        zone=zone.text if zone else "",
        address=block[0] if block else (address.text if address else ""),
        addresses=block[1] if block else IntervalSet(),
        fleet=bool(block and block[1].size() > 1),
        services=services,
        logins=_texts(f.items("logins")),
        sessions=_texts(f.items("sessions")),
        manages=f.refs("manages"),
        vulnerable=_texts(f.items("vulnerable")),
        tags=_texts(f.items("tags")),
        description=f.text("description"),
        span=item.span,
    )


def _address_block(ctx: Context, item: Item) -> tuple[str, IntervalSet] | None:
    """A host's `address` as (canonical text, addresses); None (and bad-cidr) when it is not one."""
    plain = plain_ipv4(item.text)
    if plain is not None:
        first, length = plain
        address = item.text.partition("/")[0]  # already canonical: no leading zeros, no host bits
        canonical = address if length == 32 else f"{address}/{length}"
        return canonical, IntervalSet.span(first, first + (1 << (32 - length)) - 1)
    net = network(ctx, item)
    return (_canonical(net), network_set(net)) if net else None


def _canonical(net: IPNetwork) -> str:
    return str(net.network_address) if net.num_addresses == 1 else str(net)


def _texts(items: tuple[Item, ...]) -> tuple[str, ...]:
    """The names as written, each once, in the order first written."""
    return tuple(dict.fromkeys(i.text for i in items))


def _host_services(ctx: Context, items: tuple[Item, ...]) -> tuple[str, ...]:
    """Service names; an inline port spec becomes a service named by its text (not a login)."""
    for i in items:
        if i.text in ctx.services:
            continue
        if looks_like_port_spec(i.text):
            specs = (i.text,)
            ctx.services[i.text] = Service(i.text, _spec_ports(ctx, i), specs, login=False, span=i.span)
        else:
            ctx.service_ports(i)  # reports unknown-service with a hint
    return _texts(items)


def _check_vulnerable(ctx: Context, host: Item, items: tuple[Item, ...], offered: tuple[str, ...]) -> None:
    for i in items:
        if i.text not in offered:
            ctx.error(
                "vulnerable-not-offered",
                f"host '{host.text}' does not offer '{i.text}'",
                i.span,
                "add it to the host's `services` or remove it from `vulnerable`",
            )
