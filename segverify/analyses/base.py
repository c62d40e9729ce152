"""Analyses stage: what every policy analysis returns, before self-checks and waivers."""

from __future__ import annotations

from dataclasses import dataclass

from segverify.encode.solve import Outcome
from segverify.results import Certificate, Choice, Status, Witness


@dataclass(frozen=True, slots=True)
class Verdict:
    status: Status
    witness: Witness | None = None
    certificate: Certificate | None = None
    reason: str = ""
    choices: tuple[Choice, ...] = ()  # a proved `resilient` policy: every choice's evidence


def unknown(outcome: Outcome) -> Verdict:
    return Verdict(Status.UNKNOWN, reason=outcome.reason or "solver gave up")


def proved(certificate: Certificate) -> Verdict:
    return Verdict(Status.PROVED, certificate=certificate)


def violated(witness: Witness) -> Verdict:
    return Verdict(Status.VIOLATED, witness=witness)
