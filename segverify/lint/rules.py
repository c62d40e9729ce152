"""Lint stage: single-rule findings: empty-rule, shadowed, partially-shadowed, redundant-with-default."""

from __future__ import annotations

from collections.abc import Iterable

from segverify.lint.codes import Level
from segverify.lint.context import LintContext
from segverify.lint.cover import smallest_cover
from segverify.lint.findings import Box, Finding, Subject, rule_subject
from segverify.lint.replay import replay, replay_without
from segverify.lint.space import Overlap, RuleSpace
from segverify.lint.text import addresses_text, rule_text, rules_text, services_text
from segverify.results import RuleRef
from segverify.semantics.regions import sort_rules


def related(rules: Iterable[RuleRef]) -> tuple[Subject, ...]:
    return tuple(rule_subject(r) for r in sort_rules(frozenset(rules)))


def empty_rule(ctx: LintContext, space: RuleSpace) -> Finding:
    cf = space.flow
    layer = ctx.scope.name
    if not cf.sources and layer and ctx.resolver.addresses_of(cf.flow.sources):
        why = f"none of its sources is in layer {layer}'s applies_to.from"
    elif not cf.destinations and layer and ctx.resolver.addresses_of(cf.flow.destinations):
        why = f"none of its destinations is in layer {layer}'s applies_to.to"
    elif not cf.sources:
        why = "its sources match no address"
    elif not cf.destinations:
        why = "its destinations match no address"
    else:
        why = "its sources and destinations share no address family (IPv4 to IPv4, IPv6 to IPv6)"
    return Finding(
        "empty-rule", "warning", f"rule {cf.rule.name} matches no packet: {why}", rule_subject(cf.rule)
    )


def shadowed(ctx: LintContext, space: RuleSpace) -> Finding:
    cf = space.flow
    cover = smallest_cover(ctx.spaces, cf.rule.index or 0, space)
    for overlap in (space.same, space.opposite):  # the sweep's cells, replayed by first match
        for cell in overlap.cells[:1]:
            replay(ctx.table, space, cell.packet(), cell.rule, "shadowed")
    level: Level = "error" if space.opposite.cells else "warning"
    actions = "the opposite action" if not space.same.cells else "its own action"
    if space.opposite.cells and space.same.cells:
        actions = "both actions"
    which = "the smallest covering set" if cover.smallest else "a covering set"
    message = (
        f"rule {cf.rule.name} ({cf.rule.action}) decides no packet: earlier rules of {actions} decide every "
        f"packet it matches; {which}: {rules_text(c.rule for c in cover.rules)}"
    )
    return Finding("shadowed", level, message, rule_subject(cf.rule), related(c.rule for c in cover.rules))


def partially_shadowed(ctx: LintContext, space: RuleSpace) -> Finding:
    cf = space.flow
    opposite = bool(space.opposite.cells)
    part: Overlap = space.opposite if opposite else space.same
    cell = part.cells[0]
    packet = cell.packet()
    replay(ctx.table, space, packet, cell.rule, "partially-shadowed")
    level: Level = "warning" if opposite else "note"
    box = Box(part.sources(), part.destinations(), part.services())
    message = (
        f"part of rule {cf.rule.name} ({cf.rule.action}) is decided earlier, "
        f"{'by the opposite action' if opposite else 'the same way'}: "
        f"sources {addresses_text(box.sources)}, "
        f"destinations {addresses_text(box.destinations)}, services {services_text(box.services)}; "
        f"e.g. this packet, decided by {rule_text(cell.rule)}"
    )
    return Finding(
        "partially-shadowed", level, message, rule_subject(cf.rule), related(part.rules()), packet, box
    )


def redundant(ctx: LintContext, space: RuleSpace) -> Finding | None:
    cf = space.flow
    i = cf.rule.index or 0
    later = ctx.spaces.index.after(i)
    defaults = ctx.model.defaults
    if cf.rule.action not in (defaults.intra_zone, defaults.inter_zone) and not any(
        c.rule.action == cf.rule.action for c in later
    ):
        return None  # some of its packets would fall to a default of the other action
    instead_cells = []
    for c in ctx.spaces.without(i, space, later):
        if c.rule.action != cf.rule.action:
            return None
        instead_cells.append(c)
    packet = space.own[0].packet()
    replay(ctx.table, space, packet, cf.rule, "redundant-with-default")
    instead = replay_without(ctx.table, cf, later, packet)
    successors = frozenset(c.rule for c in instead_cells)
    cite = ctx.scope.cite
    message = (
        f"rule {cf.rule.name} ({cf.rule.action}) changes no packet's decision: without it, "
        f"{rules_text(cite(r) for r in sort_rules(successors))} would decide each of its packets the same "
        f"way (without it the witness goes to {rule_text(cite(instead))})"
    )
    return Finding(
        "redundant-with-default",
        "warning",
        message,
        rule_subject(cf.rule),
        related(r for r in successors if not r.is_default),
        packet,
    )


def space_findings(ctx: LintContext, space: RuleSpace) -> list[Finding]:
    """What one rule's decided space says: empty, shadowed, partly shadowed, redundant."""
    if not space.decides:
        if not space.overlapped:
            return [empty_rule(ctx, space)] if ctx.wants("empty-rule") else []
        return [shadowed(ctx, space)] if ctx.wants("shadowed") else []
    out: list[Finding] = []
    if space.overlapped and ctx.wants("partially-shadowed"):
        out.append(partially_shadowed(ctx, space))
    if ctx.wants("redundant-with-default"):
        found = redundant(ctx, space)
        if found is not None:
            out.append(found)
    return out
