"""Kubernetes importer: host names `<namespace>.<workload>`, and names Kubernetes would reject."""

from __future__ import annotations

import re

from segverify.importers.k8s.nodes import Warning_
from segverify.importers.k8s.objects import Workload

# RFC 1123 subdomain (object names) and label (namespace names), as the API server checks them.
_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")


def host_names(workloads: list[Workload]) -> list[str]:
    """`<namespace>.<name>`; a second workload of that name (another kind) gets `.<kind>` appended."""
    taken: dict[str, int] = {}
    out = []
    for w in workloads:
        name = f"{w.namespace}.{w.name}"
        taken[name] = taken.get(name, 0) + 1
        out.append(name if taken[name] == 1 else f"{name}.{w.kind.lower()}")
    return out


def name_warnings(workloads: list[Workload]) -> list[Warning_]:
    out = []
    for w in workloads:
        if not _LABEL.match(w.namespace) or len(w.namespace) > 63:
            out.append(Warning_(w.span, f"namespace name '{w.namespace}' would be rejected by Kubernetes"))
        if not _SUBDOMAIN.match(w.name) or len(w.name) > 253:
            out.append(Warning_(w.span, f"{w.kind} name '{w.name}' would be rejected by Kubernetes"))
    return out
