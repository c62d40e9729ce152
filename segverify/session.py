"""Orchestration: a session over one model: verdicts, attacker reach and cheap what-if changes.

The commands that ask many questions of one model (diff, fix, explain, lint) keep one
Session: the movement graphs, door openers, Horn clauses and certificate entries it builds
for one question serve the next (engine/memo.py, encode/check.py).

- `verdict(policy)` is decided as `api.check` decides it (Z3 the decider of record, the engine
  building the evidence; analyses/crosscheck.py says which computation does what) and is
  re-checked by the reference semantics before it is returned: a disagreement raises
  InternalError. Waivers are not applied: they belong to a report, not to a question. A
  violating packet is any one Z3 finds, and which depends on the questions asked before in the
  session: it may differ from `api.check`'s, and each is replayed all the same.
- `reach(footholds, profile)` is the plain-Python engine's least fixpoint alone: the hosts and
  credentials an attacker comes to control. No solver, so never unknown; the tests hold it to
  the reference's fixpoint.
- `with_changes(model)` is the session of a changed model. The caches are reused only when the
  change is policy-only: the network (zones, services, hosts, principals, flows, defaults) is
  equal and the policies leave out the same via hosts (the source atoms are cut at their
  addresses). Any other change builds everything again, as a new Session would: a cache kept
  across a network change could prove something of the old network.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from segverify.analyses.crosscheck import self_check
from segverify.analyses.registry import analysis_for
from segverify.api import Budget, new_context, resilient, to_result
from segverify.encode.attack import model_via_hosts
from segverify.encode.check import CheckContext
from segverify.engine.edges import build_graph, shared_graph
from segverify.engine.memo import keep_latest
from segverify.engine.witness import Moves, least_fixpoint
from segverify.model.ir import AttackerProfile, Foothold, Model, Policy
from segverify.results import PolicyResult
from segverify.semantics.context import Semantics


@dataclass(frozen=True, slots=True)
class Reach:
    """What an attacker comes to control from its footholds: the least closed set."""

    hosts: frozenset[str]
    credentials: frozenset[str]


class Session:
    def __init__(self, model: Model, budget: Budget = Budget(), certificates: bool = True) -> None:
        self.model, self.budget, self.certificates = model, budget, certificates
        self.ctx: CheckContext = new_context(model, budget)
        self.sem = Semantics(model)  # the reference's own tables, for its checks only

    def verdict(self, policy: Policy) -> PolicyResult:
        """The policy's verdict on this model, confirmed by the reference (waivers aside)."""
        verdict = analysis_for(policy.kind)(self.ctx, policy)
        if policy.resilient is not None:
            verdict = resilient(self.model, policy, verdict, self.budget, self.sem)
        self_check(self.model, policy, verdict, self.certificates, self.sem)
        return to_result(policy, verdict)

    def reach(self, footholds: tuple[Foothold, ...], profile: AttackerProfile) -> Reach:
        """The hosts and credentials controlled from `footholds` under `profile` (the engine's fixpoint)."""
        ctx = self.ctx
        graph = build_graph(ctx, footholds, profile, frozenset())
        key = (profile, frozenset[str]())
        moves = keep_latest(ctx.memo.moves, key, lambda: Moves(shared_graph(ctx, key)))
        fp = least_fixpoint(graph, moves)
        return Reach(frozenset(fp.hosts), frozenset(fp.credentials))

    def with_changes(self, model: Model) -> Session:
        """The session of `model`, a changed version of this one; caches kept when policy-only."""
        if not policy_only(self.model, model, self.ctx):
            return Session(model, self.budget, self.certificates)
        changed = object.__new__(Session)
        changed.model, changed.budget, changed.certificates = model, self.budget, self.certificates
        changed.ctx = dataclasses.replace(self.ctx, model=model)  # the same caches, shared
        changed.sem = Semantics(model)
        return changed


def policy_only(old: Model, new: Model, ctx: CheckContext) -> bool:
    """Whether `new` differs from `old` in its policies and waivers only, via hosts aside."""
    if network_of(old) != network_of(new):
        return False
    return model_via_hosts(old, ctx.resolver) == model_via_hosts(new, ctx.resolver)


def network_of(model: Model) -> Model:
    return dataclasses.replace(model, policies=(), waivers=(), files=())
