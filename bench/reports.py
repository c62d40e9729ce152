"""`python -m bench.reports --hosts N[,N...]`: size and time of each report of the N-host enterprise.

For each size, in one process: write the enterprise as YAML, load it, check it (engine and
self-checks), then time and measure each artefact as `check` writes it: the JSON report (which
carries certificate summaries and digests only), the certificate file (every boundary), and
the HTML audit report. Numbers go to docs/bench.md.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections.abc import Callable, Iterable
from datetime import date
from typing import cast

from bench.synth import write_enterprise
from segverify import api
from segverify.evidence.binding import Binding, bind
from segverify.evidence.digest import model_sha256, report_digests
from segverify.model.ir import Model
from segverify.model.load import load_model
from segverify.render.json import certificate_chunks, report_chunks
from segverify.results import Report

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
    model = cast(Model, timed("load", lambda: load_model([model_dir])))
    report = cast(Report, timed("check", lambda: api.check(model, api.CheckOptions(today=TODAY))))
    timed("certificate digests", lambda: report_digests(report))
    timed("normalised model digest", lambda: model_sha256(model))
    binding = cast(Binding, timed("bind (all digests)", lambda: bind(model, report, TODAY)))
    for name, pieces in _artefacts(model, report, binding):
        path = os.path.join(folder, f"{hosts}-{name}")
        size = cast(int, timed(f"write {name}", lambda p=path, w=pieces: write(p, w())))  # type: ignore[misc]
        print(f"  {'size ' + name:<22} {size / 1e6:7.2f} MB", flush=True)


def _artefacts(
    model: Model, report: Report, binding: Binding
) -> list[tuple[str, Callable[[], Iterable[str]]]]:
    from segverify.render.html import report_html_chunks

    return [
        ("report.json", lambda: report_chunks(report, binding.digests)),
        ("certificates.json", lambda: certificate_chunks(report, binding)),
        ("report.html", lambda: report_html_chunks(model, report, binding)),
    ]


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
