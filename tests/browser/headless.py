"""Headless Chromium for the browser tests: open a page once, keep its DOM, console, PDF and screenshot.

No driver and no new dependency: Chromium's own --dump-dom, --screenshot and --print-to-pdf in
one run, its console on stderr (--enable-logging), and every network request caught by a local
proxy that all traffic is sent through (a file:// page needs none, so any connection is one
the page made, or the browser's own, which the flags switch off).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess  # noqa: TID251 (the test drives a real browser)
import threading
from dataclasses import dataclass
from pathlib import Path

FLAGS = [
    "--headless",
    "--no-sandbox",  # root in a container has no user namespace for the sandbox
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--no-first-run",
    "--no-default-browser-check",
    "--no-pdf-header-footer",
    "--disable-client-side-phishing-detection",
    "--disable-domain-reliability",
    "--disable-features=OptimizationHints,Translate,MediaRouter,AutofillServerCommunication",
    "--no-service-autorun",
    "--password-store=basic",
    "--enable-logging=stderr",
    "--v=0",
    "--window-size=1280,1600",
]


def find_chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


class Trap:
    """A TCP listener that records every connection made to it (the browser's proxy)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.port = self.sock.getsockname()[1]
        self.connections: list[bytes] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(1)
                try:
                    self.connections.append(conn.recv(4096))
                    conn.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                except OSError:
                    self.connections.append(b"")

    def close(self) -> None:
        self.sock.close()


# The browser's own services (time, component updates, sign-in), contacted whatever the page;
# named one by one, so that a page's request to any other Google host (fonts!) still counts.
BROWSER_HOSTS = ("clients2.google.com", "update.googleapis.com", "accounts.google.com")


def requested_host(request: bytes) -> str:
    """The host a proxied request goes to: `GET http://host/...` or `CONNECT host:443`."""
    words = request.split(b"\r\n", 1)[0].decode("latin-1").split()
    if len(words) < 2:
        return ""
    target = words[1].split("://", 1)[-1]
    return target.split("/", 1)[0].rsplit(":", 1)[0] if words[0] == "CONNECT" else target.split("/", 1)[0]


def page_requests(requests: list[bytes]) -> list[bytes]:
    return [r for r in requests if requested_host(r) not in BROWSER_HOSTS]


@dataclass(frozen=True)
class Visit:
    dom: str
    console: list[str]
    requests: list[bytes]
    pdf: Path
    screenshot: Path


def visit(browser: str, page: Path, out: Path, timeout: float = 90) -> Visit:
    trap = Trap()
    pdf, shot = out / "page.pdf", out / "page.png"
    args = [
        browser,
        *FLAGS,
        f"--user-data-dir={out / 'profile'}",
        f"--proxy-server=http://127.0.0.1:{trap.port}",
        "--proxy-bypass-list=<-loopback>",  # loopback too goes through the proxy
        f"--screenshot={shot}",
        f"--print-to-pdf={pdf}",
        "--dump-dom",
        page.resolve().as_uri(),
    ]
    env = dict(os.environ, HOME=str(out))
    try:
        done = subprocess.run(args, capture_output=True, text=True, timeout=timeout, env=env, check=False)
    finally:
        trap.close()
    console = [line for line in done.stderr.splitlines() if ":CONSOLE" in line]
    return Visit(done.stdout, console, trap.connections, pdf, shot)


def pdf_text(pdf: Path) -> str:
    done = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True)
    return done.stdout
