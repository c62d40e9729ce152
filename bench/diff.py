"""`python -m bench.diff --hosts N`: `segverify diff` of a one-rule change against one full check.

The N-host synthetic enterprise (built as IR, as `python -m bench --no-load` does) gets one new
allow rule first in its rule list. Timed: one `check` of AFTER (the yardstick) and the diff
(`segverify.diff.report.diff`, what `segverify diff` runs); with `--full`, also the unoptimised
diff in its parts: `check` of each side in full, the packet diff (flow tables included), every
attack-reach probe on both sides, the definitions. `--packets-only` times the packet part alone
(the 100,000-host figure of issue #18). Not part of `make test`; numbers go to docs/bench.md.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from dataclasses import replace
from typing import Any, TypeVar

from bench.synth import generate_enterprise, plan_for
from segverify import api
from segverify.diff.attack import Side, probes, reach_diff
from segverify.diff.changes import model_changes
from segverify.diff.groups import packet_diff
from segverify.diff.policies import compare_policies
from segverify.diff.report import diff
from segverify.model.addresses import IPV4_ALL
from segverify.model.ir import Flow, Model, Ref
from segverify.model.ports import parse_port_spec
from segverify.model.refs import Resolver
from segverify.semantics.context import Semantics
from segverify.semantics.regions import FlowTable

T = TypeVar("T")


def cpu() -> float:
    """CPU seconds of this process and its waited-for children (the self-check children of a
    large check): the machine is shared, so wall time measures the neighbours too."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def timed(fn: Callable[[], T]) -> tuple[T, float]:
    start = cpu()
    value = fn()
    return value, round(cpu() - start, 3)


def one_rule_change(model: Model, service: str = "tcp/31337") -> Model:
    """AFTER: an allow rule first in the list, from the first IPv4 zone to the last IPv4 host of another
    zone, on `service` (a port spec, or a service name: then the last host offering it)."""
    zone = next(z for z in sorted(model.zones) if model.zones[z].addresses.intersects(IPV4_ALL))
    named = service in model.services
    hosts = [
        h
        for h, x in sorted(model.hosts.items())
        if x.zone != zone and x.addresses.intersects(IPV4_ALL) and (not named or service in x.services)
    ]
    ports = model.services[service].ports if named else parse_port_spec(service)
    new = Flow(0, "bench-one-rule", (Ref(zone),), (Ref(hosts[-1]),), (service,), ports)
    flows = [new, *model.flows]
    return replace(model, flows=tuple(replace(f, index=i) for i, f in enumerate(flows)))


def measure(hosts: int, packets_only: bool, full: bool, service: str) -> dict[str, Any]:
    before, out = timed(lambda: generate_enterprise(plan_for(hosts, 1)))
    after = one_rule_change(before, service)
    row: dict[str, Any] = {"hosts": len(before.hosts), "flows": len(after.flows), "service": service}
    row["generate_s"] = out

    def packets() -> int:
        diff = packet_diff(FlowTable(before, Resolver(before)), FlowTable(after, Resolver(after)))
        return len(diff.groups())

    row["groups"], row["packets_s"] = timed(packets)
    if packets_only:
        return row
    options = api.CheckOptions()
    _, row["check_s"] = timed(lambda: api.check(after, options))
    report, row["diff_s"] = timed(lambda: diff(before, after, options))
    row["ratio"] = round(row["diff_s"] / row["check_s"], 2) if row["check_s"] else None
    row["probes"], row["gained"], row["lost"] = (
        len(probes(before, after)),
        len(report.gained),
        len(report.lost),
    )
    if full:  # the unoptimised diff, in its parts: both checks in full, every probe on both sides
        reports, row["full_checks_s"] = timed(lambda: (api.check(before, options), api.check(after, options)))
        found = probes(before, after)

        def reach() -> tuple[object, object]:
            sides = [Side(api.new_context(m, options.budget), Semantics(m)) for m in (before, after)]
            return reach_diff(sides[0], sides[1], found)

        _, row["full_reach_s"] = timed(reach)
        _, row["changes_s"] = timed(lambda: (model_changes(before, after), compare_policies(*reports)))
        parts = ("full_checks_s", "packets_s", "full_reach_s", "changes_s")
        row["full_s"] = round(sum(row[k] for k in parts), 3)
        row["full_ratio"] = round(row["full_s"] / row["check_s"], 2) if row["check_s"] else None
    return row


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.diff", description=__doc__)
    ap.add_argument("--hosts", type=int, action="append", required=True, help="host count (repeatable)")
    ap.add_argument("--packets-only", action="store_true", help="time the packet diff alone")
    ap.add_argument("--full", action="store_true", help="also time the unoptimised diff, in its parts")
    ap.add_argument(
        "--service",
        default="tcp/31337",
        help="what the new rule allows: a port spec (default tcp/31337, which no move uses), or a "
        "service name such as smb (a login service: attack paths may change)",
    )
    args = ap.parse_args(argv)
    for hosts in args.hosts:
        print(json.dumps(measure(hosts, args.packets_only, args.full, args.service)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
