"""Render stage (audit report): one section per policy, with what its verdict rests on.

violated: the attack-path (or blast, matrix) diagram and a table of the steps with packets,
deciding rules (file:line) and credentials; proved: the certificate's summary (the attacker's
closed set, the blocked moves grouped by what blocks them) and its SHA-256 with how to
re-check it; waived: the waiver, and the violation it waives; unknown: the solver's reason.
Large sets are summarised with counts; the full certificate is in the certificate file.
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Iterable

from segverify.model.addresses import format_address
from segverify.model.ir import Model, Waiver
from segverify.render.dot_paths import render_paths
from segverify.render.graphs import policy_picture
from segverify.render.hops import Step, packet_text, steps
from segverify.render.html_svg import Diagrams
from segverify.render.plain import blast_paths_shown
from segverify.render.text import choice_text
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
    ResilienceWitness,
    RuleRef,
    Status,
    Witness,
)

LISTED = 60  # names listed in full up to this many; beyond, counts per zone
ROWS = 200  # table rows shown of a long list; the rest counted

esc = html.escape


def rule_anchor(r: RuleRef) -> str:
    return f"rule-{r.index}" if r.index is not None else "rule-" + r.name.replace(":", "-")


def rule_cell(r: RuleRef) -> str:
    where = (
        f' <span class="muted mono">{esc(r.span.file)}:{r.span.line}</span>' if r.span and r.span.line else ""
    )
    return f'<a href="#{rule_anchor(r)}">{esc(r.name)}</a> ({esc(r.action)}){where}'


def table(head: Iterable[str], rows: Iterable[Iterable[str]], total: int | None = None) -> str:
    """Cells are HTML already; `total` beyond the rows given is counted in a last line."""
    lines = ["<table><thead><tr>" + "".join(f"<th>{h}</th>" for h in head) + "</tr></thead><tbody>"]
    shown = 0
    for row in rows:
        lines.append("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>")
        shown += 1
    lines.append("</tbody></table>")
    if total is not None and total > shown:
        lines.append(f'<p class="muted">… and {total - shown:,} more (in the JSON report).</p>')
    return "".join(lines)


def facts(pairs: Iterable[tuple[str, str]]) -> str:
    return '<dl class="facts">' + "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in pairs) + "</dl>"


# ---- witnesses ----------------------------------------------------------------------------------


def hop_rows(path: tuple[Hop, ...]) -> list[list[str]]:
    """One row per step, numbered as in the diagrams, the text report and SARIF (render/hops.py)."""
    return [_hop_row(step) for step in steps(path)]


def _hop_row(step: Step) -> list[str]:
    h, number = step.hop, str(step.number)
    if step.is_foothold:
        where = h.to or f"any address of {h.at}"
        address = format_address(h.address) if h.address is not None else ""
        return ["", "foothold", esc(where), "", esc(address), "", esc(h.credential or "")]
    if h.move in ("harvest", "manage"):
        what = f"{h.source} manages {h.to}" if h.move == "manage" else f"session on {h.at}"
        return [number, h.move, esc(what), "", "", "", esc(h.credential or "")]
    packet = esc(step.packet)
    rule = rule_cell(h.rule) if h.rule else ""
    hop = esc(f"{h.source} → {h.to}")
    return [
        number,
        h.move,
        hop,
        esc(h.service or ""),
        f"<code>{packet}</code>",
        rule,
        esc(h.credential or ""),
    ]


HOP_HEAD = ("#", "move", "step", "service", "packet", "deciding rule", "credential")


def witness_html(w: Witness) -> str:
    if isinstance(w, ResilienceWitness):  # a `resilient` breach: the choice, then its path
        return f"<h4>Not resilient: {esc(choice_text(w))}</h4>" + witness_html(w.witness)
    if isinstance(w, PathWitness):
        return f"<h4>Attack path to {esc(w.target)}</h4>" + table(HOP_HEAD, hop_rows(w.path))
    if isinstance(w, PacketWitness):
        return "<h4>The packet</h4>" + table(
            ("packet", "deciding rule"), [[f"<code>{esc(packet_text(w.packet))}</code>", rule_cell(w.rule)]]
        )
    if isinstance(w, MatrixWitness):
        rows = (
            [
                esc(p.source),
                esc(p.destination),
                f"<code>{esc(packet_text(p.packet))}</code>",
                rule_cell(p.rule),
            ]
            for p in w.pairs[:ROWS]
        )
        return "<h4>Failing zone pairs</h4>" + table(
            ("from", "to", "packet", "deciding rule"), rows, len(w.pairs)
        )
    if isinstance(w, AccountsWitness):
        how = (
            "may log in on both"
            if w.reason == "login"
            else "leaves a session on the first, may log in on the second"
        )
        return "<h4>The principal</h4>" + facts(
            [
                ("principal", esc(w.principal)),
                ("hosts", esc(f"{w.hosts[0]} ({w.zones[0]}), {w.hosts[1]} ({w.zones[1]})")),
                ("how", esc(how)),
            ]
        )
    return blast_html(w)


def blast_html(w: BlastWitness) -> str:
    shown = min(blast_paths_shown(w), ROWS)
    rows = (
        [esc(c.host), str(sum(1 for h in c.path if h.move != "foothold")), esc(_last_step(c.path))]
        for c in w.hosts[:shown]
    )
    head = f"<h4>{len(w.hosts):,} hosts controlled (at most {w.max_hosts} allowed), nearest first</h4>"
    return head + table(("host", "steps", "last step"), rows, len(w.hosts))


def _last_step(path: tuple[Hop, ...]) -> str:
    h = path[-1] if path else None
    if h is None or h.move == "foothold":
        return "foothold"
    if h.move == "manage":
        return f"{h.source} manages it"
    return f"{h.move} from {h.source} on {h.service}" + (f" as {h.credential}" if h.credential else "")


# ---- certificates -------------------------------------------------------------------------------


def names_html(names: tuple[str, ...], model: Model) -> str:
    if not names:
        return "none"
    if len(names) <= LISTED:
        return esc(", ".join(names))
    zones = Counter(model.hosts[n].zone if n in model.hosts else "(other)" for n in names)
    per_zone = ", ".join(f"{z}: {c:,}" for z, c in sorted(zones.items()))
    return f"{len(names):,} ({esc(per_zone)})"


def closed_set_html(c: ClosedSetCertificate, model: Model) -> str:
    items = [
        ("hosts the attacker can take", names_html(c.hosts, model)),
        ("credentials the attacker can hold", _listed(c.credentials)),
        ("sends from", _listed(c.senders)),
    ]
    if c.excluded:
        items.append(("unusable by assumption (via)", _listed(c.excluded)))
    reasons = Counter(b.reason for b in c.boundary)
    rules = Counter(r for b in c.boundary for r in b.rules)
    blocked = [
        [esc(reason), f'<span class="num">{n:,}</span>'] for reason, n in sorted(reasons.items(), key=_most)
    ]
    by_rule = [
        [rule_cell(r), f"{n:,}"] for r, n in sorted(rules.items(), key=lambda kv: (-kv[1], kv[0].name))
    ]
    out = "<h4>The attacker's closed set</h4>" + facts(items)
    out += f"<h4>{len(c.boundary):,} moves out of the set, each blocked</h4>"
    out += table(("blocked by", "moves"), blocked)
    if by_rule:
        out += "<h4>Packets denied by</h4>" + table(
            ("rule or default", "moves"), by_rule[:ROWS], len(by_rule)
        )
    return out


def _most(kv: tuple[str, int]) -> tuple[int, str]:
    return (-kv[1], kv[0])


def _listed(names: tuple[str, ...]) -> str:
    if not names:
        return "none"
    if len(names) <= LISTED:
        return esc(", ".join(names))
    return f"{len(names):,} (listed in the certificate file)"


def certificate_html(c: Certificate, model: Model) -> str:
    if isinstance(c, ClosedSetCertificate):
        return closed_set_html(c, model)
    if isinstance(c, RegionCertificate):
        rules = [[rule_cell(r)] for r in c.deciding[:ROWS]]
        head = f"<h4>Every packet of {c.queries} region(s) is decided as required, by</h4>"
        return head + table(("rule or default",), rules, len(c.deciding))
    if isinstance(c, AccountsCertificate):
        rows = [[esc(z), _listed(names)] for z, names in c.zones]
        return "<h4>Who may log in or leave sessions, per zone</h4>" + table(("zone", "principals"), rows)
    return ""


def choices_html(choices: tuple[Choice, ...]) -> str:
    """A resilient proof: what the certificates of its choices cover (each in the certificate file)."""
    stolen = [c for c in choices if c.accounts]
    failed = [c for c in choices if c.failed]
    parts = []
    if stolen:
        accounts = sum(len(c.accounts) for c in stolen)
        parts.append(
            f"{len(stolen)} certificates for the {accounts} accounts that log in somewhere (alike ones share)"
        )
    if any(c.every for c in choices):
        parts.append(
            "1 certificate with every control failed at once (failing fewer is never more permissive)"
        )
    if failed:
        parts.append(
            f"{len(failed)} certificates with load-bearing controls failed (failing others keeps a proof)"
        )
    return (
        '<p class="panel">Proved for every choice of <code>resilient</code>: besides this certificate, the '
        "certificate file holds " + "; ".join(parts) + ". <code>verify-certificate</code> re-checks each "
        "and that together they cover every choice.</p>"
    )


def recheck_html(digest: str, certificate_file: str) -> str:
    target = esc(certificate_file) if certificate_file else "CERTIFICATES.json"
    return (
        '<div class="panel"><p>Certificate SHA-256: <code>'
        + esc(digest)
        + "</code></p><p>Re-check it without the solver: "
        + f"<code>segverify verify-certificate {target} MODEL… --policy PACK…</code> with the inputs "
        + 'listed in the <a href="#summary">summary</a> (see <a href="#how-to-recheck">how to re-check</a>).'
        + "</p></div>"
    )


def waiver_html(w: Waiver) -> str:
    return facts(
        [
            ("reason", esc(w.reason)),
            ("owner", esc(w.owner or "—")),
            ("expires", esc(w.expires.isoformat())),
            ("written at", f"<code>{esc(w.span.file)}:{w.span.line}</code>"),
        ]
    )


# ---- the section --------------------------------------------------------------------------------


def section_id(anchor: str) -> str:
    return f"policy-{anchor}"


def policy_section(
    model: Model, r: PolicyResult, anchor: str, digest: str, certificate_file: str, diagrams: Diagrams
) -> str:
    status = r.status.value
    head = (
        f'<section class="policy verdict-{status} status-{status} sev-{r.severity}" '
        f'id="{section_id(anchor)}">'
        f'<h3><span class="badge {status}">{status.upper()}</span> {esc(r.id)}: {esc(r.title or r.kind)}</h3>'
    )
    policy = next((p for p in model.policies if p.id == r.id), None)
    items = [("id", f"<code>{esc(r.id)}</code>"), ("severity", esc(r.severity)), ("kind", esc(r.kind))]
    if r.source is not None:
        items.append(("written at", f"<code>{esc(r.source.file)}:{r.source.line}</code>"))
    if policy is not None and policy.description:
        items.append(("description", esc(policy.description)))
    body = [
        head,
        facts(items),
        _verdict_html(model, r, anchor, digest, certificate_file, diagrams),
        "</section>",
    ]
    return "".join(body)


def _verdict_html(
    model: Model, r: PolicyResult, anchor: str, digest: str, certificate_file: str, diagrams: Diagrams
) -> str:
    out = []
    if r.status == Status.WAIVED and r.waiver is not None:
        out.append("<h4>Waived</h4>" + waiver_html(r.waiver))
    if r.status == Status.UNKNOWN:
        out.append(f'<p class="panel">The solver gave up: {esc(r.reason)}. Unknown is never a pass.</p>')
    if r.status in (Status.VIOLATED, Status.WAIVED) and r.witness is not None:
        if r.reason:
            out.append(f"<p>{esc(r.reason)}</p>")
        out.append(_picture(model, r, anchor, diagrams))
        out.append(witness_html(r.witness))
    if r.status == Status.PROVED and r.certificate is not None:
        out.append(certificate_html(r.certificate, model))
        if r.choices:
            out.append(choices_html(r.choices))
        out.append(recheck_html(digest, certificate_file))
    if r.stale_waiver is not None:
        out.append(
            '<p class="panel">A waiver is left for this policy, which now holds: remove it '
            f"(<code>{esc(r.stale_waiver.span.file)}:{r.stale_waiver.span.line}</code>).</p>"
        )
    return "".join(out)


CONTEXT_LIMIT = 30_000  # DOT characters: past this the paths view leaves out its context flows
CONTEXT_HOSTS = 2_000  # hosts: past this it does so without trying (drawing them takes seconds)
PICTURE_LIMIT = 60_000  # DOT characters: past this a policy's picture is not drawn (a note instead)
PATHS_VIEW = ("isolated", "only_via", "reachable", "no_flow")


def _picture(model: Model, r: PolicyResult, anchor: str, diagrams: Diagrams) -> str:
    caption = f"{r.id}: the {'zone matrix' if r.kind == 'matrix' else 'attack'} diagram"
    large = " (the model is large: other allow rules are left out)"
    if r.kind in PATHS_VIEW and len(model.hosts) > CONTEXT_HOSTS:
        dot: str | None = render_paths(model, r, context=False)
        caption += large
    else:
        dot = policy_picture(model, r)
        if dot is not None and len(dot) > CONTEXT_LIMIT and r.kind in PATHS_VIEW:
            dot = render_paths(model, r, context=False)
            caption += large
    if dot is None:
        return ""
    return diagrams.figure(dot, f"fig-policy-{anchor}", caption, limit=PICTURE_LIMIT)
