"""Lint stage: one finding, its subject and the report of a lint run (plain values, rendered elsewhere)."""

from __future__ import annotations

from dataclasses import dataclass

from segverify.diagnostics import NO_SPAN, Span
from segverify.lint.codes import Level
from segverify.model.intervals import IntervalSet
from segverify.results import Packet, RuleRef


@dataclass(frozen=True, slots=True)
class Subject:
    """What a finding is about: a rule, or a service, account, group, tag, host, zone or waiver."""

    kind: str  # "rule", "service", "account", "group", "tag", "host", "zone", "waiver"
    name: str
    span: Span = NO_SPAN


def rule_subject(rule: RuleRef) -> Subject:
    return Subject("rule", rule.name, rule.span or NO_SPAN)


@dataclass(frozen=True, slots=True)
class Box:
    """Sources, destinations and services that a set of packets spans (each member is used)."""

    sources: IntervalSet
    destinations: IntervalSet
    services: IntervalSet


@dataclass(frozen=True, slots=True)
class Finding:
    code: str
    level: Level
    message: str
    subject: Subject
    related: tuple[Subject, ...] = ()
    witness: Packet | None = None
    overlap: Box | None = None  # partially-shadowed: the part decided earlier, as projections
    layer: str = ""  # a rule finding about a rule of a named enforcement layer: that layer

    def sort_key(self) -> tuple[str, int, int, str, str]:
        s = self.subject.span
        return (s.file, s.line, s.column, self.code, self.subject.name)


@dataclass(frozen=True, slots=True)
class LintReport:
    findings: tuple[Finding, ...]
    files: tuple[str, ...] = ()

    def errors(self) -> int:
        return sum(1 for f in self.findings if f.level == "error")
