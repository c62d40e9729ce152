"""Model stage: model-wide checks on a built Model (references, zone overlap and membership, cycles).

Name checks that only need the list of names happen while building (names.py); what is here
needs the whole model: resolved zone membership, every reference, the membership graph.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from segverify.diagnostics import Diagnostic
from segverify.model.addresses import AddressError, cidr_set, format_set, parse_network
from segverify.model.intervals import union_all
from segverify.model.ir import AccountFoothold, Model, PolicySpec, Ref, Zone
from segverify.model.names import Hints
from segverify.model.principals import Principals
from segverify.model.refs import TAG_PREFIX, Resolver

# Text made only of address characters is meant as an address: report it as a bad CIDR, not a name.
_ADDRESSY = re.compile(r"^[0-9a-fA-F:.]*[0-9:.][0-9a-fA-F:.]*(/\S*)?$")


def validate_model(model: Model, skip: Iterable[str] = ()) -> list[Diagnostic]:
    """Every model-wide problem; `skip` names zones and hosts whose addresses already failed."""
    broken = frozenset(skip)
    return [
        *check_refs(model),
        *check_zones_overlap(model, broken),
        *check_hosts_in_zones(model, broken),
        *check_shared_addresses(model, broken),
        *check_membership_cycles(model),
    ]


# ---- references -----------------------------------------------------------------------------------


def model_refs(model: Model) -> Iterator[Ref]:
    for flow in model.all_flows():
        yield from flow.sources
        yield from flow.destinations
    for layer in model.layers:
        yield from layer.applies_from or ()
        yield from layer.applies_to or ()
    for host in model.hosts.values():
        yield from host.manages
    for policy in model.policies:
        yield from spec_refs(policy.spec)


def spec_refs(spec: PolicySpec) -> Iterator[Ref]:
    for fh in getattr(spec, "footholds", ()):
        yield fh.at if isinstance(fh, AccountFoothold) else fh.ref
    for name in ("to", "via", "sources", "destinations"):
        yield from getattr(spec, name, ())


def check_refs(model: Model) -> Iterator[Diagnostic]:
    tags = {t for z in model.zones.values() for t in z.tags} | {
        t for h in model.hosts.values() for t in h.tags
    }
    names = set(model.zones) | set(model.hosts)
    hint = Hints()
    for ref in model_refs(model):
        diag = check_ref(ref, names, tags, hint)
        if diag is not None:
            yield diag


def check_ref(ref: Ref, names: set[str], tags: set[str], hint: Hints | None = None) -> Diagnostic | None:
    hint = hint or Hints()
    text = ref.text
    if text == "any" or text in names:
        return None
    if text.startswith(TAG_PREFIX):
        tag = text[len(TAG_PREFIX) :]
        if tag in tags:
            return None
        return Diagnostic(
            "unknown-tag",
            f"no zone or host carries the tag '{tag}'",
            ref.span,
            hint(tag, tags) or "a policy over nothing would prove nothing",
        )
    try:
        parse_network(text)
    except AddressError as exc:
        if exc.hint or _ADDRESSY.match(text):
            return Diagnostic("bad-cidr", str(exc), ref.span, exc.hint)
        return Diagnostic(
            "dangling-ref",
            f"'{text}' is not a zone, host, CIDR, `any` or `tag:NAME`",
            ref.span,
            hint(text, names),
        )
    return None


# ---- zones ----------------------------------------------------------------------------------------


def check_zones_overlap(model: Model, broken: frozenset[str]) -> Iterator[Diagnostic]:
    """Internal zones must be disjoint; two external zones must not declare the same network."""
    zones = model.zones
    cells = sorted((lo, hi, z.name) for z in zones.values() if not z.external for lo, hi in z.addresses)
    active: list[tuple[int, str]] = []
    pairs: set[tuple[str, str]] = set()
    for lo, hi, name in cells:
        active = [(h, n) for h, n in active if h >= lo]
        pairs.update((min(n, name), max(n, name)) for _, n in active if n != name)
        active.append((hi, name))
    seen: dict[str, str] = {}
    for z in zones.values():
        for net in z.networks if z.external else ():
            other = seen.setdefault(net, z.name)
            if other != z.name:
                pairs.add((min(other, z.name), max(other, z.name)))
    for a, b in sorted(pairs):
        if a not in broken and b not in broken:
            yield _overlap(zones[a], zones[b])


def _overlap(a: Zone, b: Zone) -> Diagnostic:
    first, second = sorted((a.span, b.span))
    return Diagnostic(
        "zones-overlap",
        f"zones '{a.name}' and '{b.name}' share {_shared(a, b)}",
        second,
        "an address must belong to one zone; split the networks",
        related=first,
    )


def _shared(a: Zone, b: Zone) -> str:
    """The addresses two zones both declare, as CIDRs (the first few of many)."""
    declared = [union_all(cidr_set(n) for n in z.networks) for z in (a, b)]
    blocks = format_set(declared[0].intersection(declared[1]))
    if len(blocks) == 1:
        single = blocks[0].endswith(("/32", "/128"))
        return f"the address {blocks[0].rsplit('/', 1)[0]}" if single else f"the addresses {blocks[0]}"
    if len(blocks) > 3:
        more = len(blocks) - 3
        return f"addresses {', '.join(blocks[:3])} and {more} more range{'s' if more > 1 else ''}"
    return f"addresses {', '.join(blocks[:-1])} and {blocks[-1]}"


def check_hosts_in_zones(model: Model, broken: frozenset[str]) -> Iterator[Diagnostic]:
    zone_sets = Resolver(model).zone_sets
    for host in model.hosts.values():
        if host.zone not in model.zones or host.name in broken or host.zone in broken:
            continue
        if not host.addresses.issubset(zone_sets[host.zone]):
            yield Diagnostic(
                "host-outside-zone",
                f"host '{host.name}' ({host.address}) is not inside zone '{host.zone}'",
                host.span,
                _zone_hint(model, host.zone),
            )


def check_shared_addresses(model: Model, broken: frozenset[str]) -> Iterator[Diagnostic]:
    """Two single hosts at one address are one machine written twice (or a typo).

    A fleet may hold single hosts' addresses (a jump host inside the laptops' range): the
    fleet then stands for its other machines too.
    """
    first: dict[str, str] = {}
    for host in sorted(model.hosts.values(), key=lambda h: h.span):
        if host.fleet or host.name in broken:
            continue
        other = first.setdefault(host.address, host.name)
        if other != host.name:
            yield Diagnostic(
                "hosts-share-address",
                f"hosts '{other}' and '{host.name}' have the same address {host.address}",
                host.span,
                "one machine is one host entry; give each host its own address",
                related=model.hosts[other].span,
            )


def _zone_hint(model: Model, zone: str) -> str:
    z = model.zones[zone]
    where = ", ".join(z.networks) or "no networks"
    extra = " minus the internal zones' networks" if z.external else ""
    return f"zone '{zone}' holds {where}{extra}"


# ---- principals -----------------------------------------------------------------------------------


def check_membership_cycles(model: Model) -> Iterator[Diagnostic]:
    groups_of = Principals(model).groups_of
    accounts = {a.name for a in model.accounts()}
    cycles: set[frozenset[str]] = set()
    for name, groups in groups_of.items():
        if name in groups and not groups & accounts:  # through an account: member-of-account says so
            cycles.add(frozenset(g for g in groups if name in groups_of.get(g, ())))
    for members in sorted(cycles, key=sorted):
        spans = sorted(model.principals[m].span for m in members if m in model.principals)
        yield Diagnostic(
            "membership-cycle",
            "groups are members of each other in a cycle: " + ", ".join(sorted(members)),
            spans[0],
            "remove one `member_of` of the cycle",
        )
