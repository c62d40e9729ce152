"""`python -m bench.policies --hosts N`: one engine check of the N-host enterprise, policy by policy.

Prints, per policy in evaluation order, its wall time and the share spent in the self-check
(the reference re-deriving certificates and replaying witnesses), then the total and the
peak RSS. The model is built as IR (no YAML), as `python -m bench --no-load` does; this is
how the 100,000-host check is measured without waiting for the reference to evaluate it.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time

import segverify.api as api
from segverify.model.ir import Policy
from segverify.synth import generate_enterprise, plan_for


class PolicyClock:
    """Wall time per policy, and how much of it the self-check took."""

    def __init__(self) -> None:
        self.self_check = 0.0
        self.current: tuple[Policy, float, float] | None = None
        original = api.self_check

        def timed(*args: object, **kwargs: object) -> None:
            t0 = time.perf_counter()
            original(*args, **kwargs)  # type: ignore[arg-type]
            self.self_check += time.perf_counter() - t0

        api.self_check = timed

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
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    model = generate_enterprise(plan_for(args.hosts, args.seed))
    print(
        f"generated {len(model.hosts):,} hosts, {len(model.flows):,} rules, "
        f"{len(model.policies)} policies in {time.perf_counter() - t0:.1f} s",
        flush=True,
    )
    clock = PolicyClock()
    t0 = time.perf_counter()
    report = api.check(model, api.CheckOptions(progress=clock, verify_certificates=not args.no_verify))
    clock(0, 0, None)
    statuses: dict[str, int] = {}
    for r in report.results:
        statuses[r.status.value] = statuses.get(r.status.value, 0) + 1
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(
        f"check {time.perf_counter() - t0:.1f} s (self-check {clock.self_check:.1f} s), "
        f"peak {peak} MiB, {statuses}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
