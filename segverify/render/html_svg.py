"""Render stage (audit report): diagrams drawn by Graphviz and inlined as SVG.

Each picture's DOT comes from the diagram views (render/dot*.py) and goes through the same
renderer as `render` and `--graphs` (render/images.py: system `dot`, else graphviz-pure). The
SVG is inlined without its prolog and comments (which name the renderer's version), and its
ids are prefixed so that several pictures in one page never share an id. A picture too large
to draw usefully, or a renderer that is missing or fails, gives a note instead: the report is
still written.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from segverify.render.images import Renderer, RenderError, find_renderer, run_renderer

MAX_DOT_CHARS = 200_000  # beyond this Graphviz takes minutes and the picture is unreadable
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_ID = re.compile(r'\bid="([^"]*)"')
_SVG_OPEN = re.compile(r"<svg\b")


@dataclass
class Diagrams:
    """Draws pictures for one report; finds the renderer once."""

    dot_binary: str | None = None
    timeout: float = 60
    _renderer: Renderer | None = None
    _missing: str = ""

    def figure(self, dot: str, prefix: str, caption: str, limit: int = MAX_DOT_CHARS) -> str:
        """An inline SVG figure, or a note saying why there is none."""
        if len(dot) > limit:
            return note(
                f"{caption}: too large to draw in a report ({len(dot):,} characters of DOT); "
                "draw one view with `segverify render`."
            )
        renderer = self._find()
        if renderer is None:
            return note(f"{caption}: not drawn ({self._missing}).")
        try:
            svg = run_renderer(renderer, dot, "svg", self.timeout).data.decode("utf-8")
        except RenderError as exc:
            return note(f"{caption}: not drawn ({exc}).")
        return (
            f'<figure class="diagram" id="{prefix}">'
            + inline_svg(svg, prefix, caption)
            + f'<figcaption class="muted">{html.escape(caption)}</figcaption></figure>'
        )

    def _find(self) -> Renderer | None:
        if self._renderer is None and not self._missing:
            try:
                self._renderer = find_renderer(self.dot_binary)
            except RenderError as exc:
                self._missing = str(exc)
        return self._renderer


def inline_svg(svg: str, prefix: str, label: str) -> str:
    """Graphviz's SVG document as an element of the page."""
    start = _SVG_OPEN.search(svg)
    body = svg[start.start() :] if start else svg
    body = _COMMENT.sub("", body)
    body = _ID.sub(lambda m: f'id="{prefix}-{m.group(1)}"', body)
    return body.replace("<svg", f'<svg role="img" aria-label="{html.escape(label)}"', 1).strip()


def note(text: str) -> str:
    return f'<p class="panel muted">{html.escape(text)}</p>'
