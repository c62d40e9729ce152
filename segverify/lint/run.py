"""Lint stage: one lint run: every rule's decided space once, then the findings each code asks for.

Rule findings come from one pass per enforcement layer (layers.py); a named layer's findings
name it. The whole-model findings (unzoned, unused, stale waivers) read the model as written.
"""

from __future__ import annotations

from dataclasses import replace

from segverify.lint.broad import overly_broad
from segverify.lint.context import LintContext, LintOptions
from segverify.lint.findings import Finding, LintReport
from segverify.lint.layers import layer_tables
from segverify.lint.rules import space_findings
from segverify.lint.stale import stale_waivers
from segverify.lint.unused import unused
from segverify.lint.uses import uses_of
from segverify.lint.zoning import unzoned
from segverify.model.intervals import IntervalSet, union_all
from segverify.model.ir import Model
from segverify.model.refs import Resolver

RULE_CODES = ("shadowed", "partially-shadowed", "redundant-with-default", "empty-rule", "overly-broad")


def rule_pass(ctx: LintContext) -> tuple[list[Finding], IntervalSet]:
    """Rule findings, and the destinations of every packet an allow rule decides (for unused)."""
    findings: list[Finding] = []
    reached: list[IntervalSet] = []
    if not (any(ctx.wants(c) for c in RULE_CODES) or ctx.wants("unused")):
        return findings, IntervalSet()
    for i, cf in enumerate(ctx.spaces.flows):
        space = ctx.spaces.space(i)
        findings += space_findings(ctx, space)
        if ctx.wants("overly-broad"):
            found = overly_broad(ctx, space)
            if found is not None:
                findings.append(found)
        if cf.flow.action == "allow":
            reached += [cell.dst for cell in space.own]
    layer = ctx.scope.name
    if layer:
        findings = [replace(f, layer=layer, message=f"layer {layer}: {f.message}") for f in findings]
    return findings, union_all(reached)


def lint(model: Model, options: LintOptions = LintOptions()) -> LintReport:
    resolver = Resolver(model)
    passes = [LintContext.of(model, options, table) for table in layer_tables(model, resolver)]
    findings: list[Finding] = []
    reached: list[IntervalSet] = []
    for layer in passes:
        found, dsts = rule_pass(layer)
        findings += found
        reached.append(dsts)
    ctx = passes[0]
    uses = uses_of(model)
    if ctx.wants("unzoned"):
        findings += unzoned(ctx, uses)
    if ctx.wants("unused"):
        findings += unused(ctx, uses, union_all(reached))
    if ctx.wants("stale-waiver"):
        findings += stale_waivers(ctx)
    kept = [f for f in findings if ctx.wants(f.code)]
    return LintReport(tuple(sorted(kept, key=Finding.sort_key)), model.files)
