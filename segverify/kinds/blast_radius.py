"""Kinds stage: `blast_radius`: from the footholds the attacker controls at most `max_hosts` hosts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from segverify.kinds.common import FROM_FOOTHOLDS, RESILIENT_FIELD, AttackKind, footholds
from segverify.model.ir import BlastRadiusSpec, PolicyKind, PolicySpec
from segverify.model.shapes import Field

if TYPE_CHECKING:
    from segverify.analyses.registry import Analysis
    from segverify.model.ir import Policy
    from segverify.model.names import Context
    from segverify.model.read import Fields
    from segverify.results import Witness
    from segverify.semantics.attack import Attack
    from segverify.semantics.context import Semantics
    from segverify.semantics.policies import Verdict

MAX_HOSTS = Field(
    "max_hosts", "count", "most hosts the attacker may control, footholds included", required=True
)


class BlastRadius(AttackKind):
    name: PolicyKind = "blast_radius"
    fields: tuple[Field, ...] = (FROM_FOOTHOLDS, MAX_HOSTS, RESILIENT_FIELD)
    meaning = "An attacker starting at the foothold controls at most `max_hosts` hosts."
    fix = "Cut the paths to the hosts beyond the limit: deny flows, separate credentials, patch services."

    def build(self, ctx: Context, f: Fields) -> PolicySpec:
        return BlastRadiusSpec(footholds(ctx, f), f.count("max_hosts") or 0)

    def analysis(self) -> Analysis:
        from segverify.analyses.attack_policies import check_blast_radius

        return check_blast_radius

    def outcome(self, attack: Attack, policy: Policy) -> Verdict:
        """Violated when the attacker controls more than `max_hosts` hosts: all of them, shallowest first."""
        from segverify.results import BlastWitness, ControlledHost, Status

        spec = _spec(policy)
        if len(attack.controlled) <= spec.max_hosts:
            return Status.PROVED, None
        order = sorted(attack.controlled, key=lambda h: (attack.depth(h), h))
        hosts = tuple(ControlledHost(h, attack.path_to(h)) for h in order)
        return Status.VIOLATED, BlastWitness(hosts, spec.max_hosts)

    def witness_errors(self, sem: Semantics, policy: Policy, witness: Witness) -> list[str] | None:
        from segverify.results import BlastWitness
        from segverify.semantics.verify import blast_errors

        if not isinstance(witness, BlastWitness):
            return None
        return blast_errors(sem, policy, _spec(policy), witness)


def _spec(policy: Policy) -> BlastRadiusSpec:
    assert isinstance(policy.spec, BlastRadiusSpec)
    return policy.spec
