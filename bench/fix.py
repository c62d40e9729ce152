"""`python -m bench.fix`: `segverify fix` on the flagship and on synthetic enterprises.

For each size: the enterprise's policies, less the violated `reachable` ones (no change in the
vocabulary opens a flow, so they are infeasible by construction) and, with --drop-no-flow, the
violated `no_flow` ones (the synthetic packs forbid flows their own matrices allow: a conflict
`fix` proves, exit 1). Reports wall and CPU seconds and where the search spent them: one table
of the search's counts, then one of its CPU seconds by stage.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import replace

from bench.synth import generate_enterprise, plan_for
from segverify import api
from segverify.fix.changes import Costs
from segverify.fix.costsfile import read_costs
from segverify.fix.search import FixOptions, FixResult, find_fix
from segverify.model.ir import Model
from segverify.model.load import load_model
from segverify.results import Status

FLAGSHIP = ["examples/remote-access-vendor/flawed"]
PACKS = ["policies/three-plane.yaml", "policies/baseline.yaml"]


def enterprise(hosts: int, seed: int, drop_no_flow: bool) -> Model:
    model = generate_enterprise(plan_for(hosts, seed))
    dropped = {"reachable", "no_flow"} if drop_no_flow else {"reachable"}
    report = api.check(model)
    bad = {r.id for r in report.results if r.kind in dropped and r.status == Status.VIOLATED}
    return replace(model, policies=tuple(p for p in model.policies if p.id not in bad))


def measure(label: str, model: Model, costs: Costs, timeout: float) -> str:
    """Prints the row of the first table; returns the row of the second."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = find_fix(model, FixOptions(costs=costs, timeout_s=timeout))
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(row(label, model, result, wall, cpu), flush=True)
    return stages(label, model, result, cpu)


def stages(label: str, model: Model, result: FixResult, cpu: float) -> str:
    s = result.stats
    parts = [s.check_s, s.oracle_s, s.solve_s, s.learn_s, s.flows_s]
    cells = [label, len(model.hosts), *(f"{p:.1f}" for p in parts), f"{max(0.0, cpu - sum(parts)):.1f}"]
    return "| " + " | ".join(str(c) for c in cells) + " |"


def row(label: str, model: Model, result: FixResult, wall: float, cpu: float) -> str:
    s = result.stats
    cost = result.fixes[0].cost if result.fixes else "-"
    cells = [label, len(model.hosts), len(result.targets), result.status, cost, result.lower_bound]
    cells += [f"{wall:.1f}", f"{cpu:.1f}", s.solves, f"{s.solve_s:.1f}", s.oracle_calls, f"{s.oracle_s:.1f}"]
    return "| " + " | ".join(str(c) for c in [*cells, s.clauses]) + " |"


def main() -> None:
    ap = argparse.ArgumentParser(prog="python -m bench.fix", description=__doc__)
    ap.add_argument("--hosts", type=int, nargs="*", default=[100, 400, 1600])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=600.0, help="seconds per search")
    ap.add_argument("--drop-no-flow", action="store_true", help="also drop violated no_flow policies")
    ap.add_argument("--no-flagship", action="store_true")
    args = ap.parse_args()
    print(
        "| model | hosts | targets | status | cost | lower bound | wall s | CPU s | solves | solve s "
        "| oracle calls | oracle s | clauses |"
    )
    print("| --- " * 13 + "|")
    second: list[str] = []
    if not args.no_flagship:
        model = load_model(FLAGSHIP, PACKS)
        second.append(
            measure(
                "flagship flawed (docs costs)",
                model,
                read_costs("docs/fix-costs.yaml", frozenset()),
                args.timeout,
            )
        )
    for hosts in args.hosts:
        label = f"enterprise seed {args.seed}" + (" (no_flow dropped)" if args.drop_no_flow else "")
        second.append(measure(label, enterprise(hosts, args.seed, args.drop_no_flow), Costs(), args.timeout))
    print("\nCPU seconds by stage (check: the first check and the re-check; learn: witnesses to clauses;")
    print("flows: the business-flow tests; other: the rest of fix, such as applying changes):\n")
    print("| model | hosts | check s | oracle s | solve s | learn s | flows s | other s |")
    print("| --- " * 8 + "|")
    print("\n".join(second))


if __name__ == "__main__":
    main()
