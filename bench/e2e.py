"""`python -m bench.e2e --hosts N[,N...]`: `segverify check` end to end, as a user runs it.

For each size: write the N-host enterprise as YAML (not timed), then run the installed CLI in a
child process, `segverify check DIR --format json --output report.json --report report.html
--today 2026-11-23`, and report its wall time, its CPU time (user + system of the child and the
self-check process it forks), its peak RSS, the exit code and the size of each file written.
Loading, checking, self-checks and writing are all inside the measured run: this is the number
issue 23 sets a target for (the 100,000-host JSON report under 50 MB, end to end under 90 s).
`--no-html` leaves the HTML report out, to time the JSON report alone. Numbers go to docs/bench.md.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess  # noqa: TID251 (the benchmark runs the CLI as a user does)
import sys
import tempfile
import time

from bench.synth import write_enterprise

TODAY = "2026-11-23"


def run_check(model_dir: str, out: str, html: bool) -> None:
    argv = [sys.executable, "-m", "segverify", "check", model_dir, "--today", TODAY]
    argv += ["--format", "json", "--output", os.path.join(out, "report.json")]
    if html:
        argv += ["--report", os.path.join(out, "report.html")]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    peak = after.ru_maxrss / 1024
    print(f"  exit {done.returncode}, wall {wall:.1f} s, CPU {cpu:.1f} s, peak RSS {peak:,.0f} MiB")
    if done.returncode not in (0, 1):
        print(done.stderr[-2000:], file=sys.stderr)
    for name in ("report.json", "report.html"):
        path = os.path.join(out, name)
        if os.path.exists(path):
            print(f"  {name:<12} {os.path.getsize(path) / 1e6:8.2f} MB", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--hosts", default="1600", help="comma-separated host counts")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--no-html", action="store_true", help="write the JSON report only")
    args = ap.parse_args()
    for hosts in (int(h) for h in args.hosts.split(",")):
        with tempfile.TemporaryDirectory(prefix="segverify-e2e-") as folder:
            model_dir = os.path.join(folder, "model")
            write_enterprise(hosts, args.seed, model_dir)
            size = sum(os.path.getsize(os.path.join(model_dir, f)) for f in os.listdir(model_dir))
            print(f"{hosts:,} hosts ({size / 1e6:.1f} MB of YAML)", flush=True)
            run_check(model_dir, folder, html=not args.no_html)


if __name__ == "__main__":
    main()
