"""Render stage: `check --report FILE.html`, the audit evidence report, one self-contained file.

In the order an assessor reads: the summary (verdicts, date, version, and each input's SHA-256,
so the report is bound to what was checked), the assumptions, the architecture, one section
per policy (render/html_policies.py), the waivers, and an index of every rule (of every
enforcement layer, each named with its layer) with the policies whose evidence cites it.
Nothing is fetched: the style sheet is inline and allowed by its hash in a
Content-Security-Policy that allows nothing else; diagrams are inline SVG (render/html_svg.py).
The bytes depend only on the inputs, `--today` and the renderer.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator

from segverify.evidence.binding import Binding
from segverify.model.ir import Flow, Layer, Model, Ref, Waiver
from segverify.render.dot_architecture import render_architecture
from segverify.render.graphs import unique_stem
from segverify.render.html_assumptions import assumptions_html
from segverify.render.html_policies import esc, policy_section, rule_anchor, section_id, table
from segverify.render.html_rules import cited_rules
from segverify.render.html_style import FILTERS, style_sheet
from segverify.render.html_svg import Diagrams
from segverify.results import PolicyResult, Report, RuleRef, default_ref, layer_default_ref, rule_ref

OVERALL = {0: "PASS: every policy proved or waived", 1: "FAIL: a policy is violated", 3: "UNKNOWN"}


def report_html_chunks(
    model: Model,
    report: Report,
    binding: Binding,
    *,
    certificate_file: str = "",
    dot_binary: str | None = None,
) -> Iterator[str]:
    """The report in pieces, written one after the other (a large report is never whole)."""
    css = style_sheet()
    anchors = policy_anchors(report)
    diagrams = Diagrams(dot_binary=dot_binary)
    yield head(css, report)
    yield filters_html()
    yield "<main>"
    yield toc_html(report, anchors)
    yield summary_html(report, binding, certificate_file)
    yield assumptions_html(model, report)
    yield architecture_html(model, diagrams)
    yield '<h2 id="policies">Policies</h2>'
    for r in report.results:
        yield policy_section(
            model, r, anchors[r.id], binding.digests.get(r.id, ""), certificate_file, diagrams
        )
    yield waivers_html(model, report, binding, anchors)
    yield rules_html(model, report, anchors)
    yield "</main></body></html>\n"


def policy_anchors(report: Report) -> dict[str, str]:
    taken: set[str] = set()
    out = {}
    for r in report.results:
        out[r.id] = unique_stem(r.id, taken)
        taken.add(out[r.id])
    return out


def head(css: str, report: Report) -> str:
    digest = base64.b64encode(hashlib.sha256(css.encode("utf-8")).digest()).decode("ascii")
    policy = (
        f"default-src 'none'; style-src 'sha256-{digest}'; img-src 'none'; script-src 'none'; "
        "font-src 'none'; connect-src 'none'; object-src 'none'; base-uri 'none'; form-action 'none'"
    )
    title = "segverify audit report: " + ", ".join(f"{n} {s}" for s, n in report.summary().items() if n)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{policy}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="referrer" content="no-referrer">'
        f"<title>{esc(title)}</title><style>{css}</style></head><body>"
        "<h1>Network segmentation: audit evidence</h1>"
    )


def filters_html() -> str:
    """Checkboxes before <main>, so CSS alone can hide what they leave unchecked (html_style.py)."""
    parts = ['<span id="filters-title" class="no-print">Show:</span>']
    for cls, label in FILTERS:
        parts.append(
            f'<input type="checkbox" class="filter" id="show-{cls}" checked>'
            f'<label class="filter" for="show-{cls}">{esc(label)}</label>'
        )
    return "".join(parts)


def toc_html(report: Report, anchors: dict[str, str]) -> str:
    items = [
        '<li><a href="#summary">Summary and inputs</a></li>',
        '<li><a href="#assumptions">Assumptions</a></li>',
        '<li><a href="#architecture">Architecture</a></li>',
        '<li><a href="#policies">Policies</a></li>',
    ]
    policies = [
        f'<li class="policy-entry status-{r.status.value} sev-{r.severity}">'
        f'<a href="#{section_id(anchors[r.id])}">{esc(r.id)}</a> '
        f'<span class="badge {r.status.value}">{r.status.value}</span> {esc(r.title or r.kind)}</li>'
        for r in report.results
    ]
    tail = ['<li><a href="#waivers">Waivers</a></li>', '<li><a href="#rules">Rule index</a></li>']
    return (
        '<nav class="toc" aria-label="Contents"><h2 id="contents">Contents</h2><ul>'
        + "".join(items)
        + "</ul><ol>"
        + "".join(policies)
        + "</ol><ul>"
        + "".join(tail)
        + "</ul></nav>"
    )


def recheck_howto(certificate_file: str) -> str:
    target = esc(certificate_file) if certificate_file else "CERTIFICATES.json"
    return (
        '<h3 id="how-to-recheck">How to re-check</h3><ol>'
        "<li>Check that the files you hold are these: <code>sha256sum FILE…</code> prints the digests "
        "above.</li>"
        "<li>Each proved policy's certificate is in the certificate file written by "
        "<code>segverify check … --certificate FILE</code>"
        + (f" (this run: <code>{target}</code>)" if certificate_file else "")
        + "; its SHA-256, shown in the policy's section, is that of the certificate's canonical JSON "
        "(sorted keys, no whitespace).</li>"
        f"<li>Run <code>segverify verify-certificate {target} MODEL… --policy PACK…</code> "
        "with these inputs: "
        "it re-checks every certificate with the plain-Python reference only (no solver) and the inputs' "
        "digests, and exits 0 only when all hold.</li></ol>"
    )


def summary_html(report: Report, binding: Binding, certificate_file: str) -> str:
    counts = report.summary()
    overall = OVERALL.get(report.exit_code, "")
    rows = [[esc(s), f"{n:,}"] for s, n in counts.items()]
    inputs = [[f"<code>{esc(f)}</code>", f"<code>{esc(sha)}</code>"] for f, sha in binding.inputs]
    return (
        '<section id="summary"><h2>Summary and inputs</h2>'
        f'<p class="panel"><strong>{esc(overall)}</strong> ({len(report.results)} policies)</p>'
        + table(("verdict", "policies"), rows)
        + '<dl class="facts">'
        + f"<dt>date</dt><dd>{binding.date.isoformat()} (waivers are judged on this date)</dd>"
        + f"<dt>segverify</dt><dd>{esc(binding.version)}</dd>"
        + f"<dt>normalised model SHA-256</dt><dd><code>{binding.model_sha256}</code></dd></dl>"
        + "<h3>Inputs</h3><p>Every model file and policy pack checked, with the SHA-256 of its bytes "
        + "(<code>sha256sum FILE</code> prints the same).</p>"
        + table(("file", "SHA-256"), inputs)
        + recheck_howto(certificate_file)
        + "</section>"
    )


def architecture_html(model: Model, diagrams: Diagrams) -> str:
    hosts = len(model.hosts)
    note = (
        "Every zone, host and allow rule between zones."
        if hosts <= 60
        else f"{hosts:,} hosts: each zone is drawn as one node with its host count."
    )
    figure = diagrams.figure(render_architecture(model), "fig-architecture", "Architecture")
    return f'<section id="architecture"><h2>Architecture</h2><p>{note}</p>{figure}</section>'


# ---- waivers and rules ------------------------------------------------------------------------


def waiver_state(w: Waiver, results: dict[str, PolicyResult], binding: Binding) -> str:
    r = results.get(w.policy)
    if r is None:
        return "names no policy"
    if r.stale_waiver is not None and r.stale_waiver == w:
        return "stale: the policy holds"
    if w.expires < binding.date:
        return "expired"
    if r.waiver == w:
        return "in force" if r.status.value == "waived" else "not applied"
    return "superseded by a later waiver"


def waivers_html(model: Model, report: Report, binding: Binding, anchors: dict[str, str]) -> str:
    results = {r.id: r for r in report.results}
    rows = []
    for w in sorted(model.waivers, key=lambda w: (w.policy, w.expires)):
        link = (
            f'<a href="#{section_id(anchors[w.policy])}">{esc(w.policy)}</a>'
            if w.policy in anchors
            else esc(w.policy)
        )
        rows.append(
            [
                link,
                esc(waiver_state(w, results, binding)),
                esc(w.expires.isoformat()),
                esc(w.owner or "—"),
                esc(w.reason),
                f"<code>{esc(w.span.file)}:{w.span.line}</code>",
            ]
        )
    body = (
        table(("policy", "state", "expires", "owner", "reason", "written at"), rows)
        if rows
        else "<p>No waivers.</p>"
    )
    return f'<section id="waivers"><h2>Waivers</h2>{body}</section>'


def rule_uses(report: Report) -> dict[str, list[str]]:
    """Rule name -> ids of the policies whose witness or certificate cites it."""
    uses: dict[str, list[str]] = {}
    for r in report.results:
        for name in sorted(cited_rules(r)):
            uses.setdefault(name, []).append(r.id)
    return uses


def indexed_rules(model: Model) -> list[tuple[str, RuleRef, Flow | None, Layer | None]]:
    """Every rule the index lists, deterministic: the top-level rules in first-match order and the
    top-level defaults, then each layer of `layers:` as written, its rules then its defaults.
    Each with its layer's name ("" for the top level), its flow (None for a default) and layer."""
    out: list[tuple[str, RuleRef, Flow | None, Layer | None]] = [
        ("", rule_ref(f), f, None) for f in model.flows
    ]
    out += [("", default_ref(model.defaults, intra), None, None) for intra in (True, False)]
    for layer in model.layers:
        out += [(layer.name, rule_ref(f), f, layer) for f in layer.flows]
        out += [
            (layer.name, layer_default_ref(layer.name, action, intra), None, layer)
            for intra, action in ((True, layer.intra_zone), (False, layer.inter_zone))
        ]
    return out


def _refs_text(refs: tuple[Ref, ...] | None) -> str:
    return "any" if refs is None else ", ".join(r.text for r in refs)


def rules_html(model: Model, report: Report, anchors: dict[str, str]) -> str:
    uses = rule_uses(report)
    layered = bool(model.layers)
    rows = []
    for layer_name, ref, flow, layer in indexed_rules(model):
        span = ref.span or (layer.span if layer is not None and layer.span.line else None)
        where = f"<code>{esc(span.file)}:{span.line}</code>" if span else "defaults"
        scope = (
            esc(f"{', '.join(s.text for s in flow.sources)} → {', '.join(d.text for d in flow.destinations)}")
            + (f" on {esc(', '.join(flow.services))}" if flow.services else " on any service")
            if flow is not None
            else ("within a zone" if ref.name.split("@")[0].endswith("intra_zone") else "between zones")
        )
        if layer is not None and (layer.applies_from is not None or layer.applies_to is not None):
            reach = f"{_refs_text(layer.applies_from)} → {_refs_text(layer.applies_to)}"
            scope += f' <span class="muted">(where the layer applies: {esc(reach)})</span>'
        used = ", ".join(f'<a href="#{section_id(anchors[i])}">{esc(i)}</a>' for i in uses.get(ref.name, []))
        index = str(ref.index + 1) if ref.index is not None else ""
        row = [
            f'<span id="{rule_anchor(ref)}">{index}</span>',
            esc(ref.name),
            esc(ref.action),
            scope,
            where,
            used or '<span class="muted">none</span>',
        ]
        if layered:
            row.insert(1, esc(layer_name) if layer_name else '<span class="muted">top level</span>')
        rows.append(row)
    if not layered:
        return (
            '<section id="rules"><h2>Rule index</h2><p>Every flow rule in first-match order, then the '
            "defaults, with the policies whose evidence (a witness's deciding rules or a certificate's "
            "denying and deciding rules) cites it.</p>"
            + table(("#", "rule", "action", "matches", "written at", "cited by"), rows)
            + "</section>"
        )
    return (
        '<section id="rules"><h2>Rule index</h2><p>Every flow rule of every enforcement layer: the '
        "top-level rules in first-match order and the top-level defaults, then each layer as written, "
        "its rules in first-match order and its defaults (a packet is allowed iff every layer that "
        "applies allows it), with the policies whose evidence (a witness's deciding rules in every "
        "layer or a certificate's denying and deciding rules) cites it.</p>"
        + table(("#", "layer", "rule", "action", "matches", "written at", "cited by"), rows)
        + "</section>"
    )
