"""`python -m bench.lint`: time `segverify lint`'s rule pass on the synthetic enterprise (not in make test).

Sizes are rule counts; each runs on the enterprise of ten times as many hosts (plan_for's own
ratio, so 10,000 rules is the 100,000-host model), capped at the 100,000-host model (100,000
rules: that model with ten times its usual rules). Model generation is not timed; times are CPU
seconds of this process. Stale waivers (a z3 check) are left out: they cost what `check` costs.
Prints one line per size and the growth exponent between the first and last size.
"""

from __future__ import annotations

import argparse
import math
import time

from bench.synth import LARGEST, generate_enterprise, plan_for
from segverify.lint.context import LintOptions
from segverify.lint.run import lint

CODES = frozenset({"shadowed", "partially-shadowed", "redundant-with-default", "empty-rule", "overly-broad"})


def hosts_for(rules: int) -> int:
    """Ten hosts per rule up to the largest synthetic enterprise; past it, more rules per host."""
    return min(rules * 10, LARGEST)


def measure(rules: int, seed: int, codes: frozenset[str]) -> tuple[float, int]:
    model = generate_enterprise(plan_for(hosts_for(rules), seed, rules=rules))
    start = time.process_time()  # CPU time: the machine is shared, wall time is noise
    report = lint(model, LintOptions(codes=codes))
    return time.process_time() - start, len(report.findings)


def main(argv: list[str] | None = None) -> list[tuple[int, float]]:
    """Runs the sizes; returns (rules, CPU seconds) per size."""
    ap = argparse.ArgumentParser(prog="python -m bench.lint", description=__doc__)
    ap.add_argument("--sizes", default="1000,10000,100000", help="comma-separated rule counts")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--all-codes", action="store_true", help="also unused and unzoned")
    args = ap.parse_args(argv)
    codes = frozenset() if args.all_codes else CODES
    times = []
    for rules in (int(s) for s in args.sizes.split(",")):
        seconds, findings = measure(rules, args.seed, codes)
        times.append((rules, seconds))
        print(
            f"{rules:>7,} rules ({hosts_for(rules):,} hosts): {seconds:8.2f} s CPU, {findings:,} findings",
            flush=True,
        )
    if len(times) > 1:
        (n0, t0), (n1, t1) = times[0], times[-1]
        print(f"growth exponent {math.log(t1 / t0) / math.log(n1 / n0):.2f} ({n0:,} -> {n1:,} rules)")
    return times


if __name__ == "__main__":
    main()
