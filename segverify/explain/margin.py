"""Explain stage: the margin, the fewest controls that must fail together to break a proof.

Implicit hitting sets. Every failure set F checked and proved gives a core: the controls its
certificate cites (cited.py), minus F. Failures only widen the model (controls.py), so a set
that breaks the policy, joined with F, still breaks it, and then it must fail a control of the
core (cited.py's argument). So every breaking set hits every core: a minimum hitting set of
the cores (Z3, encode/hitting.py) is a lower bound. When that set itself breaks the policy it
is a minimum; otherwise its check adds a core it does not hit, so the loop ends. Every core
rests on a certificate and every breaking set on a witness, both checked by the reference.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

from segverify.encode.hitting import minimum_hitting_set
from segverify.encode.solve import Budget
from segverify.errors import InternalError
from segverify.explain.recheck import Recheck, recheck
from segverify.model.controls import Control, controls_of, sort_controls
from segverify.model.ir import Model, Policy
from segverify.results import ClosedSetCertificate, Status, Witness
from segverify.semantics.cited import cited

MarginStatus = Literal["exact", "unbreakable", "above", "unknown"]


@dataclass(frozen=True, slots=True)
class Core:
    """With `failed` failed the policy is proved; its certificate rests on `controls`."""

    failed: tuple[Control, ...]
    controls: tuple[Control, ...]


@dataclass(frozen=True, slots=True)
class Margin:
    """exact: `size` controls (`controls`, breaking it as `witness` shows) and no fewer;
    unbreakable: no set of controls breaks it; above: no set of at most `size` controls breaks it;
    unknown: a solver gave up (`reason`)."""

    status: MarginStatus
    size: int = 0
    controls: tuple[Control, ...] = ()
    witness: Witness | None = None
    cores: tuple[Core, ...] = ()
    checks: int = 0
    reason: str = ""


@dataclass
class Search:
    """The checks made so far and the cores they gave, shared by single failures and the margin."""

    model: Model
    policy: Policy
    budget: Budget
    cores: list[Core] = field(default_factory=list)
    checks: int = 0
    everything: Status | None = None  # the verdict with every control failed, once known
    # Each proved failure set's certificate (by the sorted failed controls): resilient's evidence.
    proofs: dict[tuple[Control, ...], ClosedSetCertificate] = field(default_factory=dict)

    def check(self, failed: Iterable[Control]) -> Recheck:
        done = recheck(self.model, self.policy, sort_controls(failed), self.budget)
        self.checks += 1
        cert = done.result.certificate
        if done.result.status == Status.PROVED and isinstance(cert, ClosedSetCertificate):
            gone = set(done.variant.failed)
            rests = sort_controls(c for c in cited(done.variant, cert) if c not in gone)
            self.cores.append(Core(done.variant.failed, rests))
            self.proofs[done.variant.failed] = cert
        return done

    def margin(self, at_most: int | None = None) -> Margin:
        """The exact margin; with `at_most`, stop once no set of that many controls can break it."""
        if self.fail_everything() == Status.UNKNOWN:
            return self._done("unknown", reason="the check with every control failed gave no verdict")
        while True:
            universe = sort_controls(c for core in self.cores for c in core.controls)
            number = {c: i for i, c in enumerate(universe)}
            sets = [frozenset(number[c] for c in core.controls) for core in self.cores]
            hit = minimum_hitting_set(sets, self.budget, at_most)
            if hit.verdict == "unknown":
                return self._done("unknown", reason=hit.reason)
            if hit.verdict == "unsat":
                empty = any(not core.controls for core in self.cores)
                return self._done("unbreakable" if empty or at_most is None else "above", size=at_most or 0)
            failed = tuple(universe[i] for i in hit.chosen)
            done = self.check(failed)
            if done.result.status == Status.VIOLATED:
                return self._confirmed(self._done("exact", len(failed), failed, done.result.witness))
            if done.result.status != Status.PROVED:
                return self._done("unknown", reason=done.result.reason or "a re-check gave no verdict")
            if set(self.cores[-1].controls) & set(failed):
                raise InternalError(f"{self.policy.id}: a core meets the failures that gave it")

    def fail_everything(self) -> Status:
        """Every control failed: proved means no set of them breaks the policy (its core is empty)."""
        if self.everything is None:
            self.everything = self.check(controls_of(self.model)).result.status
        return self.everything

    def _confirmed(self, margin: Margin) -> Margin:
        """Z3's lower bound re-derived without Z3: no smaller set meets every core."""
        below = no_hitting_set(margin.cores, margin.size - 1)
        if below is None:
            return replace(margin, status="unknown", reason="the lower bound was too large to confirm")
        if not below:
            raise InternalError(f"{self.policy.id}: a set of {margin.size - 1} controls meets every core")
        return margin

    def _done(
        self,
        status: MarginStatus,
        size: int = 0,
        controls: tuple[Control, ...] = (),
        witness: Witness | None = None,
        reason: str = "",
    ) -> Margin:
        return Margin(status, size, controls, witness, tuple(self.cores), self.checks, reason)


BRANCHES = 200_000  # nodes of the confirming search; past it the margin is unknown, never claimed


def no_hitting_set(cores: Sequence[Core], k: int) -> bool | None:
    """Whether no set of at most k controls meets every core (None: too many branches to say).

    Plain Python: take a core the chosen controls miss and try each of its controls in turn.
    """
    sets = [frozenset(c.controls) for c in cores]
    nodes = [0]

    def hits(chosen: frozenset[Control], left: int) -> bool:
        nodes[0] += 1
        if nodes[0] > BRANCHES:
            raise _TooMany
        missed = next((s for s in sets if not s & chosen), None)
        if missed is None:
            return True
        return left > 0 and any(hits(chosen | {c}, left - 1) for c in sorted(missed, key=Control.sort_key))

    try:
        return k < 0 or not hits(frozenset(), k)
    except _TooMany:
        return None


class _TooMany(Exception):
    """The confirming search ran past its budget."""
