"""Explain stage: the `explain` command's body: pick the policies, explain each, an exit code."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from segverify.encode.solve import Budget
from segverify.errors import EXIT_OK, EXIT_UNKNOWN, EXIT_VIOLATED, UsageError
from segverify.explain.explain import EXPLAINED_KINDS, Explanation, explain
from segverify.model.ir import Model, Policy
from segverify.model.unlayered import require_no_layers
from segverify.results import Report, Status


def select(model: Model, ids: Sequence[str]) -> list[Policy]:
    """The named policies (every attack policy when none is named); a bad name is a usage error."""
    by_id = {p.id: p for p in model.policies}
    if not ids:
        chosen = [p for p in model.policies if p.kind in EXPLAINED_KINDS]
        if not chosen:
            raise UsageError("the model has no isolated, only_via or blast_radius policy to explain")
        return sorted(chosen, key=lambda p: p.id)
    for pid in ids:
        if pid not in by_id:
            raise UsageError(f"--policy-id '{pid}' is not a policy of the model")
        if by_id[pid].kind not in EXPLAINED_KINDS:
            kinds = ", ".join(EXPLAINED_KINDS)
            raise UsageError(f"--policy-id '{pid}' is a {by_id[pid].kind} policy; explain takes {kinds}")
    return [by_id[pid] for pid in sorted(set(ids))]


def explain_all(model: Model, policies: Sequence[Policy], budget: Budget) -> list[Explanation]:
    require_no_layers(model, "`segverify explain`")
    return [explain(model, p, budget) for p in policies]


def exit_code(explanations: Sequence[Explanation]) -> int:
    """1: a policy does not even hold; 3: some answer is unknown; 0: every proof explained."""
    if any(e.result.status == Status.VIOLATED for e in explanations):
        return EXIT_VIOLATED
    if any(not settled(e) for e in explanations):
        return EXIT_UNKNOWN
    return EXIT_OK


def settled(e: Explanation) -> bool:
    if e.result.status != Status.PROVED:
        return e.result.status == Status.VIOLATED
    return e.margin is not None and e.margin.status != "unknown" and not e.unsettled


def explain_report(model: Model, report: Report, budget: Budget) -> Report:
    """`check --explain`: each proved attack policy's result carries its explanation."""
    require_no_layers(model, "`check --explain`")
    by_id = {p.id: p for p in model.policies}
    results = tuple(
        replace(r, explanation=explain(model, by_id[r.id], budget))
        if r.status == Status.PROVED and r.kind in EXPLAINED_KINDS
        else r
        for r in report.results
    )
    return replace(report, results=results)
