"""Render stage (images): find a Graphviz renderer and run it on DOT text, in a subprocess.

The only module that starts processes. Resolution order: an explicit binary (`--dot-binary`),
then SEGVERIFY_DOT, then `dot` on PATH (system Graphviz), then `graphviz-pure` on PATH or next
to the running Python (the wheel installs it into the venv's bin directory). DOT output is
written directly and needs no renderer.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from segverify.errors import UsageError
from segverify.outputs import write_bytes, write_text

FORMATS = ("svg", "png", "pdf", "dot")
ENV_VAR = "SEGVERIFY_DOT"
INSTALL_HINT = (
    "install one: `apt-get install graphviz` (system Graphviz, every format) "
    "or `pip install graphviz-pure` (no root needed; SVG and PNG, no PDF yet); "
    f"or point {ENV_VAR} / --dot-binary at a `dot` executable"
)


class RenderError(UsageError):
    """The renderer is missing, failed, timed out or cannot write the requested format."""


@dataclass(frozen=True, slots=True)
class Rendered:
    data: bytes
    warnings: str  # what the renderer printed on stderr while succeeding


@dataclass(frozen=True, slots=True)
class Renderer:
    path: str
    origin: str  # how it was found: "--dot-binary", "SEGVERIFY_DOT", "PATH", "next to python"


def format_of(output_path: str | Path, fmt: str | None = None) -> str:
    """The output format: given explicitly, else the file's suffix."""
    chosen = (fmt or Path(output_path).suffix.lstrip(".")).lower()
    if chosen not in FORMATS:
        raise RenderError(
            f"cannot tell the picture format of '{output_path}': use a .svg, .png, .pdf or .dot file name"
        )
    return chosen


def find_renderer(
    dot_binary: str | None = None,
    environ: Mapping[str, str] | None = None,
    search_path: str | None = None,
) -> Renderer:
    """The first renderer in resolution order; a clear RenderError naming both installs if none."""
    env = os.environ if environ is None else environ
    for value, origin in ((dot_binary, "--dot-binary"), (env.get(ENV_VAR), ENV_VAR)):
        if value:
            found = shutil.which(value, path=search_path) if os.sep not in value else value
            if not found or not os.access(found, os.X_OK):
                raise RenderError(f"{origin} names '{value}', which is not an executable file")
            return Renderer(found, origin)
    path = env.get("PATH", "") if search_path is None else search_path
    for name in ("dot", "graphviz-pure"):
        found = shutil.which(name, path=path)
        if found:
            return Renderer(found, "PATH")
    beside = Path(sys.executable).parent / "graphviz-pure"
    if beside.is_file() and os.access(beside, os.X_OK):
        return Renderer(str(beside), "next to python")
    raise RenderError(f"no Graphviz renderer found (looked for `dot` and `graphviz-pure`); {INSTALL_HINT}")


def render_image(
    dot_text: str,
    output_path: str | Path,
    fmt: str | None = None,
    dot_binary: str | None = None,
    timeout: float = 60,
    environ: Mapping[str, str] | None = None,
) -> Path:
    """Write `dot_text` as a picture; `.dot` is written as is, anything else through a renderer."""
    out = Path(output_path)
    chosen = format_of(out, fmt)
    if chosen == "dot":
        write_text(out, [dot_text])
        return out
    renderer = find_renderer(dot_binary, environ)
    write_bytes(out, [run_renderer(renderer, dot_text, chosen, timeout).data])
    return out


def run_renderer(renderer: Renderer, dot_text: str, fmt: str, timeout: float) -> Rendered:
    """Pipe DOT in, read the picture from stdout; every failure becomes a RenderError."""
    try:
        done = subprocess.run(
            [renderer.path, f"-T{fmt}"],
            input=dot_text.encode("utf-8"),
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise RenderError(
            f"{renderer.path} did not finish within {timeout:g} s; the picture is too large: "
            "render to .dot, or pick a smaller view"
        ) from None
    except OSError as exc:
        raise RenderError(f"cannot run {renderer.path}: {exc}") from None
    stderr = done.stderr.decode("utf-8", "replace").strip()
    if done.returncode != 0 or not done.stdout:
        raise RenderError(failure_message(renderer, fmt, done.returncode, stderr))
    return Rendered(done.stdout, stderr)


_UNKNOWN_FORMAT = re.compile(r'Format: "([^"]*)" not recognized')


def failure_message(renderer: Renderer, fmt: str, code: int, stderr: str) -> str:
    if _UNKNOWN_FORMAT.search(stderr):
        hint = (
            " (for PDF install system Graphviz: `apt-get install graphviz`; or write .svg)"
            if fmt == "pdf"
            else ""
        )
        known = stderr.split("Use one of:", 1)[1].strip() if "Use one of:" in stderr else ""
        listing = f"; it writes: {known}" if known else ""
        return f"{renderer.path} cannot write {fmt}{hint}{listing}"
    detail = f": {stderr}" if stderr else ""
    return f"{renderer.path} failed (exit {code}) rendering {fmt}{detail}"
