"""Lint stage: overly-broad allows, judged on the packets the rule really decides.

Two shapes: every service between two different internal zones (a rule written with `any`), and
a login service from the whole internet (a source of 0.0.0.0/0 or ::/0, or shorter than the
configured prefixes) into an internal zone. Only packets the rule decides count, so an allow
whose broad part earlier denies already take is not reported; the witness is one such packet.
"""

from __future__ import annotations

from segverify.lint.context import LintContext
from segverify.lint.findings import Finding, rule_subject
from segverify.lint.replay import replay
from segverify.lint.space import RuleSpace
from segverify.model.addresses import V6_BASE, cidr_set, prefix_blocks
from segverify.model.intervals import IntervalSet, union_all
from segverify.model.ports import ALL_SERVICES, pick_svc
from segverify.results import Packet
from segverify.semantics.regions import readable_address


def internet_wide(ctx: LintContext, space: RuleSpace) -> IntervalSet:
    """The rule's sources that are internet-wide: `any`, or a short CIDR written or behind a zone."""
    out = []
    for ref in space.flow.flow.sources:
        zone = ctx.model.zones.get(ref.text)
        nets = [ref.text] if zone is None else list(zone.networks) if zone.external else []
        if ref.text == "any" or any(_short(ctx, n) for n in nets if _is_cidr(n)):
            out.append(ctx.resolver.addresses(ref))
    return union_all(out)


def _is_cidr(text: str) -> bool:
    return any(ch.isdigit() for ch in text[:1]) or ":" in text


def _short(ctx: LintContext, text: str) -> bool:
    try:
        block = prefix_blocks(cidr_set(text))
    except ValueError:
        return False
    start, k = block[0]
    if start >= V6_BASE:
        return 128 - k <= ctx.options.broad_prefix6
    return 32 - k <= ctx.options.broad_prefix4


def login_ports(ctx: LintContext) -> IntervalSet:
    return union_all(s.ports for s in ctx.model.services.values() if s.login)


def internal(ctx: LintContext, address: int) -> str | None:
    zone = ctx.resolver.zone_of(address)
    return zone if zone is not None and not ctx.model.zones[zone].external else None


def any_service_between_zones(ctx: LintContext, space: RuleSpace) -> Finding | None:
    cf = space.flow
    if cf.ports != ALL_SERVICES:
        return None
    for cell in ctx.spaces.own_cells(
        cf.rule.index or 0, space
    ):  # the sweep cuts by zone: a cell's ends each lie in one zone
        src, dst = internal(ctx, cell.src.first()), internal(ctx, cell.dst.first())
        if src is not None and dst is not None and src != dst:
            packet = cell.packet()
            replay(ctx.table, space, packet, cf.rule, "overly-broad")
            message = f"rule {cf.rule.name} allows every service between internal zones {src} and {dst}"
            return Finding("overly-broad", "warning", message, rule_subject(cf.rule), (), packet)
    return None


def login_from_internet(ctx: LintContext, space: RuleSpace) -> Finding | None:
    cf = space.flow
    wide, logins = internet_wide(ctx, space), login_ports(ctx)
    if not wide or not cf.ports.intersects(logins):
        return None
    for cell in ctx.spaces.own_cells(cf.rule.index or 0, space):
        dst = internal(ctx, cell.dst.first())
        src, svc = cell.src.intersection(wide), cell.svc.intersection(logins)
        if dst is None or not src or not svc:
            continue
        packet = Packet(readable_address(src), readable_address(cell.dst), pick_svc(svc))
        replay(ctx.table, space, packet, cf.rule, "overly-broad")
        message = (
            f"rule {cf.rule.name} allows a login service from the whole internet into internal zone {dst}"
        )
        return Finding("overly-broad", "warning", message, rule_subject(cf.rule), (), packet)
    return None


def overly_broad(ctx: LintContext, space: RuleSpace) -> Finding | None:
    if space.flow.flow.action != "allow" or not space.decides:
        return None
    return any_service_between_zones(ctx, space) or login_from_internet(ctx, space)
