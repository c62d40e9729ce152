"""Evidence stage: `segverify verify-certificate`: a certificate file re-checked against the model.

Only the plain-Python reference (segverify/semantics/) runs here, never the solver: anyone can
check a proof without trusting the engine that found it. A certificate checks when its SHA-256
is that of its content, its policy is in the model with the same kind, and the reference
confirms it (closed under every move, targets outside, each blocked move's reason true).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from segverify import __version__
from segverify.evidence.binding import input_digests
from segverify.evidence.digest import canonical, model_sha256
from segverify.evidence.read import CertificateFile, Entry, Rules, Shape, parse_certificate
from segverify.model.ir import Model
from segverify.semantics.context import Semantics
from segverify.semantics.verify import check_certificate


@dataclass(frozen=True, slots=True)
class Outcome:
    """Each certificate's problems (empty: it checks) and the inputs' differences, in file order."""

    certificates: tuple[tuple[Entry, tuple[str, ...]], ...]
    inputs: tuple[str, ...]
    notes: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.inputs and all(not problems for _, problems in self.certificates)


def recheck(model: Model, cert_file: CertificateFile) -> Outcome:
    sem = Semantics(model)
    checked = tuple((e, tuple(entry_problems(model, sem, e))) for e in cert_file.entries)
    notes: tuple[str, ...] = ()
    if cert_file.version != __version__:
        notes = (f"the certificates were made by segverify {cert_file.version}, re-checked by {__version__}",)
    return Outcome(checked, tuple(input_problems(model, cert_file)), notes)


def input_problems(model: Model, cert_file: CertificateFile) -> list[str]:
    """The given inputs must be the recorded ones: the same contents (paths may differ)."""
    given = input_digests(model.files)
    given_shas, recorded_shas = {sha for _, sha in given}, {sha for _, sha in cert_file.inputs}
    problems = [
        f"{f}: not among the certificate's inputs (SHA-256 {sha})"
        for f, sha in given
        if sha not in recorded_shas
    ]
    problems += [
        f"{f}: recorded input (SHA-256 {sha}) is not among the given files"
        for f, sha in cert_file.inputs
        if sha not in given_shas
    ]
    found = model_sha256(model)
    if found != cert_file.model_sha256:
        problems.append(
            f"the normalised model's SHA-256 is {found}, the certificate records {cert_file.model_sha256}"
        )
    return problems


def entry_problems(model: Model, sem: Semantics, entry: Entry) -> list[str]:
    problems = []
    content = sha256_text(canonical(entry.value))
    if content != entry.sha256:
        problems.append(f"its content's SHA-256 is {content}, not the recorded {entry.sha256}")
    policy = next((p for p in model.policies if p.id == entry.id), None)
    if policy is None:
        return [*problems, "no policy of the model has this id"]
    if policy.kind != entry.kind:
        return [*problems, f"the policy is a {policy.kind} policy, not {entry.kind}"]
    rules = Rules(model)
    try:
        cert = parse_certificate(entry.value, rules)
    except Shape as exc:
        return [*problems, f"not a certificate: {exc}"]
    return problems + rules.problems + check_certificate(model, policy, cert, sem)


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def outcome_lines(outcome: Outcome) -> list[str]:
    lines = []
    for entry, problems in outcome.certificates:
        if not problems:
            lines.append(f"ok      {entry.id} ({entry.kind})")
        else:
            lines.append(f"FAILED  {entry.id} ({entry.kind})")
            lines += [f"        - {p}" for p in problems]
    lines += [f"inputs: {p}" for p in outcome.inputs]
    good = sum(1 for _, problems in outcome.certificates if not problems)
    total = len(outcome.certificates)
    verdict = "inputs match" if not outcome.inputs else "inputs DIFFER"
    lines.append(f"{good} of {total} certificates check; {verdict}")
    return lines
