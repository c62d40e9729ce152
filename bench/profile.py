"""`python -m bench.profile --hosts N`: cProfile of one engine check on the N-host enterprise.

Prints the functions with the most cumulative and the most own time, and the own time summed
per segverify module (z3's Python layer is one bucket), so the hot stage is visible at once.
cProfile inflates many small calls (z3's Python API most of all): read the shares, and take
absolute times from `python -m bench`.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import time
from collections import defaultdict

from bench.synth import generate_enterprise, plan_for
from segverify.api import CheckOptions, check


def bucket(filename: str) -> str:
    if "/z3/" in filename:
        return "z3 (python api + solver)"
    if "/segverify/" in filename:
        return "segverify." + filename.split("/segverify/")[-1].removesuffix(".py").replace("/", ".")
    return "other"


def per_module(stats: pstats.Stats) -> list[tuple[float, str]]:
    own: dict[str, float] = defaultdict(float)
    for (filename, _, _), row in stats.stats.items():  # type: ignore[attr-defined]
        own[bucket(filename)] += row[2]
    return sorted(((t, m) for m, t in own.items()), reverse=True)


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.profile")
    ap.add_argument("--hosts", type=int, default=1600)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--no-certificates", action="store_true")
    ap.add_argument("--out", default=None, help="also save the raw profile here")
    args = ap.parse_args(argv)
    model = generate_enterprise(plan_for(args.hosts, args.seed))
    prof = cProfile.Profile()
    t0 = time.perf_counter()
    prof.enable()
    report = check(model, CheckOptions(verify_certificates=not args.no_certificates))
    prof.disable()
    print(f"{args.hosts} hosts: {time.perf_counter() - t0:.1f} s under cProfile, {report.summary()}")
    if args.out:
        prof.dump_stats(args.out)
    stats = pstats.Stats(prof, stream=sys.stdout)
    print("\n== own time per module")
    for t, m in per_module(stats)[:15]:
        print(f"{t:9.2f} s  {m}")
    stats.sort_stats("cumulative").print_stats(args.top)
    stats.sort_stats("tottime").print_stats(args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
