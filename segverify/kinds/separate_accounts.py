"""Kinds stage: `separate_accounts`: no principal logs in, or leaves sessions, in two listed zones."""

from __future__ import annotations

from typing import TYPE_CHECKING

from segverify.kinds.base import PolicyKindRecord
from segverify.kinds.common import ZONES, zone_names
from segverify.model.ir import PolicyKind, PolicySpec, SeparateAccountsSpec
from segverify.model.shapes import Field

if TYPE_CHECKING:
    from segverify.analyses.registry import Analysis
    from segverify.model.ir import Policy
    from segverify.model.names import Context
    from segverify.model.read import Fields
    from segverify.results import Certificate, Witness
    from segverify.semantics.context import Semantics
    from segverify.semantics.policies import Verdict


class SeparateAccounts(PolicyKindRecord):
    name: PolicyKind = "separate_accounts"
    fields: tuple[Field, ...] = (ZONES,)
    meaning = "No principal may log in, or leave sessions, in two of the listed zones."
    fix = "Give each zone its own accounts: remove the principal from one zone's `logins` or `sessions`."

    def build(self, ctx: Context, f: Fields) -> PolicySpec:
        return SeparateAccountsSpec(zone_names(ctx, f))

    def analysis(self) -> Analysis:
        from segverify.analyses.separate_accounts import check_separate_accounts

        return check_separate_accounts

    def reference(self, sem: Semantics, policy: Policy) -> Verdict:
        from segverify.results import Status
        from segverify.semantics import accounts

        found = accounts.violation(sem, _spec(policy))
        return (Status.PROVED, None) if found is None else (Status.VIOLATED, found)

    def certificate(self, sem: Semantics, policy: Policy) -> Certificate:
        from segverify.semantics import accounts
        from segverify.semantics.policies import require_proved

        require_proved(policy, self.reference(sem, policy)[0])
        return accounts.certificate(sem, _spec(policy))

    def witness_errors(self, sem: Semantics, policy: Policy, witness: Witness) -> list[str] | None:
        from segverify.results import AccountsWitness
        from segverify.semantics.verify import accounts_errors

        return accounts_errors(sem, _spec(policy), witness) if isinstance(witness, AccountsWitness) else None

    def certificate_errors(self, sem: Semantics, policy: Policy, cert: Certificate) -> list[str] | None:
        from segverify.results import AccountsCertificate
        from segverify.semantics.verify import accounts_cert_errors

        return (
            accounts_cert_errors(sem, _spec(policy), cert) if isinstance(cert, AccountsCertificate) else None
        )


def _spec(policy: Policy) -> SeparateAccountsSpec:
    assert isinstance(policy.spec, SeparateAccountsSpec)
    return policy.spec
