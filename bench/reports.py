"""`python -m bench.reports --hosts N[,N...]`: size and time of each report of the N-host enterprise.

For each size, in one process: write the enterprise as YAML, load it, check it (engine and
self-checks), then time and measure each artefact as `check` writes it: the JSON report (which
carries certificate summaries and digests only), the certificate file (every boundary), and
the HTML audit report when segverify has one. Numbers go to docs/bench.md.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections.abc import Callable, Iterable
from datetime import date

from segverify import api
from segverify.evidence.binding import bind
from segverify.model.load import load_model
from segverify.render.json import certificate_chunks, report_chunks
from segverify.synth import write_enterprise

TODAY = date(2026, 11, 23)


def write(path: str, pieces: Iterable[str]) -> int:
    with open(path, "w", encoding="utf-8") as out:
        for piece in pieces:
            out.write(piece)
    return os.path.getsize(path)


def timed(label: str, run: Callable[[], object]) -> object:
    start = time.perf_counter()
    value = run()
    print(f"  {label:<22} {time.perf_counter() - start:7.2f} s", flush=True)
    return value


def measure(hosts: int, seed: int, folder: str) -> None:
    print(f"{hosts:,} hosts", flush=True)
    model_dir = os.path.join(folder, f"m{hosts}")
    timed("write YAML", lambda: write_enterprise(hosts, seed, model_dir))
    model = load_model([model_dir])
    timed("load", lambda: load_model([model_dir]))
    report = api.check(model, api.CheckOptions(today=TODAY))
    binding = bind(model, report, TODAY)
    timed("check", lambda: api.check(model, api.CheckOptions(today=TODAY)))
    timed("bind (all digests)", lambda: bind(model, report, TODAY))
    for name, pieces in _artefacts(model, report, binding):
        path = os.path.join(folder, f"{hosts}-{name}")
        size = timed(f"write {name}", lambda p=path, w=pieces: write(p, w()))  # type: ignore[misc]
        print(f"  {'size ' + name:<22} {int(size) / 1e6:7.2f} MB", flush=True)  # type: ignore[call-overload]


def _artefacts(
    model: object, report: api.Report, binding: object
) -> list[tuple[str, Callable[[], Iterable[str]]]]:
    out: list[tuple[str, Callable[[], Iterable[str]]]] = [
        ("report.json", lambda: report_chunks(report, binding.digests)),  # type: ignore[attr-defined]
        ("certificates.json", lambda: certificate_chunks(report, binding)),  # type: ignore[arg-type]
    ]
    try:
        from segverify.render.html import report_html_chunks
    except ImportError:
        return out
    out.append(("report.html", lambda: report_html_chunks(model, report, binding)))  # type: ignore[arg-type]
    return out


def main() -> None:
    ap = argparse.ArgumentParser(prog="python -m bench.reports", description=__doc__)
    ap.add_argument("--hosts", default="1600,6400", help="comma-separated host counts")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        for hosts in (int(h) for h in args.hosts.split(",")):
            measure(hosts, args.seed, folder)


if __name__ == "__main__":
    main()
