"""`python -m bench.policies --hosts N`: one engine check of the N-host enterprise, policy by policy.

Prints, per policy in evaluation order, its wall time and the share spent in the self-check
(the reference re-deriving certificates and replaying witnesses), then the total and the
peak memory. On large models `check` runs the self-checks in forked children
(selfchecks.py), beside the engine: their time is then not in the parent's column, and
`--inline` keeps them in the parent to see their cost. Peak memory is this process's RSS
and, sampled, the PSS of this process and its children together.

The model is built as IR (no YAML), as `python -m bench --no-load` does; this is how the
100,000-host check is measured without waiting for the reference to evaluate it.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path

import segverify.api as api
from bench.synth import generate_enterprise, plan_for
from segverify.model.ir import Policy


class PeakMemory:
    """Peak of this process's and its children's proportional set sizes together, sampled.

    ru_maxrss counts the pages a forked child shares with its parent in both, which would
    double-count the model; PSS splits each shared page between its sharers. Linux only.
    """

    def __init__(self, every: float) -> None:
        self.peak_kib, self.every = 0, every
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.available = Path("/proc/self/smaps_rollup").exists()
        if self.available:
            self.thread.start()

    def stop(self) -> str:
        self.done.set()
        if not self.available:
            return "n/a"
        self.thread.join()
        self._sample()
        return f"{self.peak_kib // 1024} MiB"

    def _run(self) -> None:
        while not self.done.wait(self.every):
            self._sample()

    def _sample(self) -> None:
        pid = os.getpid()
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        self.peak_kib = max(self.peak_kib, sum(_pss_kib(p) for p in [str(pid), *children]))


def _pss_kib(pid: str) -> int:
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:  # the child has just ended
        return 0
    return next((int(line.split()[1]) for line in text.splitlines() if line.startswith("Pss:")), 0)


class PolicyClock:
    """Wall time per policy, and how much of it the self-check took."""

    def __init__(self) -> None:
        self.self_check = 0.0
        self.current: tuple[Policy, float, float] | None = None
        original = api.self_check_problems

        def timed(*args: object, **kwargs: object) -> Sequence[str]:
            t0 = time.perf_counter()
            found = original(*args, **kwargs)  # type: ignore[arg-type]
            self.self_check += time.perf_counter() - t0
            return found

        api.self_check_problems = timed

    def __call__(self, i: int, total: int, policy: Policy | None) -> None:
        now = time.perf_counter()
        if self.current is not None:
            done, started, checked = self.current
            spent, checking = now - started, self.self_check - checked
            print(f"{done.id:10} {done.kind:18} {spent:8.2f} s  self-check {checking:7.2f} s", flush=True)
        self.current = None if policy is None else (policy, now, self.self_check)


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.policies")
    ap.add_argument("--hosts", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--no-verify", action="store_true", help="skip re-deriving certificates")
    ap.add_argument("--inline", action="store_true", help="self-checks in this process, not forked")
    # Reading smaps_rollup walks the page tables: ~50 ms of kernel time per read of a 3 GiB
    # process, in the same lock the process's own allocations take. Four reads a second took
    # a fifth of a core from a 100,000-host check that wants both cores.
    ap.add_argument("--memory-every", type=float, default=1.0, help="seconds between PSS samples")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    model = generate_enterprise(plan_for(args.hosts, args.seed))
    print(
        f"generated {len(model.hosts):,} hosts, {len(model.flows):,} rules, "
        f"{len(model.policies)} policies in {time.perf_counter() - t0:.1f} s",
        flush=True,
    )
    clock = PolicyClock()
    memory = PeakMemory(args.memory_every)
    t0 = time.perf_counter()
    fork = False if args.inline else None
    options = api.CheckOptions(progress=clock, verify_certificates=not args.no_verify, fork_self_checks=fork)
    report = api.check(model, options)
    clock(0, 0, None)
    elapsed = time.perf_counter() - t0
    pss = memory.stop()
    statuses: dict[str, int] = {}
    for r in report.results:
        statuses[r.status.value] = statuses.get(r.status.value, 0) + 1
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(
        f"check {elapsed:.1f} s (self-check in this process {clock.self_check:.1f} s), "
        f"peak RSS {peak} MiB, peak PSS with children {pss}, {statuses}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
