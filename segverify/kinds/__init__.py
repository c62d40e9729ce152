"""Kinds stage: the registry of policy kinds, one record per kind (kinds/base.py says what a record holds).

Adding a kind: its spec in model/ir.py (the `PolicyKind` literal and the `PolicySpec` union), one
module here with its record, and one line below. tests/test_kinds.py fails when the three disagree.
"""

from __future__ import annotations

from segverify.kinds.base import PolicyKindRecord
from segverify.kinds.blast_radius import BlastRadius
from segverify.kinds.isolated import Isolated
from segverify.kinds.matrix import Matrix
from segverify.kinds.no_flow import NoFlow
from segverify.kinds.only_via import OnlyVia
from segverify.kinds.reachable import Reachable
from segverify.kinds.separate_accounts import SeparateAccounts
from segverify.model.ir import PolicyKind

# The order is the order of the schema's `oneOf` and of the reader's "one kind per policy" search.
KINDS: dict[PolicyKind, PolicyKindRecord] = {
    k.name: k
    for k in (
        Isolated(),
        OnlyVia(),
        Reachable(),
        NoFlow(),
        Matrix(),
        SeparateAccounts(),
        BlastRadius(),
    )
}


def policy_kinds() -> tuple[PolicyKind, ...]:
    return tuple(KINDS)


__all__ = ["KINDS", "PolicyKindRecord", "policy_kinds"]
