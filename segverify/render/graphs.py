"""Render stage (diagrams): `check --graphs DIR`: the architecture, one picture per policy, an index."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path

from segverify.model.ir import Model
from segverify.outputs import make_folder, write_text
from segverify.render.dot_architecture import render_architecture
from segverify.render.dot_blast import render_blast
from segverify.render.dot_matrix import render_matrix, render_matrix_html
from segverify.render.dot_paths import find_policy, render_paths
from segverify.render.images import find_renderer, format_of, render_image
from segverify.results import PolicyResult, Report, Status

DRAWN = (Status.VIOLATED, Status.PROVED, Status.WAIVED)
STATUS_COLOURS = {"proved": "#2e8b3e", "violated": "#d62728", "waived": "#c96a12", "unknown": "#6b7785"}
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True, slots=True)
class Picture:
    stem: str  # file name without suffix
    title: str
    dot: str
    result: PolicyResult | None = None


def policy_picture(model: Model, result: PolicyResult) -> str | None:
    """The view that shows a result, or None when there is nothing to draw for it."""
    if result.status not in DRAWN:
        return None
    if result.kind in ("isolated", "only_via"):
        return render_paths(model, result)
    if result.kind == "blast_radius":
        # A proof carries no distances; its closed set and boundary say more on the architecture.
        return render_blast(model, result) if result.witness is not None else render_paths(model, result)
    if result.kind == "matrix":
        policy = find_policy(model, result.id)
        return render_matrix(model, policy, result) if policy is not None else None
    if result.kind in ("no_flow", "reachable") and result.witness is not None:
        return render_paths(model, result)
    return None


def plan_pictures(model: Model, report: Report) -> list[Picture]:
    """Every picture of a report, with unique file stems derived from the policy ids."""
    pictures = [Picture("architecture", "Architecture", render_architecture(model))]
    taken = {"architecture", "index"}
    for result in report.results:
        dot = policy_picture(model, result)
        if dot is not None:
            stem = unique_stem(result.id, taken)
            taken.add(stem)
            pictures.append(Picture(stem, result.title or result.id, dot, result))
    return pictures


def unique_stem(policy_id: str, taken: set[str]) -> str:
    base = _UNSAFE.sub("_", policy_id).strip("._") or "policy"
    stem, n = base, 1
    while stem.lower() in {t.lower() for t in taken}:
        n += 1
        stem = f"{base}-{n}"
    return stem


def write_graphs(
    model: Model,
    report: Report,
    directory: str | Path,
    *,
    fmt: str = "svg",
    dot_binary: str | None = None,
    timeout: float = 60,
) -> list[Path]:
    """Write the pictures and index.html into `directory`; returns the files written, index last."""
    chosen = format_of(f"x.{fmt}")
    renderer = None if chosen == "dot" else find_renderer(dot_binary)  # fail before writing anything
    out = Path(directory)
    make_folder(out)
    pictures = plan_pictures(model, report)
    written = [
        render_image(p.dot, out / f"{p.stem}.{chosen}", chosen, renderer.path if renderer else None, timeout)
        for p in pictures
    ]
    index = out / "index.html"
    write_text(index, [index_html(model, report, pictures, chosen)])
    return [*written, index]


def index_html(model: Model, report: Report, pictures: list[Picture], fmt: str) -> str:
    by_id = {p.result.id: p for p in pictures if p.result is not None}
    summary = ", ".join(f"{n} {s}" for s, n in report.summary().items())
    rows = [result_row(r, by_id.get(r.id), fmt) for r in report.results]
    matrices = [matrix_section(model, r) for r in report.results if r.kind == "matrix" and r.id in by_id]
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en"><head><meta charset="utf-8"/><title>segverify diagrams</title>',
            "<style>body{font-family:Helvetica,Arial,sans-serif;margin:2em}table{border-collapse:collapse}"
            "td,th{border:1px solid #c3ccd6;padding:4px 8px;text-align:left}</style></head><body>",
            "<h1>segverify diagrams</h1>",
            f"<p>{html.escape(summary)}</p>",
            f'<p><a href="architecture.{fmt}">Architecture</a>: every zone, host and allow rule.</p>',
            "<table><tr><th>policy</th><th>kind</th><th>status</th><th>severity</th><th>title</th><th>picture</th></tr>",
            *rows,
            "</table>",
            *matrices,
            "</body></html>",
            "",
        ]
    )


def result_row(result: PolicyResult, picture: Picture | None, fmt: str) -> str:
    status = result.status.value
    colour = STATUS_COLOURS.get(status, "#1f2933")
    link = f'<a href="{html.escape(picture.stem)}.{fmt}">view</a>' if picture else "no picture"
    cells = [
        html.escape(result.id),
        html.escape(result.kind),
        f'<span style="color:{colour};font-weight:bold">{status}</span>',
        html.escape(result.severity),
        html.escape(result.title),
        link,
    ]
    return "<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>"


def matrix_section(model: Model, result: PolicyResult) -> str:
    policy = find_policy(model, result.id)
    if policy is None:
        return ""
    return f"<h2>{html.escape(result.id)}: {html.escape(result.title)}</h2>\n" + render_matrix_html(
        model, policy, result
    )
