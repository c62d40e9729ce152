"""Fix stage: a found fix, checked by the normal check path before anything is printed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from segverify import api
from segverify.errors import InternalError
from segverify.fix.apply import apply_changes
from segverify.fix.changes import Change
from segverify.fix.flows import Keeper
from segverify.model.ir import Model
from segverify.results import Report, Status

if TYPE_CHECKING:
    from segverify.fix.search import FixOptions


def recheck(model: Model, chosen: frozenset[Change], keeper: Keeper, options: FixOptions) -> Report:
    """Every policy of the changed model, certificates verified by the reference.

    Every policy in scope must hold (or stay waived under --keep-waived) and every business
    flow must pass. Anything else is a bug in the search: an internal error, never a printed fix.
    """
    changed = apply_changes(model, chosen)
    report = api.check(changed, api.CheckOptions(budget=options.budget, today=options.today))
    for r in report.results:
        if r.id in options.out_of_scope:
            continue
        if not (r.status == Status.PROVED or (r.status == Status.WAIVED and options.keep_waived)):
            raise InternalError(f"the fix's re-check: {r.id} is {r.status.value} on the changed model")
    denied = keeper.first_denied(frozenset(chosen))
    if denied is not None:
        raise InternalError(f"the fix's re-check: it denies a flow that {denied[0].label} keeps")
    return report
