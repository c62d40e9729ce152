"""Render stage: SARIF 2.1.0 that GitHub code scanning accepts (`--format sarif`).

GitHub rejects a whole upload for one bad result, so every result carries a relative
`uri` and a `startLine >= 1`, every run a `results` array. Proved policies are left out:
GitHub turns every result into an alert whatever its `kind` (PSRule#955), and a rule
that ran with no result is how it closes a fixed alert.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from segverify import __version__
from segverify.diagnostics import Span
from segverify.kinds import KINDS
from segverify.model.ir import Model, Severity
from segverify.render.hops import steps
from segverify.render.places import Places
from segverify.render.places import usable as usable  # re-exported: lint renders with it too
from segverify.render.text import result_lines
from segverify.results import (
    AccountsWitness,
    BlastWitness,
    Hop,
    MatrixWitness,
    PacketWitness,
    PathWitness,
    PolicyResult,
    Report,
    ResilienceWitness,
    Status,
    Witness,
    at_or_above,
)

Json = dict[str, Any]

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://pypi.org/project/segverify/"
MAX_RESULTS = 25_000  # GitHub rejects larger runs
MAX_LOCATIONS = 1_000  # per result, GitHub's limit for relatedLocations and thread-flow locations
FINGERPRINT_KEY = "segverify/v1"
NETWORK_MOVES = ("login", "exploit")

SECURITY_SEVERITY: dict[Severity, str] = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0"}


def render_sarif(
    report: Report,
    model_root: str = ".",
    model: Model | None = None,
    category: str = "",
    fail_on: Severity | None = None,
) -> str:
    """The SARIF log as JSON text; file paths relative to `model_root` (the repository root).

    With the model, results point at the model lines that enable them (render/places.py); a
    violation below the --fail-on threshold is a warning, as it does not fail the run."""
    log = sarif_log(report, model_root, model, category, fail_on)
    # Compact: json's C encoder runs only without indent, and GitHub caps the size of uploads.
    return json.dumps(log, ensure_ascii=False, separators=(",", ":")) + "\n"


def sarif_log(
    report: Report,
    model_root: str = ".",
    model: Model | None = None,
    category: str = "",
    fail_on: Severity | None = None,
) -> Json:
    run = _run(report, Context(model_root, Places(model), fail_on), category)
    return {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}


@dataclass(frozen=True)
class Context:
    root: str
    places: Places
    fail_on: Severity | None


def level(r: PolicyResult, fail_on: Severity | None) -> str:
    """`error` for a violation that fails the run; `warning` for unknown and for a violation
    below --fail-on; `note` for a waived one (GitHub: error, warning, notice)."""
    if r.status == Status.WAIVED:
        return "note"
    if r.status == Status.VIOLATED and at_or_above(r.severity, fail_on):
        return "error"
    return "warning"


def _run(report: Report, ctx: Context, category: str) -> Json:
    rules = _rules(report)
    index = {rule["id"]: i for i, rule in enumerate(rules)}
    findings = [r for r in report.results if r.status != Status.PROVED]
    results = [_result(r, index[r.id], report, ctx) for r in findings[:MAX_RESULTS]]
    root = ctx.root
    notes = _notifications(report, root, dropped=len(findings) - len(results))
    run: Json = {
        "tool": {"driver": _driver(rules)},
        "automationDetails": {"id": automation_id(category)},
        "invocations": [{"executionSuccessful": True, "toolExecutionNotifications": notes}],
        "results": results,
        "columnKind": "unicodeCodePoints",
    }
    explained = [r for r in report.results if r.explanation is not None]
    if explained:  # `check --explain`: proofs have no SARIF result, so the run carries them
        from segverify.render.explanation import explanation_summary

        run["properties"] = {
            "explanations": [explanation_summary(r.explanation) for r in explained if r.explanation]
        }
    return run


def automation_id(category: str = "") -> str:
    """`segverify/`, or `segverify/<category>/` with --category: never derived from file names,
    so adding or renaming a model file keeps the analysis and its alerts (GitHub keys alerts on
    this id, and reads the category as the part up to the last `/`)."""
    category = category.strip("/")
    return f"segverify/{category}/" if category else "segverify/"


def _driver(rules: list[Json]) -> Json:
    return {
        "name": "segverify",
        "informationUri": INFORMATION_URI,
        "version": __version__,
        "semanticVersion": __version__,
        "rules": rules,
    }


# ---- rules -----------------------------------------------------------------------------------


def _rules(report: Report) -> list[Json]:
    """One rule per policy id (every policy, proved ones too, so a fixed alert closes)."""
    first: dict[str, PolicyResult] = {}
    for r in report.results:
        first.setdefault(r.id, r)
    return [_rule(first[pid]) for pid in sorted(first)]


def _rule(r: PolicyResult) -> Json:
    meaning, fix = KINDS[r.kind].meaning, KINDS[r.kind].fix
    title = r.title or f"{r.kind} policy {r.id}"
    return {
        "id": r.id,
        "name": _pascal(r.kind) + "Policy",
        "shortDescription": {"text": title},
        "fullDescription": {"text": f"{title}. A `{r.kind}` policy holds when: {meaning}"},
        "help": {
            "text": f"{r.kind}: {meaning}\nHow to fix: {fix}",
            "markdown": f"**{r.kind}**: {meaning}\n\n**How to fix**: {fix}",
        },
        "defaultConfiguration": {"level": "error"},
        "properties": {
            "tags": ["security", "network-segmentation", r.kind],
            "security-severity": SECURITY_SEVERITY[r.severity],
            "precision": "very-high",  # a violation is a checked witness, never a heuristic
            "problem.severity": "error",
        },
    }


def _pascal(kind: str) -> str:
    return "".join(part.capitalize() for part in kind.split("_"))


# ---- results ---------------------------------------------------------------------------------


def _result(r: PolicyResult, rule_index: int, report: Report, ctx: Context) -> Json:
    root, places = ctx.root, ctx.places
    policy = _policy_span(r, report)
    flows = hop_flows(r.witness)
    anchor = anchor_span(r, policy, places)
    out: Json = {
        "ruleId": r.id,
        "ruleIndex": rule_index,
        "level": level(r, ctx.fail_on),
        "message": {"text": finding_message(r, root)},
        "locations": [location(anchor, root)],
        "partialFingerprints": _fingerprints(r),
        "properties": {"status": r.status.value, "kind": r.kind, "severity": r.severity},
    }
    related = _related(r, policy, anchor, root, places)
    if related:
        out["relatedLocations"] = related
    if flows:
        out["codeFlows"] = [_code_flow(h, hops, policy, root, places) for h, hops in flows[:MAX_LOCATIONS]]
    if r.status == Status.WAIVED and r.waiver is not None:
        out["suppressions"] = [_suppression(r)]
    return out


def finding_message(r: PolicyResult, root: str = ".") -> str:
    """`ID status: title`, then the text report's witness, waiver and reason lines, with file
    paths relative to `root` as the locations have them."""
    head = f"{r.id} {r.status.value}: {r.title or r.kind} [{r.severity}]"
    if r.source is not None and r.source.line >= 1 and not usable(r.source):
        head += f" (policy {r.source})"  # a shipped pack: named here, as it is no location
    text = "\n".join([head, *(line.strip() for line in result_lines(r)[1:])])
    return relative_paths(text, _files(r), root)


def _files(r: PolicyResult) -> set[str]:
    """The files a result's text cites: its policy, rules and waivers."""
    spans: list[Span | None] = [r.source]
    spans += [w.span for w in (r.waiver, r.stale_waiver) if w is not None]
    spans += [s for s in step_spans(r.witness, Places())]
    return {s.file for s in spans if usable(s)}


def relative_paths(text: str, files: set[str], root: str) -> str:
    """Each `FILE:LINE` cited in text, with FILE made relative to root (as relative_uri does)."""
    for file in sorted(files, key=len, reverse=True):
        rel = relative_uri(file, root)
        if rel != file:
            text = re.sub(rf"(?<![\w./-]){re.escape(file)}(?=:\d)", rel.replace("\\", "\\\\"), text)
    return text


def _suppression(r: PolicyResult) -> Json:
    assert r.waiver is not None
    w = r.waiver
    owner = f", owner {w.owner}" if w.owner else ""
    return {
        "kind": "external",
        "status": "accepted",
        "justification": f"{w.reason} (waiver expires {w.expires.isoformat()}{owner}, {w.span})",
    }


def _policy_span(r: PolicyResult, report: Report) -> Span:
    """The policy's own place; a report with no usable span anchors at its first file's top."""
    if r.source is not None and usable(r.source):
        return r.source
    return Span(report.files[0] if report.files else "model.yaml", 1, 1)


def hop_flows(w: Witness | None) -> list[tuple[str, tuple[Hop, ...]]]:
    """The attack paths of a witness: one for isolated/only_via, one per host for blast_radius."""
    if isinstance(w, ResilienceWitness):
        w = w.witness
    if isinstance(w, PathWitness):
        return [(w.target, w.path)]
    if isinstance(w, BlastWitness):
        return [(c.host, c.path) for c in w.hosts if c.path]
    return []


def anchor_span(r: PolicyResult, policy: Span, places: Places | None = None) -> Span:
    """The model line that enables the finding's first avoidable step (render/places.py):
    the flow rule, host entry or membership; the policy when the witness has none."""
    for span in step_spans(r.witness, places or Places()):
        if usable(span):
            return span
    return policy


def step_spans(w: Witness | None, places: Places) -> list[Span | None]:
    """The lines that enable a witness's steps, in the order the attacker takes them."""
    if isinstance(w, PacketWitness):
        return [places.rule(w.rule)]
    if isinstance(w, MatrixWitness):
        return [places.rule(p.rule) for p in w.pairs]
    if isinstance(w, AccountsWitness):
        return list(places.accounts(w))
    return [places.hop(h) for _, hops in hop_flows(w) for h in hops]


def location(span: Span, root: str, message: str | None = None, ident: int | None = None) -> Json:
    loc: Json = {
        "physicalLocation": {
            "artifactLocation": {"uri": relative_uri(span.file, root)},
            "region": {"startLine": max(span.line, 1), "startColumn": max(span.column, 1)},
        }
    }
    if ident is not None:
        loc["id"] = ident
    if message is not None:
        loc["message"] = {"text": message}
    return loc


def relative_uri(file: str, root: str) -> str:
    """A POSIX path relative to the repository root, as GitHub resolves result locations."""
    return PurePath(os.path.relpath(os.path.abspath(file), os.path.abspath(root))).as_posix()


def hop_messages(path: tuple[Hop, ...]) -> list[str]:
    """One line per hop, numbered as everywhere (render/hops.py): `foothold: ...`, `1: login ...`."""
    return [step.message() for step in steps(path)]


def hop_span(h: Hop, policy: Span, places: Places) -> Span:
    """A hop points at the line that enables it (places.py); a foothold at the policy."""
    span = places.hop(h)
    return span if usable(span) else policy


def _related(r: PolicyResult, policy: Span, anchor: Span, root: str, places: Places) -> list[Json]:
    # A policy in a shipped pack has no place in the repository: its message cites `pack:NAME`.
    cited = anchor != policy and usable(r.source)
    related = [location(policy, root, "the policy", 0)] if cited else []
    if isinstance(r.witness, AccountsWitness):
        for span in places.accounts(r.witness):
            if span != anchor:
                related.append(location(span, root, f"{r.witness.principal} granted here", len(related)))
    flows = hop_flows(r.witness)
    for host, hops in flows:
        prefix = f"to {host}, " if len(flows) > 1 else ""
        for h, text in zip(hops, hop_messages(hops), strict=True):
            related.append(location(hop_span(h, policy, places), root, prefix + text, len(related)))
    return _capped(related, "related locations")


def _code_flow(host: str, hops: tuple[Hop, ...], policy: Span, root: str, places: Places) -> Json:
    steps = [
        {"location": location(hop_span(h, policy, places), root, text)}
        for h, text in zip(hops, hop_messages(hops), strict=True)
    ]
    return {
        "message": {"text": f"attack path to {host}"},
        "threadFlows": [{"locations": _capped(steps, "hops")}],
    }


def _capped(items: list[Json], what: str) -> list[Json]:
    """Keep GitHub's 1,000-locations limit; the last kept entry says how many were cut."""
    if len(items) <= MAX_LOCATIONS:
        return items
    kept = items[:MAX_LOCATIONS]
    note = f" ({len(items) - MAX_LOCATIONS + 1} more {what} left out: see --format json)"
    last = dict(kept[-1])
    where = last["location"] if "location" in last else last
    where["message"] = {"text": where.get("message", {}).get("text", "") + note}
    kept[-1] = last
    return kept


# ---- fingerprints ----------------------------------------------------------------------------


def _fingerprints(r: PolicyResult) -> dict[str, str]:
    # The same value under GitHub's key keeps upload-sarif from computing a line-based one.
    digest = fingerprint(r)
    return {FINGERPRINT_KEY: digest, "primaryLocationLineHash": digest}


def fingerprint(r: PolicyResult) -> str:
    """A semantic hash: policy, foothold, target and ordered hops; never files or lines."""
    data = {"policy": r.id, "finding": semantic_identity(r.witness)}
    text = json.dumps(data, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def semantic_identity(w: Witness | None) -> Json:
    # Concrete packets are left out: the solver may pick another address after an unrelated edit.
    if isinstance(w, ResilienceWitness):
        choice = [c.label() for c in w.failed] + ([w.account] if w.account else [])
        return {"choice": choice, **semantic_identity(w.witness)}
    if isinstance(w, PathWitness | BlastWitness):
        return {"paths": [_path_identity(target, hops) for target, hops in hop_flows(w)]}
    if isinstance(w, PacketWitness):
        return {"rule": w.rule.name}
    if isinstance(w, MatrixWitness):
        return {"pairs": [[p.source, p.destination, p.rule.name] for p in w.pairs]}
    if isinstance(w, AccountsWitness):
        return {"principal": w.principal, "hosts": sorted(w.hosts), "reason": w.reason}
    return {}


def _path_identity(target: str, hops: tuple[Hop, ...]) -> Json:
    foothold = [[h.to, h.at, h.credential] for h in hops if h.move == "foothold"]
    moves = [[h.move, h.source or h.at, h.to, h.service, h.credential] for h in hops if h.move != "foothold"]
    return {"foothold": foothold, "target": target, "hops": moves}


# ---- run notifications -----------------------------------------------------------------------


def _notifications(report: Report, root: str, dropped: int) -> list[Json]:
    """Stale waivers, report notes and a truncation notice: reported, never alerts."""
    notes = [_stale_note(r, root) for r in report.stale_waivers()]
    notes += [{"level": "note", "message": {"text": text}} for text in report.notes]
    if dropped:
        text = f"{dropped} results left out: GitHub rejects runs with more than {MAX_RESULTS}"
        notes.append({"level": "warning", "message": {"text": text}})
    return notes


def _stale_note(r: PolicyResult, root: str) -> Json:
    assert r.stale_waiver is not None
    w = r.stale_waiver
    note: Json = {
        "level": "note",
        "message": {"text": f"stale waiver: {r.id} now holds; remove the waiver ({w.reason})"},
    }
    if usable(w.span):
        note["locations"] = [location(w.span, root)]
    return note
