"""The flagship's audit report in a real browser (headless Chromium): offline, navigable, printable.

Skipped when no Chromium or pdftotext is installed, except under CI ($CI set), where it fails:
`make test` installs both (scripts/install-browser.sh). The screenshot of the first page is
left in the test's temporary folder (its path is printed with -s), never in the repository.
"""

from __future__ import annotations

import os
import re
import shutil
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest
from headless import find_chromium, page_requests, pdf_text, visit
from typer.testing import CliRunner  # noqa: TID251 (tests drive the CLI)

from segverify import api
from segverify.cli import app
from segverify.evidence.binding import bind
from segverify.model.load import load_model
from segverify.render.html import report_html_chunks

ROOT = Path(__file__).resolve().parent.parent.parent
MODEL = "examples/remote-access-vendor/flawed"
PACKS = ["policies/three-plane.yaml", "policies/baseline.yaml"]


def _browser() -> str:
    browser = find_chromium()
    if browser is None or shutil.which("pdftotext") is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium and pdftotext are required in CI: bash scripts/install-browser.sh")
        pytest.skip("no Chromium or pdftotext: bash scripts/install-browser.sh installs them")
    return browser


class Dom(HTMLParser):
    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.toc: list[str] = []
        self.sections: list[str] = []
        self.svg_labels: list[str] = []  # each diagram's first text: its title
        self._nav = False
        self._svg_text = False
        self._in_svg = False
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "nav":
            self._nav = True
        if tag == "a" and self._nav and a.get("href", "").startswith("#"):
            self.toc.append(a["href"][1:])
        if tag == "section" and "policy" in a.get("class", "").split():
            self.sections.append(a["id"])
        if tag == "svg":
            self._in_svg, self._svg_text = True, True
        if tag == "text" and self._in_svg and self._svg_text:
            self.svg_labels.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "nav":
            self._nav = False
        if tag == "text" and self._in_svg:
            self._svg_text = False
        if tag == "svg":
            self._in_svg = False

    def handle_data(self, data: str) -> None:
        if self._in_svg and self._svg_text and self.svg_labels:
            self.svg_labels[-1] += data


@pytest.fixture(scope="module")
def opened(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    browser = _browser()
    out = tmp_path_factory.mktemp("browser")
    page = out / "report.html"
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(ROOT)
        args = ["check", MODEL, *[x for p in PACKS for x in ("-p", p)], "--today", "2026-11-23"]
        result = CliRunner().invoke(app, [*args, "--report", str(page)])
        assert result.exit_code == 1, result.stderr
    seen = visit(browser, page, out)
    print(f"\nfirst page screenshot: {seen.screenshot}")
    return seen


def test_opens_with_no_console_message_and_no_request(opened) -> None:  # type: ignore[no-untyped-def]
    assert opened.dom.startswith("<!DOCTYPE html>") or "<html" in opened.dom[:200]
    assert opened.console == []  # a CSP violation, a failed load or a script error would be here
    assert page_requests(opened.requests) == []


def test_every_toc_anchor_resolves_and_every_policy_is_there(opened) -> None:  # type: ignore[no-untyped-def]
    dom = Dom(opened.dom)
    assert dom.toc and [a for a in dom.toc if a not in dom.ids] == []
    model = load_model([str(ROOT / MODEL)], [str(ROOT / p) for p in PACKS])
    assert sorted(dom.sections) == sorted(f"policy-{p.id}" for p in model.policies)


def test_printing_gives_every_policy_and_every_diagram(opened) -> None:  # type: ignore[no-untyped-def]
    assert opened.pdf.stat().st_size > 0 and opened.screenshot.stat().st_size > 0
    text = pdf_text(opened.pdf)
    words = re.sub(r"\s+", " ", text)
    model = load_model([str(ROOT / MODEL)], [str(ROOT / p) for p in PACKS])
    assert [p.id for p in model.policies if p.id not in text] == []
    # A diagram drawn at zero size prints nothing: each one's title must be on a page.
    labels = [re.sub(r"\s+", " ", label).strip() for label in Dom(opened.dom).svg_labels]
    assert len(labels) > 5
    missing = [label for label in labels if label[:40] not in words]
    assert missing == []


def test_the_css_filter_hides_what_is_unchecked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without JavaScript: an unchecked box hides its policies, in the contents and in print."""
    browser = _browser()
    monkeypatch.chdir(ROOT)
    model = load_model(["tests/cases/waivers"])  # WV-01 waived, WV-02 violated, WV-03 proved
    today = date(2026, 11, 23)
    report = api.check(model, api.CheckOptions(today=today))
    text = "".join(report_html_chunks(model, report, bind(model, report, today), dot_binary="/nonexistent"))
    unchecked = 'id="show-status-violated">'
    text = text.replace('id="show-status-violated" checked>', unchecked)
    assert unchecked in text
    page = tmp_path / "filtered.html"
    page.write_text(text, encoding="utf-8")
    seen = visit(browser, page, tmp_path)
    printed = pdf_text(seen.pdf)
    assert seen.console == []
    assert "WV-01" in printed and "WV-03" in printed
    assert "WV-02: " not in printed and "VIOLATED" not in printed  # its section and contents entry
