"""Explain stage: for one proved attack policy, its load-bearing controls, single points of
failure and margin, each answer decided by a re-check on the model with those controls failed."""

from __future__ import annotations

from dataclasses import dataclass

from segverify.encode.solve import Budget
from segverify.explain.margin import Margin, Search
from segverify.model.controls import Control, controls_of
from segverify.model.ir import Model, Policy
from segverify.results import Blocked, ClosedSetCertificate, PolicyResult, Status, Witness
from segverify.semantics.cited import cited
from segverify.semantics.resilience import bare

EXPLAINED_KINDS = ("isolated", "only_via", "blast_radius")


@dataclass(frozen=True, slots=True)
class SinglePoint:
    """Failing `control` alone breaks the policy, as `witness` shows (replayed by the reference)."""

    control: Control
    witness: Witness


@dataclass(frozen=True, slots=True)
class Explanation:
    result: PolicyResult  # the policy's own verdict; the rest is empty unless it is proved
    controls: int = 0  # how many controls the model has
    load_bearing: tuple[tuple[Control, tuple[Blocked, ...]], ...] = ()
    single_points: tuple[SinglePoint, ...] = ()
    unsettled: tuple[Control, ...] = ()  # single failures whose re-check gave no verdict
    margin: Margin | None = None


def explain(model: Model, policy: Policy, budget: Budget = Budget()) -> Explanation:
    """What the proof of `policy` rests on (an attack policy: isolated, only_via, blast_radius).

    A `resilient` policy is explained as written, without its choices: its certificate covers
    the model as it is, and only such a certificate may stand for a core (margin.py).
    """
    search = Search(model, bare(policy), budget)
    base = search.check(())
    cert = base.result.certificate
    if base.result.status != Status.PROVED or not isinstance(cert, ClosedSetCertificate):
        return Explanation(base.result)
    uses = cited(base.variant, cert)
    points, unsettled = [], []
    # Failures only widen the model: when failing every control keeps the proof, failing one
    # does too, so there is no single point of failure to look for.
    for control in uses if search.fail_everything() != Status.PROVED else ():
        alone = search.check((control,))
        if alone.result.status == Status.VIOLATED and alone.result.witness is not None:
            points.append(SinglePoint(control, alone.result.witness))
        elif alone.result.status != Status.PROVED:
            unsettled.append(control)
    if points:  # the policy is proved, so no fewer than one control breaks it
        first = points[0]
        margin = Margin("exact", 1, (first.control,), first.witness, tuple(search.cores), search.checks)
    else:
        margin = search.margin()
    return Explanation(
        base.result,
        len(controls_of(model)),
        tuple(uses.items()),
        tuple(points),
        tuple(unsettled),
        margin,
    )
