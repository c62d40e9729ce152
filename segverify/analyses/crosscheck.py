"""Analyses stage: who decides each verdict, and every cross-check of it, in one place.

Z3 is the decider of record: a verdict is what a Z3 query answers, except separate_accounts,
which is read off the logins and sessions (no packet or movement question is involved).
The plain-Python engine (engine/) builds the evidence: witnesses and closed-set certificates.
The reference semantics (semantics/, no Z3, no engine code) checks that evidence.

- reachable, no_flow, matrix: decided by a Z3 packet query per region (encode/packets); Z3
  also gives the violating packet with its deciding rule, or the deciding rules of a proof.
- isolated, only_via: decided by the Horn clauses with the targets negated
  (encode/attack.avoid_targets): sat proves, unsat violates. The engine builds the evidence:
  the least fixpoint and shortest path (engine/witness, engine/shortest) and the closed-set
  certificate (engine/certificate).
- blast_radius: the engine's least fixpoint, counted against max_hosts; Z3 decides that it is
  closed (encode/attack.closed_within). Evidence by the engine as above.
- separate_accounts: no solver: read off the logins and sessions per zone
  (analyses/separate_accounts).

Cross-checks, each a disagreement that raises InternalError (exit 70, never a verdict):

1. Z3 against the worklist (here, on every attack policy): the least fixpoint lies in every
   closed set, so "some closed set avoids the targets" (sat) holds exactly when the fixpoint
   reaches no target, and the fixpoint is itself closed (`isolation_agrees`, `closure_agrees`).
2. Engine and Z3 against the reference (here, on every verdict before it is reported, inline or
   in a forked child, selfchecks.py): a witness is replayed packet by packet and move by move,
   a certificate is checked for closure and for every boundary entry (semantics/verify.py); a
   `resilient` proof's choices must cover every choice (semantics/cover.py).
3. In the tests only, being too slow for a check: the engine's door openers against Z3 region
   queries (encode/doors.allowed_sources_z3) and every verdict against the reference's own
   fixpoint (tests/test_differential.py).

Unknown is decided in one place too: encode/solve.solve returns it as an Outcome, the analyses
pass it through as the status `unknown`, and results.Report.exit_code maps it to exit 3.
"""

from __future__ import annotations

from collections.abc import Sequence

from segverify.analyses.base import Verdict
from segverify.encode.solve import Outcome
from segverify.errors import InternalError
from segverify.model.ir import Model, Policy
from segverify.results import Status
from segverify.semantics.context import Semantics
from segverify.semantics.cover import cover_errors
from segverify.semantics.verify import check_certificate, check_witness


def isolation_agrees(policy: Policy, answer: Outcome, reached: Sequence[str]) -> None:
    """Z3's sat/unsat for "some closed set avoids the targets" against the targets the fixpoint reaches."""
    if answer.verdict == "sat" and reached:
        raise InternalError(f"{policy.id}: the solver avoids the targets, the fixpoint reaches {reached[0]}")
    if answer.verdict == "unsat" and not reached:
        raise InternalError(f"{policy.id}: solver found a path, the fixpoint reaches no target")


def closure_agrees(policy: Policy, answer: Outcome) -> None:
    """Z3 must find the worklist's least fixpoint closed under every move."""
    if answer.verdict == "unsat":
        raise InternalError(f"{policy.id}: the solver finds the least fixpoint not closed")


def self_check(
    model: Model, policy: Policy, verdict: Verdict, certificates: bool, sem: Semantics | None = None
) -> None:
    """Nothing is printed that the reference semantics (no z3) cannot confirm."""
    problems = self_check_problems(model, policy, verdict, certificates, sem)
    if problems:
        raise InternalError(
            f"self-check failed for {policy.id} ({verdict.status.value}): " + "; ".join(problems)
        )


def self_check_problems(
    model: Model, policy: Policy, verdict: Verdict, certificates: bool, sem: Semantics | None = None
) -> Sequence[str]:
    """Every reason the reference semantics does not confirm the verdict (empty: it does)."""
    problems: Sequence[str] = ()
    if verdict.status == Status.VIOLATED:
        if verdict.witness is None:
            problems = ["a violation without a witness"]
        else:
            problems = check_witness(model, policy, verdict.witness, sem)
    elif verdict.status == Status.PROVED:
        if verdict.certificate is None:
            problems = ["a proof without a certificate"]
        elif certificates:
            problems = check_certificate(model, policy, verdict.certificate, sem)
            if policy.resilient is not None and not problems:  # and every choice is covered
                problems = cover_errors(model, policy, verdict.certificate, verdict.choices, sem)
    return problems
