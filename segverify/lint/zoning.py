"""Lint stage: unzoned: a rule's CIDR outside every zone, a zone network no rule or host touches."""

from __future__ import annotations

from collections.abc import Iterator

from segverify.lint.context import LintContext
from segverify.lint.findings import Finding, Subject, rule_subject
from segverify.lint.text import addresses_text
from segverify.lint.uses import Uses
from segverify.model.addresses import AddressError, cidr_set
from segverify.model.intervals import IntervalSet, union_all
from segverify.model.refs import TAG_PREFIX
from segverify.results import rule_ref


def outside_zones(ctx: LintContext) -> Iterator[Finding]:
    zoned = union_all(ctx.resolver.zone_sets.values())
    for f in ctx.whole.all_flows():
        for ref in (*f.sources, *f.destinations):
            try:
                outside = cidr_set(ref.text).difference(zoned)
            except AddressError:
                continue  # a name, `any` or a tag: zoned by construction
            if outside:
                where = f"layer {f.layer}: " if f.layer else ""
                yield Finding(
                    "unzoned",
                    "warning",
                    f"{where}rule {f.name}: {ref.text} reaches outside every zone "
                    f"({addresses_text(outside)}); packets there get the inter_zone default",
                    rule_subject(rule_ref(f)),
                    layer=f.layer,
                )


def touched(ctx: LintContext, uses: Uses) -> tuple[frozenset[str], IntervalSet]:
    """Zones that rules name (directly or by tag), and the addresses hosts and other rule refs hold."""
    tags = {t[len(TAG_PREFIX) :] for t in uses.flow_refs if t.startswith(TAG_PREFIX)}
    zones = frozenset(
        z.name for z in ctx.model.zones.values() if z.name in uses.flow_refs or tags & set(z.tags)
    )
    others = [ctx.resolver.addresses(t) for t in uses.flow_refs if t != "any" and t not in ctx.model.zones]
    hosts = [h.addresses for h in ctx.model.hosts.values()]
    return zones, union_all([*others, *hosts])


def untouched_networks(ctx: LintContext, uses: Uses) -> Iterator[Finding]:
    zones, addresses = touched(ctx, uses)
    for z in ctx.model.zones.values():
        if z.name in zones:
            continue
        for net in z.networks:
            if not cidr_set(net).intersects(addresses):
                yield Finding(
                    "unzoned",
                    "warning",
                    f"zone {z.name}: network {net} holds no host and no rule refers to it",
                    Subject("zone", z.name, z.span),
                )


def unzoned(ctx: LintContext, uses: Uses) -> list[Finding]:
    return [*outside_zones(ctx), *untouched_networks(ctx, uses)]
