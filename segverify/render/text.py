"""Render stage: the human-readable report (`--format text`): verdicts first, then why."""

from __future__ import annotations

from typing import assert_never

from segverify.render.hops import packet_text, rule_text, steps
from segverify.results import (
    AccountsCertificate,
    AccountsWitness,
    BlastWitness,
    Certificate,
    Choice,
    ClosedSetCertificate,
    Hop,
    MatrixWitness,
    PacketWitness,
    PathWitness,
    PolicyResult,
    RegionCertificate,
    Report,
    ResilienceWitness,
    Status,
    Witness,
)

MARK = {
    Status.PROVED: "PROVED  ",
    Status.VIOLATED: "VIOLATED",
    Status.WAIVED: "WAIVED  ",
    Status.UNKNOWN: "UNKNOWN ",
}


def hop_lines(path: tuple[Hop, ...]) -> list[str]:
    """Foothold hops unnumbered; moves numbered 1..n (render/hops.py) as in diagrams and SARIF."""
    return [step.text_line() for step in steps(path)]


def witness_lines(w: Witness) -> list[str]:
    if isinstance(w, PathWitness):
        return [f"  attack path to {w.target}:", *hop_lines(w.path), *_reached_lines(w)]
    if isinstance(w, PacketWitness):
        return [f"  packet {packet_text(w.packet)}, {rule_text(w.rule)}"]
    if isinstance(w, MatrixWitness):
        return [
            f"  {p.source} -> {p.destination}: {packet_text(p.packet)}, {rule_text(p.rule)}" for p in w.pairs
        ]
    if isinstance(w, AccountsWitness):
        how = "may log in on" if w.reason == "login" else "leaves a session on / may log in on"
        return [f"  {w.principal} {how} {w.hosts[0]} ({w.zones[0]}) and {w.hosts[1]} ({w.zones[1]})"]
    if isinstance(w, BlastWitness):
        names = ", ".join(c.host for c in w.hosts)
        return [f"  controls {len(w.hosts)} hosts (at most {w.max_hosts} allowed): {names}"]
    if isinstance(w, ResilienceWitness):
        return [f"  not resilient: {choice_text(w)}", *witness_lines(w.witness)]
    assert_never(w)


def choice_text(w: ResilienceWitness) -> str:
    """The choice that breaks a `resilient` policy: failed controls or a stolen account."""
    if w.account is None:
        return "with " + ", ".join(c.label() for c in w.failed) + " failed"
    alike = f" (or any of {', '.join(w.alike)}: the same logins)" if w.alike else ""
    return f"with account {w.account} stolen{alike}, used from {', '.join(w.places)}"


def _reached_lines(w: PathWitness) -> list[str]:
    """Every protected host the attacker controls, not only the one whose path is shown."""
    if len(w.reached) <= 1:
        return []
    lines = [f"  the attacker controls {len(w.reached)} protected hosts: {', '.join(w.reached)}"]
    for c in w.paths:
        lines += [f"  attack path to {c.host}:", *hop_lines(c.path)]
    if not w.paths:
        lines.append("  (check --all-paths shows the shortest path to each)")
    return lines


def certificate_lines(c: Certificate) -> list[str]:
    if isinstance(c, RegionCertificate):
        rules = ", ".join(r.name for r in c.deciding) or "nothing (empty region)"
        return [f"  every packet in scope is decided by: {rules}"]
    if isinstance(c, ClosedSetCertificate):
        hosts = ", ".join(c.hosts) or "none"
        creds = ", ".join(c.credentials) or "none"
        return [
            f"  the attacker's closed set: hosts {hosts}; credentials {creds}",
            f"  {len(c.boundary)} move(s) out of it blocked",
        ]
    if isinstance(c, AccountsCertificate):
        return ["  " + "; ".join(f"{z}: {len(a)} account(s)" for z, a in c.zones)]
    assert_never(c)


def choices_text(choices: tuple[Choice, ...]) -> str:
    """What the certificates of a resilient proof's choices cover (written by --certificate)."""
    stolen = [c for c in choices if c.accounts]
    failed = [c for c in choices if c.failed]
    parts = []
    if stolen:
        parts.append(f"{sum(len(c.accounts) for c in stolen)} stolen accounts in {len(stolen)} certificates")
    if any(c.every for c in choices):
        parts.append("every control failed in 1 certificate")
    if failed:
        parts.append(f"{len(failed)} certificates with load-bearing controls failed")
    return ", ".join(parts)


def result_lines(r: PolicyResult) -> list[str]:
    where = f"  ({r.source})" if r.source is not None and r.source.line else ""
    lines = [f"{MARK[r.status]} {r.id} [{r.severity}] {r.title or r.kind}{where}"]
    if r.status in (Status.VIOLATED, Status.WAIVED) and r.witness is not None:
        lines += witness_lines(r.witness)
    if r.status == Status.PROVED and r.certificate is not None:
        lines += certificate_lines(r.certificate)
        if r.choices:
            lines.append(f"  resilient: proved for every choice, {choices_text(r.choices)}")
    if r.waiver is not None:
        lines.append(f"  waiver: {r.waiver.reason} (expires {r.waiver.expires.isoformat()}, {r.waiver.span})")
    if r.stale_waiver is not None:
        lines.append(f"  stale waiver: the policy holds; remove the waiver at {r.stale_waiver.span}")
    if r.reason:
        lines.append(f"  reason: {r.reason}")
    if r.explanation is not None:
        from segverify.render.explanation import explanation_lines

        lines += explanation_lines(r.explanation)[1:]  # the first line repeats the verdict
    return lines


def render_text(report: Report) -> str:
    lines: list[str] = []
    for r in report.results:
        lines += result_lines(r)
    s, n = report.summary(), len(report.results)
    noun = "policy" if n == 1 else "policies"
    counts = ", ".join(f"{s[k]} {k}" for k in ("proved", "violated", "waived", "unknown"))
    lines.append(f"\n{n} {noun}: {counts}")
    return "\n".join(lines) + "\n"
