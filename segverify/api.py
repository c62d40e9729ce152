"""Orchestration: load, check and paths as values. Never prints; the CLI renders and exits."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from segverify import collector
from segverify.analyses.attack_policies import evaluation_group
from segverify.analyses.base import Verdict
from segverify.analyses.crosscheck import self_check as self_check  # api.self_check: tests, diff
from segverify.analyses.crosscheck import self_check_problems as self_check_problems
from segverify.analyses.paths import distinct_paths
from segverify.analyses.registry import analysis_for
from segverify.analyses.waivers import apply_waivers
from segverify.encode.attack import model_via_hosts
from segverify.encode.check import CheckContext
from segverify.encode.context import new_packet_vars
from segverify.encode.flows import FlowSets
from segverify.encode.solve import Budget as Budget  # re-exported: callers never import encode/
from segverify.engine.atoms import EdgeIndex
from segverify.engine.edges import build_graph
from segverify.errors import InternalError
from segverify.model.ir import Foothold, IsolatedSpec, Model, Policy, Ref
from segverify.model.principals import Principals
from segverify.model.refs import Resolver
from segverify.results import PathWitness, PolicyResult, Report
from segverify.results import Status as Status  # api.Status: callers of check() read statuses
from segverify.selfchecks import SelfChecks, should_fork
from segverify.semantics.context import Semantics
from segverify.semantics.verify import check_witness

Progress = Callable[[int, int, Policy], None]
Reuse = Callable[[Policy], Verdict | None]  # a verdict kept from elsewhere (diff/reuse.py), or None


@dataclass(frozen=True, slots=True)
class CheckOptions:
    budget: Budget = Budget()
    today: date = date(1970, 1, 1)  # the CLI passes the real date; waivers compare against it
    use_waivers: bool = True
    verify_certificates: bool = True  # re-derive proofs; witness replay is never switched off
    fork_self_checks: bool | None = None  # None: in a forked child on large models (selfchecks.py)
    progress: Progress | None = None
    all_paths: bool = False  # a violated isolated/only_via shows the path to every target reached


def new_context(model: Model, budget: Budget, all_paths: bool = False) -> CheckContext:
    resolver = Resolver(model)
    sets = FlowSets(model, resolver)
    # Source atoms are cut at every via host's addresses too: an atom then lies inside a via
    # host or outside it, and the clauses can say exactly who sends from it (horn.py).
    via = [model.hosts[h].addresses for h in sorted(model_via_hosts(model, resolver))]
    index = EdgeIndex(model, resolver, sets.src, sets.dst, via)
    return CheckContext(
        model,
        resolver,
        Principals(model),
        index,
        all_paths=all_paths,
        sets=sets,
        budget=budget,
        pv=new_packet_vars(),
    )


def check(model: Model, options: CheckOptions = CheckOptions(), reuse: Reuse | None = None) -> Report:
    """Every policy decided and self-checked; `reuse` may answer a policy instead (its verdict is
    then the caller's responsibility: diff/reuse.py re-checks or argues each one it keeps)."""
    results = []
    sem = Semantics(model)  # the reference's own resolver and tables, shared by its checks only
    fork = should_fork(model) if options.fork_self_checks is None else options.fork_self_checks
    checks = SelfChecks(model, sem, options.verify_certificates, self_check_problems, fork)
    with collector.paused(), checks:  # collector.py: a large heap, no cycles worth collecting
        # Built after a self-check child is forked (selfchecks.py): it never holds these pages.
        ctx = new_context(model, options.budget, options.all_paths)
        # Policies sharing a movement graph run together (the check keeps one graph's clauses
        # at a time); results are reported by id whatever the order of evaluation.
        policies = sorted(model.policies, key=lambda p: (evaluation_group(ctx, p), p.id))
        for i, policy in enumerate(policies):
            if options.progress is not None:
                options.progress(i, len(policies), policy)
            kept = None if reuse is None else reuse(policy)
            if kept is not None:
                results.append(to_result(policy, kept))
                continue
            verdict = analysis_for(policy.kind)(ctx, policy)
            if policy.resilient is not None:
                verdict = resilient(model, policy, verdict, options.budget, sem)
            checks.submit(policy, verdict)
            results.append(to_result(policy, verdict))
    final = tuple(sorted(results, key=lambda r: r.id))
    if options.use_waivers:
        final = apply_waivers(final, model.waivers, options.today)
    return Report(results=final, files=model.files)


def resilient(
    model: Model, policy: Policy, verdict: Verdict, budget: Budget, sem: Semantics | None = None
) -> Verdict:
    """A proved policy with `resilient` is decided again for every choice (explain/resilient.py)."""
    from segverify.explain.resilient import resilience  # it checks each choice through check()

    return resilience(model, policy, verdict, budget, sem)


def to_result(policy: Policy, verdict: Verdict) -> PolicyResult:
    return PolicyResult(
        id=policy.id,
        kind=policy.kind,
        status=verdict.status,
        title=policy.title,
        severity=policy.severity,
        source=policy.span,
        witness=verdict.witness,
        certificate=verdict.certificate,
        reason=verdict.reason,
        choices=verdict.choices,
    )


def paths(
    model: Model, footholds: tuple[Foothold, ...], to: tuple[Ref, ...], limit: int, budget: Budget = Budget()
) -> tuple[PathWitness, ...]:
    """Up to `limit` distinct attack paths from the footholds to any host of `to`, each replayed.

    Decided by the plain-Python engine alone (no solver query, so never unknown): each path is
    a shortest path over the movement graph, replayed by the reference before it is returned.
    """
    ctx = new_context(model, budget)
    probe = Policy(id="paths", kind="isolated", spec=IsolatedSpec(footholds, to))
    graph = build_graph(ctx, footholds, model.attacker_for(probe), frozenset())
    found = distinct_paths(ctx, graph, footholds, ctx.resolver.hosts_of(to), limit)
    for witness in found:
        problems = check_witness(model, probe, witness)
        if problems:
            raise InternalError(f"self-check failed for a path to {witness.target}: " + "; ".join(problems))
    return tuple(found)
