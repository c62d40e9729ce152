"""Render stage: `segverify paths` output and the `--certificate` file."""

from __future__ import annotations

import json

from segverify.evidence.binding import Binding, binding_json
from segverify.evidence.digest import choice_headers
from segverify.render.plain import BoundaryJson, Json, boundary_list, certificate_json, witness_json
from segverify.render.text import witness_lines
from segverify.results import PathWitness, PolicyResult, Report


def render_paths_text(found: tuple[PathWitness, ...]) -> str:
    if not found:
        return "no attack path: the targets are isolated from the foothold\n"
    lines: list[str] = []
    for i, w in enumerate(found, 1):
        lines.append(f"path {i} of {len(found)}:")
        lines += witness_lines(w)
    return "\n".join(lines) + "\n"


def render_paths_json(found: tuple[PathWitness, ...]) -> str:
    return json.dumps({"segverify": "1", "paths": [witness_json(w) for w in found]}, indent=2) + "\n"


def certificates_json(report: Report, binding: Binding, boundary: BoundaryJson = boundary_list) -> Json:
    """Every proof's certificate, bound to the inputs it was made from, for auditors and other tools."""
    return {
        "segverify": "1",
        **binding_json(binding),
        "certificates": [_entry(r, binding, boundary) for r in report.results if r.certificate is not None],
    }


def _entry(r: PolicyResult, binding: Binding, boundary: BoundaryJson) -> Json:
    """A proof's certificate; a resilient proof's also the certificate of each of its choices."""
    assert r.certificate is not None
    out: Json = {
        "id": r.id,
        "kind": r.kind,
        "sha256": binding.digests[r.id],
        "certificate": certificate_json(r.certificate, boundary),
    }
    if r.choices:
        each, whole = binding.choices[r.id]
        out["choices_sha256"] = whole
        out["choices"] = [
            {**header, "certificate": certificate_json(c.certificate, boundary)}
            for c, header in zip(r.choices, choice_headers(r.choices, each), strict=True)
        ]
    return out
