"""`python -m bench.layers`: what a second enforcement layer costs `segverify check` (not in make test).

The synthetic enterprise is checked as generated, then with one more layer that repeats its
rules and defaults (renamed, so names stay unique) and applies everywhere: the network and every
verdict are unchanged (asserted), so the ratio is the cost of reading two layers instead of one.
Packet policies (reachable, no_flow, matrix) and attack policies (isolated, only_via,
blast_radius; the movement engine) are timed apart, each with the reference's self-checks
in-process (witness replay, certificate checks), and the attack policies once more with
certificate checking off, to show how much of the cost is the engine and how much the reference.
Model generation is not timed; times are CPU seconds of this process. Numbers go to docs/bench.md.
"""

from __future__ import annotations

import argparse
import gc
import time
from dataclasses import replace

from bench.synth import generate_enterprise, plan_for
from segverify import api
from segverify.model.ir import Layer, Model

ATTACK = ("isolated", "only_via", "blast_radius")


def with_second_layer(model: Model) -> Model:
    start = len(model.flows)
    flows = tuple(
        replace(f, index=start + i, name=f"{f.name}@copy", layer="copy") for i, f in enumerate(model.flows)
    )
    d = model.defaults
    return replace(model, layers=(Layer("copy", flows, d.intra_zone, d.inter_zone),))


def only(model: Model, attack: bool) -> Model:
    return replace(model, policies=tuple(p for p in model.policies if (p.kind in ATTACK) == attack))


def timed(model: Model, certificates: bool = True) -> tuple[float, tuple[str, ...]]:
    gc.collect()
    start = time.process_time()  # CPU time: the machine is shared, wall time is noise
    options = api.CheckOptions(fork_self_checks=False, verify_certificates=certificates)
    report = api.check(model, options)
    return time.process_time() - start, tuple(r.status.value for r in report.results)


def compare(label: str, model: Model, certificates: bool = True) -> tuple[float, float]:
    one, verdicts = timed(model, certificates)
    two, layered = timed(with_second_layer(model), certificates)
    assert layered == verdicts, f"{label}: a layer that repeats the rules changed a verdict"
    counts = {s: verdicts.count(s) for s in sorted(set(verdicts))}
    print(f"  {label:<34} {one:7.2f} s one layer, {two:7.2f} s two layers, ratio {two / one:.2f}  {counts}")
    return one, two


def main(argv: list[str] | None = None) -> list[tuple[int, str, float, float]]:
    ap = argparse.ArgumentParser(prog="python -m bench.layers", description=__doc__)
    ap.add_argument("--sizes", default="100,400,1600", help="comma-separated host counts")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    out = []
    for hosts in (int(s) for s in args.sizes.split(",")):
        model = generate_enterprise(plan_for(hosts, args.seed))
        print(f"{hosts:,} hosts, {len(model.flows):,} rules, {len(model.policies)} policies", flush=True)
        for label, part, certificates in (
            ("packet policies", only(model, False), True),
            ("attack policies", only(model, True), True),
            ("attack policies, certificates off", only(model, True), False),
        ):
            one, two = compare(label, part, certificates)
            out.append((hosts, label, one, two))
    return out


if __name__ == "__main__":
    main()
