"""Diff stage: the report as JSON-ready data, the contract of `diff --format json` (issue #18)."""

from __future__ import annotations

from segverify.diagnostics import Span
from segverify.diff.attack import ReachChange
from segverify.diff.changes import Definition
from segverify.diff.groups import Group
from segverify.diff.policies import PolicyChange
from segverify.diff.report import DiffReport
from segverify.model.addresses import format_set
from segverify.model.intervals import IntervalSet
from segverify.model.ports import PROTOCOL_NAMES
from segverify.render.plain import Json, hop_json, packet_json, witness_json
from segverify.results import RuleRef

PORTS = 65536


def services_text(svc: IntervalSet) -> list[str]:
    """`tcp/80`, `udp/53-54`, `icmp` (every icmp type), `any`, and `ip/N-M` for every packet of IP
    protocols N to M (what `any` minus a few services leaves)."""
    if svc.size() == 1 << 24:
        return ["any"]
    return [text for lo, hi in svc for text in _interval_text(lo, hi)]


def _interval_text(lo: int, hi: int) -> list[str]:
    first_whole, last_whole = -(-lo // PORTS), (hi + 1) // PORTS - 1  # protocols wholly inside
    if first_whole > last_whole:
        return [
            _ports(p, max(lo, p * PORTS) % PORTS, min(hi, p * PORTS + PORTS - 1) % PORTS)
            for p in range(lo // PORTS, hi // PORTS + 1)
        ]
    out = []
    if lo < first_whole * PORTS:
        out.append(_ports(lo // PORTS, lo % PORTS, PORTS - 1))
    if first_whole == last_whole:
        out.append(_ports(first_whole, 0, PORTS - 1))
    else:
        out.append(f"ip/{first_whole}-{last_whole}")
    if hi > last_whole * PORTS + PORTS - 1:
        out.append(_ports(hi // PORTS, 0, hi % PORTS))
    return out


def _ports(proto: int, first: int, last: int) -> str:
    name = PROTOCOL_NAMES.get(proto, str(proto))
    if name == "icmp" and (first, last) == (0, PORTS - 1):
        return "icmp"
    return f"{name}/{first}" if first == last else f"{name}/{first}-{last}"


def _where(span: Span | None) -> Json:
    return (
        {"file": span.file, "line": span.line}
        if span is not None and span.line > 0
        else {"file": None, "line": None}
    )


def decided_json(r: RuleRef) -> Json:
    return {"action": r.action, "rule": {"name": r.name, **_where(r.span)}}


def decider_json(layer: str, r: RuleRef) -> Json:
    """One layer's deciding rule: `layer` is null for the implicit layer (top-level flows)."""
    return {"layer": layer or None, "name": r.name, "action": r.action, **_where(r.span)}


def group_json(g: Group) -> Json:
    out: Json = {
        "from_zone": g.from_zone,
        "to_zone": g.to_zone,
        "src": format_set(g.src),
        "dst": format_set(g.dst),
        "services": services_text(g.svc),
        "example": packet_json(g.example),
        "before": decided_json(g.before),
        "after": decided_json(g.after),
    }
    if g.rules_before or g.rules_after:  # with `layers:` on either side: every layer's deciding rule
        out["rules_before"] = [decider_json(layer, r) for layer, r in g.rules_before]
        out["rules_after"] = [decider_json(layer, r) for layer, r in g.rules_after]
    return out


def policy_json(p: PolicyChange) -> Json:
    out: Json = {
        "id": p.id,
        "before": p.before.status.value if p.before else "absent",
        "after": p.after.status.value if p.after else "absent",
        "change": p.change,
    }
    if p.change == "regressed" and p.after is not None and p.after.witness is not None:
        out["witness"] = witness_json(p.after.witness)
    return out


def reach_json(r: ReachChange, with_witness: bool) -> Json:
    out: Json = {"foothold": r.foothold, "profile": r.profile}
    out.update({"host": r.host} if r.host is not None else {"credential": r.credential})
    if with_witness and r.host is not None:
        out["witness"] = {"target": r.host, "path": [hop_json(h) for h in r.witness]}
    return out


def definition_json(d: Definition) -> Json:
    out: Json = {"kind": d.kind, "name": d.name}
    if d.before is not None:
        out["before"] = _where(d.before)
    if d.after is not None:
        out["after"] = _where(d.after)
    if d.fields:
        out["fields"] = list(d.fields)
    return out


def diff_json(report: DiffReport) -> Json:
    out: Json = {
        "segverify_diff": 1,
        "policies": [policy_json(p) for p in report.policies],
        "packets": {
            "opened": [group_json(g) for g in report.packets.opened],
            "closed": [group_json(g) for g in report.packets.closed],
        },
    }
    if report.intended is not None:
        out["intended"] = {
            "collateral": [group_json(g) for g in report.intended.collateral],
            "unmet": [group_json(g) for g in report.intended.unmet],
        }
    out["attack"] = {
        "gained": [reach_json(r, True) for r in report.gained],
        "lost": [reach_json(r, False) for r in report.lost],
    }
    c = report.changes
    out["changes"] = {
        "added": [definition_json(d) for d in c.added],
        "removed": [definition_json(d) for d in c.removed],
        "changed": [definition_json(d) for d in c.changed],
    }
    return out
