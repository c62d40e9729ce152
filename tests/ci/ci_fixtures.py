"""Hand-built reports for the CI-gate renderers: every status, witness kind and waiver state."""

from __future__ import annotations

import dataclasses
from datetime import date

from segverify.diagnostics import Span
from segverify.model.addresses import cidr_set
from segverify.model.ir import Severity, Waiver
from segverify.model.ports import parse_port_spec
from segverify.results import (
    AccountsCertificate,
    AccountsWitness,
    BlastWitness,
    ControlledHost,
    Hop,
    MatrixWitness,
    Packet,
    PacketWitness,
    PairWitness,
    PathWitness,
    PolicyResult,
    RegionCertificate,
    Report,
    RuleRef,
    Status,
)

MODEL = "models/network.yaml"
POLICIES = "policies/seg.yaml"


def addr(text: str) -> int:
    return cidr_set(text).first()


def packet(src: str, dst: str, port: str) -> Packet:
    return Packet(addr(src), addr(dst), parse_port_spec(port).first())


def rule(name: str, line: int, action: str = "allow", file: str = MODEL) -> RuleRef:
    assert action in ("allow", "deny")
    return RuleRef(name, "allow" if action == "allow" else "deny", index=line, span=Span(file, line, 5))


INTER_ZONE = RuleRef("default:inter_zone", "deny")


def attack_path(shift: int = 0, via: str = "jump") -> tuple[Hop, ...]:
    """laptops -> (ssh as alice) -> via -> harvest ops-1 -> (ssh as ops-1) -> db."""
    return (
        Hop("foothold", to="laptops", address=addr("10.10.0.7")),
        Hop(
            "login",
            source="laptops",
            to=via,
            service="ssh",
            packet=packet("10.10.0.7", "10.20.0.5", "tcp/22"),
            rule=rule("corp-to-jump", 40 + shift),
            credential="alice",
        ),
        Hop("harvest", at=via, credential="ops-1"),
        Hop(
            "login",
            source=via,
            to="db",
            service="ssh",
            packet=packet("10.20.0.5", "10.20.0.9", "tcp/22"),
            rule=RuleRef("default:intra_zone", "allow"),
            credential="ops-1",
        ),
    )


def policy(
    pid: str, kind: str, status: Status, line: int, severity: Severity = "high", **kw: object
) -> PolicyResult:
    return PolicyResult(
        id=pid,
        kind=kind,  # type: ignore[arg-type]
        status=status,
        title=f"{pid} {kind.replace('_', ' ')} policy",
        severity=severity,
        source=Span(POLICIES, line, 5),
        **kw,  # type: ignore[arg-type]
    )


def waiver(pid: str, expires: date, line: int = 90) -> Waiver:
    return Waiver(pid, "Vendor migration, tracked in SEC-1234", expires, "netops", Span(POLICIES, line, 5))


def full_report(shift: int = 0, via: str = "jump") -> Report:
    """One result of each shape; `shift` moves every line, `via` changes the attack path."""
    s = shift
    results = (
        policy("SEG-001", "isolated", Status.VIOLATED, 3 + s, "critical",
               witness=PathWitness("db", attack_path(s, via))),
        policy("SEG-002", "no_flow", Status.VIOLATED, 10 + s, "medium",
               witness=PacketWitness(packet("203.0.113.9", "10.30.0.10", "tcp/22"),
                                     rule("internet-to-relay", 31 + s))),
        policy("SEG-003", "reachable", Status.VIOLATED, 17 + s, "low",
               witness=PacketWitness(packet("10.40.0.1", "10.20.0.9", "tcp/9100"), INTER_ZONE)),
        policy("SEG-004", "matrix", Status.WAIVED, 24 + s, "high",
               witness=MatrixWitness((PairWitness("corp-it", "production",
                                                  packet("10.10.0.1", "10.20.0.1", "tcp/443"),
                                                  rule("corp-web", 50 + s)),)),
               waiver=waiver("SEG-004", date(2027, 3, 31), 90 + s)),
        policy("SEG-005", "separate_accounts", Status.PROVED, 31 + s,
               certificate=AccountsCertificate((("corp-it", ("alice",)), ("production", ("ops-1",)))),
               stale_waiver=waiver("SEG-005", date(2027, 1, 1), 95 + s)),
        policy("SEG-006", "blast_radius", Status.UNKNOWN, 38 + s, "critical",
               reason="solver gave up: timeout after 30s"),
        policy("SEG-007", "blast_radius", Status.VIOLATED, 45 + s, "high",
               witness=BlastWitness((ControlledHost("laptops", attack_path(s, via)[:1]),
                                     ControlledHost(via, attack_path(s, via)[:2]),
                                     ControlledHost("db", attack_path(s, via))), 2)),
        policy("SEG-008", "separate_accounts", Status.VIOLATED, 52 + s, "medium",
               witness=AccountsWitness("ops-1", ("jump", "corp-dc"), ("production", "corp-it"), "login"),
               waiver=waiver("SEG-008", date(2020, 1, 1), 99 + s),
               reason="waiver expired on 2020-01-01"),
        policy("SEG-009", "no_flow", Status.PROVED, 59 + s, "low",
               certificate=RegionCertificate((INTER_ZONE,), 1)),
    )  # fmt: skip
    return Report(results=results, files=(MODEL, POLICIES))


def only(report: Report, *statuses: Status) -> Report:
    return dataclasses.replace(report, results=tuple(r for r in report.results if r.status in statuses))


def with_severity(status: Status, severity: Severity, pid: str = "P-1") -> PolicyResult:
    return policy(pid, "no_flow", status, 3, severity)


def report_of(*results: PolicyResult) -> Report:
    return Report(results=results, files=(MODEL,))
