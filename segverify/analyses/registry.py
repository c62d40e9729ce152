"""Analyses stage: the policy kind -> analysis table (a new kind fails type checking until added)."""

from __future__ import annotations

from collections.abc import Callable
from typing import assert_never

from segverify.analyses.attack_policies import check_blast_radius, check_isolated, check_only_via
from segverify.analyses.base import Verdict
from segverify.analyses.packet_policies import check_matrix, check_no_flow, check_reachable
from segverify.analyses.separate_accounts import check_separate_accounts
from segverify.encode.check import CheckContext
from segverify.model.ir import Policy, PolicyKind

Analysis = Callable[[CheckContext, Policy], Verdict]


def analysis_for(kind: PolicyKind) -> Analysis:
    if kind == "isolated":
        return check_isolated
    if kind == "only_via":
        return check_only_via
    if kind == "blast_radius":
        return check_blast_radius
    if kind == "reachable":
        return check_reachable
    if kind == "no_flow":
        return check_no_flow
    if kind == "matrix":
        return check_matrix
    if kind == "separate_accounts":
        return check_separate_accounts
    assert_never(kind)
