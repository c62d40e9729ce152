"""Kinds stage: `matrix`: between each ordered pair of listed zones only the pair's `allow` services flow."""

from __future__ import annotations

from typing import TYPE_CHECKING

from segverify.kinds.common import ZONES, RegionKind, zone_names
from segverify.model.ir import MatrixCell, MatrixSpec, PolicyKind, PolicySpec
from segverify.model.shapes import MATRIX_ARROW, Field

if TYPE_CHECKING:
    from segverify.analyses.registry import Analysis
    from segverify.model.ir import Policy
    from segverify.model.names import Context
    from segverify.model.read import Fields, Item
    from segverify.results import Witness
    from segverify.semantics.context import Semantics
    from segverify.semantics.policies import Query, Verdict

ALLOW = Field("allow", "allow", "`a -> b: [services]` cells that may flow")


class Matrix(RegionKind):
    name: PolicyKind = "matrix"
    fields: tuple[Field, ...] = (ZONES, ALLOW)
    meaning = "Between each ordered pair of listed zones only the pair's `allow` services flow."
    fix = "For each failing pair, narrow or deny the rule that allows the packet."

    def build(self, ctx: Context, f: Fields) -> PolicySpec:
        zones = zone_names(ctx, f)
        cells = []
        for key, services in f.cells("allow"):
            pair = _pair(ctx, key, zones)
            if pair is not None:
                names = tuple(s.text for s in services)
                cells.append(MatrixCell(pair[0], pair[1], names, ctx.ports(services), key.span))
        return MatrixSpec(zones, tuple(cells))

    def analysis(self) -> Analysis:
        from segverify.analyses.packet_policies import check_matrix

        return check_matrix

    def queries(self, sem: Semantics, policy: Policy) -> list[Query]:
        """Every ordered pair of distinct zones: any allowed packet outside the pair's cells violates."""
        from segverify.model.ports import ALL_SERVICES
        from segverify.semantics.policies import Query

        spec, r = policy.spec, sem.resolver
        assert isinstance(spec, MatrixSpec)
        zones = sorted(set(spec.zones))
        return [
            Query(
                (a, b),
                r.zone_sets[a],
                r.zone_sets[b],
                ALL_SERVICES.difference(spec.allowed_ports(a, b)),
                "allow",
            )
            for a in zones
            for b in zones
            if a != b
        ]

    def reference(self, sem: Semantics, policy: Policy) -> Verdict:
        from segverify.semantics.policies import matrix_verdict

        return matrix_verdict(sem, policy)

    def witness_errors(self, sem: Semantics, policy: Policy, witness: Witness) -> list[str] | None:
        from segverify.results import MatrixWitness
        from segverify.semantics.verify import matrix_errors

        return matrix_errors(sem, policy, witness) if isinstance(witness, MatrixWitness) else None


def _pair(ctx: Context, key: Item, zones: tuple[str, ...]) -> tuple[str, str] | None:
    from segverify.model.names import close_hint

    parts = [p.strip() for p in key.text.split(MATRIX_ARROW)]
    if len(parts) != 2 or not all(parts):
        ctx.error(
            "bad-value",
            f"'{key.text}' is not a pair `zone -> zone`",
            key.span,
            "for example `corp-it -> production: [https]`",
        )
        return None
    for zone in parts:
        if zone not in zones:
            ctx.error(
                "bad-value",
                f"'{zone}' is not one of the matrix zones",
                key.span,
                close_hint(zone, zones) or "list it under the matrix `zones`",
            )
            return None
    if parts[0] == parts[1]:
        ctx.error(
            "bad-value", f"'{key.text}' pairs a zone with itself; the matrix covers distinct zones", key.span
        )
        return None
    return parts[0], parts[1]
