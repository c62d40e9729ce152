"""Render stage (diagrams): DOT text for the four views, and which result a view shows.

Pure functions: a model (and a result) in, DOT text out, byte-stable. The views live in
dot_architecture, dot_paths, dot_matrix and dot_blast; this module is what the CLI calls.
"""

from __future__ import annotations

from typing import Literal

from segverify.errors import SegverifyError
from segverify.model.ir import Model, PolicyKind
from segverify.render.dot_architecture import render_architecture
from segverify.render.dot_blast import render_blast
from segverify.render.dot_matrix import render_matrix, render_matrix_html, render_matrix_table
from segverify.render.dot_paths import find_policy, render_paths
from segverify.results import PolicyResult, Report, Status

__all__ = [
    "VIEWS",
    "View",
    "ViewError",
    "pick_result",
    "render_architecture",
    "render_blast",
    "render_matrix",
    "render_matrix_html",
    "render_matrix_table",
    "render_paths",
    "render_view",
]

View = Literal["architecture", "paths", "matrix", "blast"]
VIEWS: tuple[View, ...] = ("architecture", "paths", "matrix", "blast")

VIEW_KINDS: dict[str, tuple[PolicyKind, ...]] = {
    "paths": ("isolated", "only_via", "no_flow", "reachable"),
    "blast": ("blast_radius", "isolated", "only_via"),
    "matrix": ("matrix",),
}
PREFERENCE = (Status.VIOLATED, Status.WAIVED, Status.PROVED, Status.UNKNOWN)


class ViewError(SegverifyError):
    """A view cannot be drawn from what it was given. The message names views and policies, never
    command-line flags: the caller (the CLI) says which of its options were at fault."""


def pick_result(view: str, report: Report, policy_id: str | None = None) -> PolicyResult:
    """The result a view draws: the named policy, else the first violated one it can show."""
    kinds = VIEW_KINDS[view]
    if policy_id is not None:
        found = next((r for r in report.results if r.id == policy_id), None)
        if found is None:
            raise ViewError(f"no policy '{policy_id}' in the results")
        if found.kind not in kinds:
            raise ViewError(
                f"the {view} view draws {', '.join(kinds)} policies; '{policy_id}' is {found.kind}"
            )
        return found
    fitting = [r for r in report.results if r.kind in kinds]
    if not fitting:
        raise ViewError(f"the {view} view needs a policy of kind {' or '.join(kinds)}; there is none")
    return min(fitting, key=lambda r: (kinds.index(r.kind), PREFERENCE.index(r.status)))


def render_view(model: Model, view: str, report: Report | None = None, policy_id: str | None = None) -> str:
    """DOT text of one view. `architecture` needs no report; a matrix without one is drawn from rules."""
    if view not in VIEWS:
        raise ViewError(f"unknown view '{view}': use one of {', '.join(VIEWS)}")
    if view == "architecture":
        return render_architecture(model)
    if view == "matrix" and report is None:
        policy = next((p for p in model.policies if p.kind == "matrix" and policy_id in (None, p.id)), None)
        if policy is None:
            raise ViewError("the matrix view needs a matrix policy; there is none")
        return render_matrix(model, policy, None)
    if report is None:
        raise ViewError(f"the {view} view draws a checked policy: it needs the results of a check")
    result = pick_result(view, report, policy_id)
    if view == "paths":
        return render_paths(model, result)
    if view == "blast":
        return render_blast(model, result)
    policy = find_policy(model, result.id)
    if policy is None:
        raise ViewError(f"policy '{result.id}' is not in the loaded model and policy files")
    return render_matrix(model, policy, result)
