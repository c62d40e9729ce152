"""`python -m bench.explain --hosts N...`: explain and `resilient: {accounts: 1}` on synthetic enterprises.

For each size: `check --explain` on the flagship-sized model is not here (see docs/bench.md);
this times the margin of every proved attack policy (load-bearing controls, single points of
failure, margin), and `accounts: 1` on each proved `isolated` policy two ways: one check per
login footprint (what segverify does) and the naive loop, one check per account. Both must
agree; the speed-up is the ratio of their times. Times are CPU seconds of this process
(z3 runs in it): the machine is shared, and wall clocks there measure the neighbours.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace

from bench.synth import generate_enterprise, plan_for
from segverify.api import CheckOptions, check
from segverify.explain.explain import EXPLAINED_KINDS, explain
from segverify.explain.recheck import recheck
from segverify.explain.resilient import footprints
from segverify.model.ir import Model, Policy, Resilience
from segverify.results import Status
from segverify.semantics.context import Semantics
from segverify.semantics.resilience import login_places, stolen


def proved_attack(model: Model) -> list[Policy]:
    report = check(model, CheckOptions(fork_self_checks=False))
    ok = {r.id for r in report.results if r.status == Status.PROVED and r.kind in EXPLAINED_KINDS}
    return [p for p in model.policies if p.id in ok]


def margins(model: Model, policies: list[Policy]) -> tuple[float, list[str]]:
    start, rows = time.process_time(), []
    for p in policies:
        e = explain(model, p)
        m = e.margin
        size = "-" if m is None else (str(m.size) if m.status == "exact" else m.status)
        rows.append(f"{p.id}:{size}({0 if m is None else m.checks})")
    return time.process_time() - start, rows


def naive_accounts(model: Model, policy: Policy) -> tuple[bool, int]:
    sem, checks = Semantics(model), 0
    for account in model.accounts():
        places = login_places(sem, account.name)
        if not places:
            continue
        checks += 1
        if (
            recheck(model, stolen(policy, account.name, places), (), CheckOptions().budget).result.status
            != Status.PROVED
        ):
            return False, checks
    return True, checks


def shared_accounts(model: Model, policy: Policy) -> tuple[bool, int]:
    resilient = replace(policy, resilient=Resilience(accounts=1))
    (result,) = check(replace(model, policies=(resilient,)), CheckOptions(fork_self_checks=False)).results
    return result.status == Status.PROVED, len(footprints(model, resilient))


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.explain")
    ap.add_argument("--hosts", type=int, nargs="+", default=[100, 400])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--no-accounts", action="store_true", help="margins only (no naive loop)")
    args = ap.parse_args(argv)
    for hosts in args.hosts:
        model = generate_enterprise(plan_for(hosts, args.seed))
        policies = proved_attack(model)
        took, rows = margins(model, policies)
        print(f"{hosts} hosts: margins of {len(policies)} proved attack policies in {took:.2f} s:", *rows)
        isolated = [] if args.no_accounts else [p for p in policies if p.kind == "isolated"][:3]
        for p in isolated:
            t0 = time.process_time()
            ok_shared, fps = shared_accounts(model, p)
            t1 = time.process_time()
            ok_naive, runs = naive_accounts(model, p)
            t2 = time.process_time()
            agree = "agree" if ok_shared == ok_naive else "DISAGREE"
            print(
                f"  {p.id} accounts:1 {'proved' if ok_shared else 'violated'} ({agree}): "
                f"{fps} footprints {t1 - t0:.2f} s, naive {runs} account checks {t2 - t1:.2f} s, "
                f"speed-up {(t2 - t1) / max(t1 - t0, 1e-9):.1f}x"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
