"""Render stage (audit report): the report's colours and style sheet, and the filter's CSS.

Dark text on a light background; every text colour here has a contrast ratio of at least 4.5
against the background it is drawn on (WCAG 2 AA for normal text); tests/render/test_html.py
computes them. The filter is CSS only: a checkbox per status and severity, before <main>;
an unchecked box hides the policies (sections and contents entries) carrying its class.
"""

from __future__ import annotations

from segverify.model.ir import SEVERITIES
from segverify.results import Status

PAGE = "#ffffff"
TEXT = "#1f2933"
MUTED = "#4a5562"
LINK = "#0b5cad"
RULE_LINE = "#c3ccd6"
PANEL = "#f3f5f8"
STATUS_TEXT = {
    "proved": "#1b6b2f",
    "violated": "#b3261e",
    "waived": "#8a4b08",
    "unknown": "#4a5562",
}
STATUS_BACKGROUND = {
    "proved": "#e8f4ea",
    "violated": "#fbeaea",
    "waived": "#fcf1e3",
    "unknown": "#eef0f3",
}

# (text, background) pairs the style sheet draws; the contrast test walks them all.
TEXT_PAIRS: tuple[tuple[str, str], ...] = (
    (TEXT, PAGE),
    (MUTED, PAGE),
    (LINK, PAGE),
    (TEXT, PANEL),
    (MUTED, PANEL),
    (LINK, PANEL),
    *((STATUS_TEXT[s], STATUS_BACKGROUND[s]) for s in STATUS_TEXT),
    *((STATUS_TEXT[s], PAGE) for s in STATUS_TEXT),
)

FILTERS: tuple[tuple[str, str], ...] = (
    *((f"status-{s.value}", s.value) for s in Status),
    *((f"sev-{s}", s) for s in SEVERITIES),
)


def filter_css() -> str:
    return "".join(f"#show-{cls}:not(:checked)~main .{cls}{{display:none}}" for cls, _ in FILTERS)


def status_css() -> str:
    return "".join(
        f".badge.{s}{{color:{STATUS_TEXT[s]};background:{STATUS_BACKGROUND[s]};border-color:{STATUS_TEXT[s]}}}"
        f".verdict-{s}{{border-left-color:{STATUS_TEXT[s]}}}"
        for s in STATUS_TEXT
    )


BASE_CSS = f"""
html{{color:{TEXT};background:{PAGE};font:16px/1.5 system-ui,"Segoe UI",Helvetica,Arial,sans-serif}}
body{{margin:0 auto;max-width:72rem;padding:1rem 1.5rem 4rem}}
a{{color:{LINK}}}
h1{{font-size:1.8rem;margin:.5rem 0}}
h2{{font-size:1.4rem;margin-top:2.5rem;border-bottom:2px solid {RULE_LINE};padding-bottom:.2rem}}
h3{{font-size:1.15rem;margin:.2rem 0 .6rem}}
h4{{font-size:1rem;margin:1rem 0 .3rem}}
code,.mono{{font-family:ui-monospace,"SFMono-Regular",Menlo,Consolas,monospace;font-size:.9em}}
.muted{{color:{MUTED}}}
table{{border-collapse:collapse;margin:.4rem 0 1rem;width:100%}}
th,td{{border:1px solid {RULE_LINE};padding:.25rem .5rem;text-align:left;vertical-align:top}}
th{{background:{PANEL}}}
td.num,th.num{{text-align:right}}
.panel{{background:{PANEL};border:1px solid {RULE_LINE};padding:.6rem 1rem;margin:.6rem 0}}
.badge{{display:inline-block;border:1px solid;border-radius:.3rem;padding:0 .4rem;font-weight:700}}
.policy{{border-left:6px solid {RULE_LINE};padding:.2rem 0 .5rem 1rem;margin:1.5rem 0}}
.diagram{{overflow:auto;border:1px solid {RULE_LINE};background:{PAGE};margin:.5rem 0;padding:.3rem}}
.diagram svg{{display:block;max-width:100%;height:auto;overflow:visible}}
.filter-bar{{display:inline}}
input.filter{{margin:0 .2rem 0 .8rem}}
#filters-title{{font-weight:700;margin-right:.3rem}}
nav.toc ol{{columns:2;column-gap:2.5rem;padding-left:2.5rem}}
nav.toc li.policy-entry{{break-inside:avoid}}
dl.facts{{display:grid;grid-template-columns:max-content 1fr;gap:.1rem 1rem;margin:.3rem 0}}
dl.facts dt{{font-weight:700}}
dl.facts dd{{margin:0}}
@media print{{
  html{{font-size:11pt}}
  body{{max-width:none;padding:0}}
  input.filter,label.filter,#filters-title,.no-print{{display:none}}
  section.policy{{break-before:page}}
  .diagram{{overflow:visible;border:none;break-inside:avoid}}
  .diagram svg{{max-height:18cm}}
  table,tr,dl{{break-inside:avoid}}
  a{{color:{TEXT};text-decoration:none}}
  a[href]::after{{content:none}}
  nav.toc ol{{columns:1}}
}}
"""


def style_sheet() -> str:
    return BASE_CSS.strip() + "\n" + status_css() + "\n" + filter_css() + "\n"
