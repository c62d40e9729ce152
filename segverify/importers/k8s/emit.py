"""Kubernetes importer: the plan written as a readable, commented model file."""

from __future__ import annotations

import json
from collections.abc import Sequence

from segverify.importers.k8s.plan import FlowPlan, ModelPlan

HEADER = """\
# Imported by `segverify import k8s` from Kubernetes manifests: do not edit by hand, re-import.
# Add accounts and policies in files of your own beside this one (a model folder is read whole).
# Pods have addresses from the documented pod CIDR (docs/importers.md); ext-* zones are the
# address space outside the cluster, cut at every ipBlock boundary.
segverify: 1
"""


OUTSIDE_TAG = "outside-cluster"  # every external zone: `tag:outside-cluster` is the whole outside


def q(value: str) -> str:
    return json.dumps(value)


def flow_list(items: Sequence[str]) -> str:
    return "[" + ", ".join(q(i) for i in items) + "]"


def render_plan(plan: ModelPlan) -> str:
    out = [HEADER, "defaults: {intra_zone: allow, inter_zone: allow}", "zones:"]
    for z in plan.zones:
        ext = f"external: true, tags: [{OUTSIDE_TAG}], " if z.external else ""
        out.append(f"  {q(z.name)}: {{{ext}networks: {flow_list(z.networks)}}}  # {z.note}")
    out.append("hosts:" if plan.hosts else "hosts: {}")
    for h in plan.hosts:
        services = f", services: {flow_list(h.services)}" if h.services else ""
        out.append(f"  {q(h.name)}: {{zone: {q(h.zone)}, address: {h.address}{services}}}  # {h.note}")
    out.append("layers:")
    for name, flows in (("egress", plan.egress), ("ingress", plan.ingress)):
        out += [f"  - name: {name}", "    defaults: {intra_zone: allow, inter_zone: allow}"]
        out.append("    flows:" if flows else "    flows: []")
        out += [line for f in flows for line in _flow(f)]
    return "\n".join(out) + "\n"


def _flow(f: FlowPlan) -> list[str]:
    lines = [
        f"      # {f.note}",
        f"      - name: {q(f.name)}",
        f"        from: {flow_list(f.sources)}",
        f"        to: {flow_list(f.destinations)}",
        f"        services: {flow_list(f.services)}",
    ]
    if f.action != "allow":
        lines.append(f"        action: {f.action}")
    return lines
