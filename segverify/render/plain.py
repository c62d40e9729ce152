"""Render stage: results as plain JSON-ready data, in the documented shape of the spec.

Fields may be added, never renamed (scripts rely on them). Empty and absent values are
left out, so the output stays short and stable.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from typing import Any, assert_never

from segverify.model.addresses import format_address
from segverify.model.controls import Control
from segverify.model.ir import Waiver
from segverify.model.ports import split_svc
from segverify.results import (
    AccountsCertificate,
    AccountsWitness,
    BlastWitness,
    Blocked,
    Certificate,
    Choice,
    ClosedSetCertificate,
    Hop,
    MatrixWitness,
    Packet,
    PacketWitness,
    PathWitness,
    PolicyResult,
    RegionCertificate,
    Report,
    ResilienceWitness,
    RuleRef,
    Witness,
)

Json = dict[str, Any]


def _compact(d: Json) -> Json:
    return {k: v for k, v in d.items() if v not in (None, "", [], {})}


def packet_json(p: Packet) -> Json:
    proto, port = split_svc(p.svc)
    return {"src": format_address(p.src), "dst": format_address(p.dst), "proto": proto, "port": port}


def rule_json(r: RuleRef) -> Json:
    return _compact(
        {
            "name": r.name,
            "action": r.action,
            "file": r.span.file if r.span else None,
            "line": r.span.line if r.span else None,
            "description": r.description,
            "owner": r.owner,
            "ticket": r.ticket,
        }
    )


def hop_json(h: Hop) -> Json:
    return _compact(
        {
            "move": h.move,
            "from": h.source,
            "to": h.to,
            "at": h.at,
            "address": format_address(h.address) if h.address is not None else None,
            "service": h.service,
            "packet": packet_json(h.packet) if h.packet else None,
            "rule": rule_json(h.rule) if h.rule else None,
            "rules": [rule_json(r) for r in h.rules] or None,
            "credential": h.credential,
        }
    )


def witness_json(w: Witness) -> Json:
    if isinstance(w, PathWitness):
        found: Json = {"target": w.target, "path": [hop_json(h) for h in w.path]}
        if w.reached:  # `check` fills it; a `paths` listing claims no more than each path
            found["reached"] = list(w.reached)
            found["reached_count"] = len(w.reached)
            found["reached_paths"] = [
                {"host": c.host, "path": [hop_json(h) for h in c.path]} for c in w.paths
            ]
        return found
    if isinstance(w, PacketWitness):
        return _compact(
            {
                "packet": packet_json(w.packet),
                "rule": rule_json(w.rule),
                "rules": [rule_json(r) for r in w.rules] or None,
            }
        )
    if isinstance(w, MatrixWitness):
        return {
            "pairs": [
                {
                    "from": p.source,
                    "to": p.destination,
                    "packet": packet_json(p.packet),
                    "rule": rule_json(p.rule),
                    **({"rules": [rule_json(r) for r in p.rules]} if p.rules else {}),
                }
                for p in w.pairs
            ]
        }
    if isinstance(w, AccountsWitness):
        return {"principal": w.principal, "hosts": list(w.hosts), "zones": list(w.zones), "reason": w.reason}
    if isinstance(w, BlastWitness):
        shown = blast_paths_shown(w)
        hosts = [
            {"host": c.host, "path": [hop_json(h) for h in c.path]} if i < shown else {"host": c.host}
            for i, c in enumerate(w.hosts)
        ]
        return {"hosts": hosts, "count": len(w.hosts), "max_hosts": w.max_hosts}
    if isinstance(w, ResilienceWitness):
        return {"resilience": resilience_json(w), **witness_json(w.witness)}
    assert_never(w)


BLAST_PATHS = 50


def blast_paths_shown(w: BlastWitness) -> int:
    """How many controlled hosts a report shows with their path: the nearest, enough to exceed max_hosts.

    A blast witness names every controlled host; with a path for each it was most of a large
    report (tens of thousands of hosts at 100,000). Every path was replayed before printing.
    """
    return max(w.max_hosts + 1, BLAST_PATHS)


def resilience_json(w: ResilienceWitness) -> Json:
    """The choice that breaks a `resilient` policy: failed controls or a stolen account."""
    failed = [{"kind": c.kind, "name": c.name, "label": c.label()} for c in w.failed]
    return _compact(
        {"failed": failed, "account": w.account, "places": list(w.places), "alike": list(w.alike)}
    )


def blocked_json(b: Blocked) -> Json:
    return _compact(
        {
            "move": b.move,
            "to": b.to,
            "service": b.service,
            "reason": b.reason,
            "reasons": list(b.walls),
            "rules": [rule_json(r) for r in b.rules],
        }
    )


BoundaryJson = Callable[[tuple[Blocked, ...]], Any]  # a boundary's JSON value (render/json.py)


def boundary_list(entries: tuple[Blocked, ...]) -> list[Json]:
    return [blocked_json(b) for b in entries]


def certificate_json(c: Certificate, boundary: BoundaryJson = boundary_list) -> Json:
    if isinstance(c, RegionCertificate):
        return {"deciding": [rule_json(r) for r in c.deciding], "queries": c.queries}
    if isinstance(c, ClosedSetCertificate):
        out: Json = {"hosts": list(c.hosts), "credentials": list(c.credentials), "senders": list(c.senders)}
        if c.excluded:
            out["excluded"] = list(c.excluded)
        out["boundary"] = boundary(c.boundary)
        return out
    if isinstance(c, AccountsCertificate):
        return {"zones": {z: list(accounts) for z, accounts in c.zones}}
    assert_never(c)


def control_json(c: Control) -> Json:
    out: Json = {"kind": c.kind, "name": c.name, "label": c.label()}
    if c.kind == "default":
        out.update({"from": c.source, "to": c.destination})
    if c.span is not None and c.span.line:
        out.update({"file": c.span.file, "line": c.span.line})
    return out


def choice_json(c: Choice) -> Json:
    """A `resilient` choice as the certificate file names it, its certificate aside."""
    if c.every:
        return {"every_control_failed": True}
    if c.accounts:
        return {"accounts": list(c.accounts), "places": list(c.places)}
    return {"failed": [control_json(f) for f in c.failed]}


def certificate_summary(c: Certificate) -> Json:
    """What a report says of a certificate: counts only; the certificate itself is in its own file."""
    if isinstance(c, RegionCertificate):
        return {"deciding": len(c.deciding), "queries": c.queries}
    if isinstance(c, ClosedSetCertificate):
        out: Json = {"hosts": len(c.hosts), "credentials": len(c.credentials), "senders": len(c.senders)}
        if c.excluded:
            out["excluded"] = len(c.excluded)
        out["boundary"] = len(c.boundary)
        out["blocked"] = _counts(b.reason for b in c.boundary)
        out["denied_by"] = _counts(r.name for b in c.boundary for r in b.rules)
        return _compact(out)
    if isinstance(c, AccountsCertificate):
        return {"zones": len(c.zones), "accounts": len({a for _, names in c.zones for a in names})}
    assert_never(c)


def _counts(keys: Iterable[str]) -> dict[str, int]:
    """How often each key occurs, the most frequent first (ties by key)."""
    counted = Counter(keys)
    return dict(sorted(counted.items(), key=lambda kv: (-kv[1], kv[0])))


def waiver_json(w: Waiver) -> Json:
    return _compact(
        {
            "policy": w.policy,
            "reason": w.reason,
            "expires": w.expires.isoformat(),
            "owner": w.owner,
            "file": w.span.file,
            "line": w.span.line,
        }
    )


def result_json(r: PolicyResult, digest: str = "", choices: ChoiceDigests | None = None) -> Json:
    out: Json = {
        "id": r.id,
        "title": r.title,
        "kind": r.kind,
        "severity": r.severity,
        "status": r.status.value,
    }
    if r.source is not None:
        out["source"] = {"file": r.source.file, "line": r.source.line}
    if r.witness is not None:
        out["witness"] = witness_json(r.witness)
    if r.certificate is not None:
        out["certificate"] = {"sha256": digest, "summary": certificate_summary(r.certificate)}
        if choices is not None:  # a resilient proof: how many choices, and the digest of their list
            out["certificate"].update({"choices": len(r.choices), "choices_sha256": choices[1]})
    if r.waiver is not None:
        out["waiver"] = waiver_json(r.waiver)
    if r.stale_waiver is not None:
        out["stale_waiver"] = waiver_json(r.stale_waiver)
    if r.reason:
        out["reason"] = r.reason
    if r.explanation is not None:
        from segverify.render.explanation import explanation_json

        out["explanation"] = {k: v for k, v in explanation_json(r.explanation).items() if k not in out}
    return out


# Per policy with choices: each choice's certificate SHA-256, and the SHA-256 of the list.
ChoiceDigests = tuple[tuple[str, ...], str]


def report_json(
    report: Report, digests: Mapping[str, str], choices: Mapping[str, ChoiceDigests] | None = None
) -> Json:
    """The JSON report; `digests`: policy id -> SHA-256 of its certificate (evidence/digest.py);
    `choices`: policy id -> the digests of a resilient proof's choices."""
    choices = choices or {}
    return {
        "segverify": "1",
        "summary": report.summary(),
        "results": [result_json(r, digests.get(r.id, ""), choices.get(r.id)) for r in report.results],
    }
