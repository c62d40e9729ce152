"""The audit report (`check --report FILE.html`): self-contained, bound to its inputs, navigable, legible.

The flagship's report is built once (diagrams through the real renderer); the waivers case is
built without a renderer, which must degrade to notes, not fail.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest
from typer.testing import CliRunner  # noqa: TID251 (tests drive the CLI)

from segverify import api
from segverify.cli import app
from segverify.evidence.binding import bind
from segverify.model.load import load_model
from segverify.render.html import report_html_chunks
from segverify.render.html_style import FILTERS, TEXT_PAIRS

ROOT = Path(__file__).resolve().parent.parent.parent
FLAWED = [
    "examples/remote-access-vendor/flawed",
    "-p",
    "policies/three-plane.yaml",
    "-p",
    "policies/baseline.yaml",
]
TODAY = "2026-11-23"


class Page(HTMLParser):
    """Ids, links, sections, elements and attributes of a page, for structural assertions."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: list[str] = []
        self.hrefs: list[str] = []
        self.tags: set[str] = set()
        self.attributes: list[tuple[str, str, str]] = []
        self.sections: list[tuple[str, str]] = []  # (id, class)
        self.metas: list[dict[str, str]] = []
        self.styles: list[str] = []
        self._in_style = False
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        self.tags.add(tag)
        self.attributes += [(tag, k, v) for k, v in a.items()]
        if "id" in a:
            self.ids.append(a["id"])
        if tag == "a" and "href" in a:
            self.hrefs.append(a["href"])
        if tag == "section":
            self.sections.append((a.get("id", ""), a.get("class", "")))
        if tag == "meta":
            self.metas.append(a)
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.styles.append(data)


@pytest.fixture(scope="module")
def flagship(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict[str, object]]:
    out = tmp_path_factory.mktemp("report")
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(ROOT)
        html_file, cert_file = out / "flawed.html", out / "certs.json"
        result = CliRunner().invoke(
            app,
            ["check", *FLAWED, "--today", TODAY, "--report", str(html_file), "--certificate", str(cert_file)],
        )
    assert result.exit_code == 1, result.stderr
    return html_file.read_text(encoding="utf-8"), json.loads(cert_file.read_text())


def test_nothing_is_fetched_and_the_style_is_allowed_by_its_hash(
    flagship: tuple[str, dict[str, object]],
) -> None:
    text, _ = flagship
    page = Page(text)
    (csp,) = [m["content"] for m in page.metas if m.get("http-equiv") == "Content-Security-Policy"]
    assert "default-src 'none'" in csp and "script-src 'none'" in csp
    (style,) = page.styles
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    assert f"style-src 'sha256-{digest}'" in csp
    assert not page.tags & {"script", "img", "link", "iframe", "object", "embed", "base"}
    assert [v for t, k, v in page.attributes if k in ("src", "style") or k.startswith("on")] == []
    external = [h for h in page.hrefs if not h.startswith("#")]
    assert external == []
    assert [u for u in re.findall(r"url\(([^)]*)\)", text) if not u.startswith("#")] == []
    assert "@import" not in text and "@font-face" not in text


def test_every_anchor_resolves_and_ids_are_unique(flagship: tuple[str, dict[str, object]]) -> None:
    page = Page(flagship[0])
    assert len(page.ids) == len(set(page.ids))
    missing = sorted({h[1:] for h in page.hrefs} - set(page.ids))
    assert missing == []


def test_sections_in_the_assessors_order_one_per_policy(flagship: tuple[str, dict[str, object]]) -> None:
    page = Page(flagship[0])
    top = [s for s, cls in page.sections if "policy" not in cls.split()]
    assert top == ["summary", "assumptions", "architecture", "waivers", "rules"]
    model = load_model([str(ROOT / FLAWED[0])], [str(ROOT / p) for p in FLAWED[2::2]])
    policies = [s for s, cls in page.sections if "policy" in cls.split()]
    assert policies == [f"policy-{p.id}" for p in sorted(model.policies, key=lambda p: p.id)]
    for _, cls in page.sections:
        if "policy" in cls.split():  # every section can be filtered by status and severity
            assert re.search(r"\bstatus-\w+\b", cls) and re.search(r"\bsev-\w+\b", cls)
    for cls, _ in FILTERS:
        assert (
            f'id="show-{cls}"' in flagship[0] and f"#show-{cls}:not(:checked)~main .{cls}" in page.styles[0]
        )


def test_the_report_is_bound_to_its_inputs_and_certificates(flagship: tuple[str, dict[str, object]]) -> None:
    text, certs = flagship
    for item in certs["inputs"]:  # type: ignore[attr-defined]
        assert item["sha256"] == hashlib.sha256((ROOT / item["file"]).read_bytes()).hexdigest()
        assert f"<code>{item['file']}</code></td><td><code>{item['sha256']}</code>" in text
    assert certs["model_sha256"] in text
    for c in certs["certificates"]:  # type: ignore[attr-defined]
        section = text[text.index(f'id="policy-{c["id"]}"') :]
        section = section[: section.index("</section>")]
        assert c["sha256"] in section and "verify-certificate" in section


def test_violations_show_a_diagram_and_their_steps(flagship: tuple[str, dict[str, object]]) -> None:
    text = flagship[0]
    section = text[text.index('id="policy-RAV-001"') :]
    section = section[: section.index("</section>")]
    assert '<figure class="diagram" id="fig-policy-RAV-001"><svg role="img"' in section
    assert "<th>deciding rule</th>" in section and "migration-temp" in section
    assert "flows.yaml:" in section  # the deciding rule's file:line


def relative_luminance(colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    """WCAG 2 contrast ratio of two #rrggbb colours (1 to 21)."""
    high, low = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_colours_meet_wcag_aa() -> None:
    assert min(contrast(a, b) for a, b in TEXT_PAIRS) >= 4.5


def test_waivers_and_a_missing_renderer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    model = load_model(["tests/cases/waivers"])
    today = date(2026, 11, 23)
    report = api.check(model, api.CheckOptions(today=today))
    text = "".join(
        report_html_chunks(model, report, bind(model, report, today), dot_binary="/nonexistent/dot")
    )
    waivers = text[text.index('id="waivers"') :]
    for state in ("in force", "expired", "stale: the policy holds"):
        assert f"<td>{state}</td>" in waivers
    waived = text[text.index('id="policy-WV-01"') :]
    assert "migration tracked in NET-1" in waived[: waived.index("</section>")]
    assert "not drawn" in text and "<svg" not in text
    again = "".join(
        report_html_chunks(model, report, bind(model, report, today), dot_binary="/nonexistent/dot")
    )
    assert again == text  # deterministic


def test_a_packs_standard_reference_is_in_its_policys_section(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    model = load_model(["examples/pci-cde/segmented"], ["pack:pci-dss"])
    today = date(2026, 11, 23)
    report = api.check(model, api.CheckOptions(today=today))
    text = "".join(
        report_html_chunks(model, report, bind(model, report, today), dot_binary="/nonexistent/dot")
    )
    section = text[text.index('id="policy-PCI-003"') :]
    assert "PCI DSS v4.0 req. 11.4.5" in section[: section.index("</section>")]
    assert "<td><code>pack:pci-dss</code></td>" in text  # the shipped pack is an input, with its digest


def test_inlined_svg_drops_prolog_and_comments_and_prefixes_ids() -> None:
    from segverify.render.html_svg import Diagrams, inline_svg

    svg = (
        '<?xml version="1.0"?>\n<!DOCTYPE svg>\n<!-- Generated by graphviz version 9 -->\n'
        '<svg width="10pt"><g id="node1"><title>a</title></g><!-- a --></svg>\n'
    )
    out = inline_svg(svg, "fig-x", 'a "b"')
    expected = '<svg role="img" aria-label="a &quot;b&quot;" width="10pt">'
    assert out == expected + '<g id="fig-x-node1"><title>a</title></g></svg>'
    note = Diagrams().figure("digraph { a }", "fig-y", "Too big", limit=5)
    assert note.startswith('<p class="panel muted">Too big: too large to draw') and "<svg" not in note
