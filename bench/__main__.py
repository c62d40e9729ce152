"""`python -m bench`: the size steps (engine and reference, same process per size), then the sweep.

Each size runs in its own spawned process, so its peak RSS is its own, and a size that
exceeds --timeout is stopped (that process only) and ends the size ladder.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import queue
import sys
import time
from typing import Any

from bench.measure import SizeConfig, child
from bench.report import ratios, summarise, table, write_json
from bench.sweep import sweep
from bench.synth import LARGEST, SIZES

QUICK = (100, 400)
RESULTS = os.path.join(os.path.dirname(__file__), "results.json")


def parse(argv: list[str]) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    ap.add_argument("--quick", action="store_true", help="sizes 100 and 400 only, one run each")
    ap.add_argument("--sizes", help="comma-separated host counts (default: 100..25,600 x4, then 100,000)")
    ap.add_argument("--max-hosts", type=int, default=None, help="stop before sizes above this")
    ap.add_argument("--runs", type=int, default=None, help="runs per size (default 3 up to 6,400, then 1)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=3 * 3600, help="seconds per size before it is stopped")
    ap.add_argument("--cert-modes", default="on,off", help="verify_certificates settings to run: on,off")
    ap.add_argument("--no-load", action="store_true", help="skip writing and loading the YAML")
    ap.add_argument("--no-reference", action="store_true", help="engine only")
    ap.add_argument("--progress", action="store_true", help="one stderr line per policy")
    ap.add_argument(
        "--sweep", type=int, default=0, metavar="N", help="differential sweep over N small models"
    )
    ap.add_argument("--sweep-seed", type=int, default=0)
    ap.add_argument("--workers", type=int, default=2, help="processes for the sweep")
    ap.add_argument("--out", default=RESULTS, help="where to write the JSON results")
    return ap.parse_args(argv)


def sizes_of(args: argparse.Namespace) -> list[int]:
    if args.sizes is not None:  # "" runs no size (the sweep alone)
        sizes = [int(s) for s in args.sizes.split(",") if s]
    else:
        sizes = list(QUICK if args.quick else (*SIZES, LARGEST))
    return [s for s in sizes if args.max_hosts is None or s <= args.max_hosts]


def config(args: argparse.Namespace, hosts: int) -> SizeConfig:
    runs = args.runs or (1 if args.quick or hosts > 6_400 else 3)
    modes = tuple(m.strip() == "on" for m in args.cert_modes.split(",") if m.strip())
    return SizeConfig(
        hosts,
        args.seed,
        runs,
        modes,
        not args.no_load,
        not args.no_reference,
        args.progress or hosts >= 6_400,
    )


def run_size(cfg: SizeConfig, timeout: float) -> dict[str, Any]:
    ctx = multiprocessing.get_context("spawn")
    results: Any = ctx.Queue()
    proc = ctx.Process(target=child, args=(cfg, results), name=f"bench-{cfg.hosts}")
    proc.start()
    try:
        out: dict[str, Any] = results.get(timeout=timeout)
    except queue.Empty:
        out = {"hosts": cfg.hosts, "error": f"timeout after {timeout:.0f} s"}
        proc.terminate()  # only the process this function started
    proc.join()
    return out


def git_head() -> str:
    """The commit measured (read from .git without running git; the working tree may differ)."""
    root = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), ".git")
    try:
        with open(os.path.join(root, "HEAD"), encoding="utf-8") as fh:
            head = fh.read().strip()
        if not head.startswith("ref: "):
            return head
        ref = head[5:]
        if os.path.exists(os.path.join(root, ref)):
            with open(os.path.join(root, ref), encoding="utf-8") as fh:
                return fh.read().strip()
        with open(os.path.join(root, "packed-refs"), encoding="utf-8") as fh:
            return next((line.split()[0] for line in fh if line.strip().endswith(ref)), "unknown")
    except OSError:
        return "unknown"


def main(argv: list[str]) -> int:
    args = parse(argv)
    payload: dict[str, Any] = {"machine": {"cpus": os.cpu_count(), "python": platform.python_version()}}
    payload["commit"] = git_head()
    payload["started"] = time.strftime("%Y-%m-%dT%H:%M:%S")
    sizes: list[dict[str, Any]] = []
    for hosts in sizes_of(args):
        print(f"== {hosts:,} hosts", file=sys.stderr, flush=True)
        result = run_size(config(args, hosts), args.timeout)
        if "error" not in result:
            result["ratios"] = ratios(result)
        sizes.append(result)
        if "error" in result:
            break  # larger sizes would fail the same way
    payload["sizes"] = sizes
    payload["summary"] = summarise(sizes)
    if sizes:
        print(table(sizes, payload["summary"]))
    if args.sweep:
        payload["sweep"] = sweep(
            args.sweep, args.sweep_seed, args.workers, lambda s: print(s, file=sys.stderr)
        )
        print(sweep_line(payload["sweep"]))
    write_json(args.out, payload)
    print(f"results: {args.out}")
    failed = any("error" in s for s in sizes) or payload.get("sweep", {}).get("status") == "disagree"
    return 1 if failed else 0


def sweep_line(s: dict[str, Any]) -> str:
    if s["status"] == "reference missing":
        return "sweep: reference missing"
    line = f"sweep: {s['models']:,} models, {s['policies']:,} policies, {s['seconds']:.0f} s: {s['status']}"
    if s["status"] == "disagree":
        line += f"\n{s['finding']}\n{s['model_yaml']}"
    return line


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
