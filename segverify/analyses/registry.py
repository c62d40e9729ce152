"""Analyses stage: the analysis of a policy kind, as its record in kinds/ names it."""

from __future__ import annotations

from collections.abc import Callable

from segverify.analyses.base import Verdict
from segverify.encode.check import CheckContext
from segverify.kinds import KINDS
from segverify.model.ir import Policy, PolicyKind

Analysis = Callable[[CheckContext, Policy], Verdict]


def analysis_for(kind: PolicyKind) -> Analysis:
    return KINDS[kind].analysis()
