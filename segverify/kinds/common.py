"""Kinds stage: the fields and families several kinds share (attack kinds, packet-region kinds)."""

from __future__ import annotations

from abc import abstractmethod
from typing import TYPE_CHECKING

from segverify.kinds.base import PolicyKindRecord
from segverify.model.ir import AccountFoothold, Foothold
from segverify.model.shapes import Field, Shape

if TYPE_CHECKING:
    from segverify.model.ir import Policy
    from segverify.model.names import Context
    from segverify.model.read import Fields
    from segverify.results import Certificate, Witness
    from segverify.semantics.attack import Attack
    from segverify.semantics.context import Semantics
    from segverify.semantics.policies import Query, Verdict

FROM_FOOTHOLDS = Field("from", "footholds", "footholds: references and {account, at}", required=True)
TO = Field("to", "list", "target references", required=True)
FROM_SOURCES = Field("from", "list", "source references", required=True)
ZONES = Field("zones", "list", "zone names", required=True)

RESILIENT = Shape(
    "resilient",
    (
        Field("controls", "count", "the policy holds even if any this many controls fail together"),
        Field("accounts", "count", "1: the policy holds whichever single account is stolen"),
    ),
)
RESILIENT_FIELD = Field(
    "resilient",
    "object",
    "holds under failed controls or a stolen account (docs/policies.md)",
    shape=RESILIENT,
)


def footholds(ctx: Context, f: Fields) -> tuple[Foothold, ...]:
    from segverify.model.read import Item

    out = f.footholds("from")
    for fh in out:
        if isinstance(fh, AccountFoothold):
            ctx.check_principal(Item(fh.account, fh.span))  # a group holds its members' credentials
    return out


def zone_names(ctx: Context, f: Fields) -> tuple[str, ...]:
    return tuple(dict.fromkeys(z.text for z in f.items("zones") if ctx.check_zone(z)))


class AttackKind(PolicyKindRecord):
    """A kind decided by the attacker's movement (fixpoint of the four moves): closed-set proofs."""

    @abstractmethod
    def outcome(self, attack: Attack, policy: Policy) -> Verdict:
        """The verdict read off the reference fixpoint of the policy's attacker."""

    def reference(self, sem: Semantics, policy: Policy) -> Verdict:
        from segverify.semantics.policies import attack_of

        return self.outcome(attack_of(sem, policy), policy)

    def certificate(self, sem: Semantics, policy: Policy) -> Certificate:
        from segverify.semantics.policies import attack_of, closed_set, require_proved

        attack = attack_of(sem, policy)
        require_proved(policy, self.outcome(attack, policy)[0])
        return closed_set(sem, attack)

    def certificate_errors(self, sem: Semantics, policy: Policy, cert: Certificate) -> list[str] | None:
        from segverify.results import ClosedSetCertificate
        from segverify.semantics.certify import check_closed_set

        return check_closed_set(sem, policy, cert) if isinstance(cert, ClosedSetCertificate) else None


class ReachKind(AttackKind):
    """An attack kind violated when the attacker controls a target: a path witnesses it."""

    def outcome(self, attack: Attack, policy: Policy) -> Verdict:
        from segverify.results import PathWitness, Status

        reached = attack.reached_targets()
        if not reached:
            return Status.PROVED, None
        support = tuple(h for t in sorted(reached) for h in attack.path_to(t))
        first = reached[0]
        return Status.VIOLATED, PathWitness(
            first, attack.path_to(first), tuple(sorted(reached)), support=support
        )

    def witness_errors(self, sem: Semantics, policy: Policy, witness: Witness) -> list[str] | None:
        from segverify.results import PathWitness
        from segverify.semantics.verify import path_errors

        return path_errors(sem, policy, witness) if isinstance(witness, PathWitness) else None


class RegionKind(PolicyKindRecord):
    """A kind decided packet by packet over regions (first match): deciding-rule proofs."""

    @abstractmethod
    def queries(self, sem: Semantics, policy: Policy) -> list[Query]:
        """The regions of the policy and the decision that would violate each."""

    def certificate(self, sem: Semantics, policy: Policy) -> Certificate:
        from segverify.semantics.policies import region_certificate, require_proved

        require_proved(policy, self.reference(sem, policy)[0])
        return region_certificate(sem, policy)

    def certificate_errors(self, sem: Semantics, policy: Policy, cert: Certificate) -> list[str] | None:
        from segverify.results import RegionCertificate
        from segverify.semantics.verify import region_errors

        return region_errors(sem, policy, cert) if isinstance(cert, RegionCertificate) else None


class OnePacketKind(RegionKind):
    """A region kind with one region: a single packet witnesses a violation."""

    def reference(self, sem: Semantics, policy: Policy) -> Verdict:
        from segverify.semantics.policies import packet_verdict

        return packet_verdict(sem, policy)

    def witness_errors(self, sem: Semantics, policy: Policy, witness: Witness) -> list[str] | None:
        from segverify.results import PacketWitness
        from segverify.semantics.verify import packet_errors

        if not isinstance(witness, PacketWitness):
            return None
        (q,) = self.queries(sem, policy)
        return packet_errors(sem, q, witness.packet, witness.rule, witness.rules)
