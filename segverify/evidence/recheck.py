"""Evidence stage: `segverify verify-certificate`: a certificate file re-checked against the model.

Only the plain-Python reference (segverify/semantics/) runs here, never the solver: anyone can
check a proof without trusting the engine that found it. A certificate checks when its SHA-256
is that of its content, its policy is in the model with the same kind, and the reference
confirms it (closed under every move, targets outside, each blocked move's reason true).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from segverify import __version__
from segverify.evidence.binding import input_digests
from segverify.evidence.digest import canonical, headers_sha256, model_sha256
from segverify.evidence.read import CertificateFile, Entry, Rules, Shape, parse_certificate
from segverify.model.controls import Control, controls_of, without
from segverify.model.ir import Model, Policy
from segverify.results import Certificate, Choice, ClosedSetCertificate
from segverify.semantics.context import Semantics
from segverify.semantics.cover import cover_errors
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
    problems += rules.problems + check_certificate(model, policy, cert, sem)
    if policy.resilient is None and not entry.choices:
        return problems
    return problems + choices_problems(model, sem, policy, cert, entry)


def choices_problems(
    model: Model, sem: Semantics, policy: Policy, base: Certificate, entry: Entry
) -> list[str]:
    """A resilient proof's choices: their digests, and that they cover every choice (cover.py)."""
    problems = []
    headers = [{k: v for k, v in c.items() if k != "certificate"} for c in entry.choices]
    recorded = entry.choices_sha256  # none when there is no choice (the base covers them all)
    if (recorded is not None or headers) and recorded != headers_sha256(headers):
        problems.append(
            f"the choices' SHA-256 is {headers_sha256(headers)}, not the recorded {entry.choices_sha256}"
        )
    choices = []
    for item in entry.choices:
        parsed = _choice(model, item)
        if isinstance(parsed, str):
            problems.append(parsed)
            continue
        choice, what, citing = parsed
        content = sha256_text(canonical(item["certificate"]))
        if content != item["sha256"]:
            problems.append(
                f"{what}: its certificate's SHA-256 is {content}, not the recorded {item['sha256']}"
            )
        problems += [f"{what}: {p}" for p in citing]
        choices.append(choice)
    return problems + cover_errors(model, policy, base, choices, sem)


def _choice(model: Model, item: dict[str, Any]) -> tuple[Choice, str, list[str]] | str:
    """The choice an entry of `choices` describes, what it chooses in words, and its rule
    citations' problems; or why it describes none. Its certificate's rules are those of the
    model of the choice (controls failed), cited by name, action and line."""
    by_key = {(c.kind, c.name, c.source, c.destination): c for c in controls_of(model)}
    failed: list[Control] = []
    for c in item.get("failed", []):
        key = (c["kind"], c["name"], c.get("from", ""), c.get("to", ""))
        if key not in by_key:
            return f"failed control {c.get('label', c['name'])} is not a control of the model"
        failed.append(by_key[key])
    every = item.get("every_control_failed") is True
    accounts, places = tuple(item.get("accounts", ())), tuple(item.get("places", ()))
    if every:
        variant, what = without(model, controls_of(model)).model, "every control failed"
    elif accounts:
        variant, what = model, f"accounts {', '.join(accounts)} stolen"
    else:
        variant, what = without(model, failed).model, ", ".join(c.label() for c in failed) + " failed"
    rules = Rules(variant)
    try:
        cert = parse_certificate(item["certificate"], rules)
    except Shape as exc:
        return f"{what}: not a certificate: {exc}"
    if not isinstance(cert, ClosedSetCertificate):
        return f"{what}: its certificate is not a closed set"
    choice = Choice(cert, accounts=accounts, places=places, failed=tuple(failed), every=every)
    return choice, what, rules.problems


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def choices_text(entry: Entry) -> str:
    """What a resilient proof's choices cover, counted: each kind of choice with its certificates."""
    stolen = [c for c in entry.choices if "accounts" in c]
    failed = [c for c in entry.choices if "failed" in c]
    parts = []
    if stolen:
        accounts = sum(len(c["accounts"]) for c in stolen)
        parts.append(f"{accounts} stolen accounts in {len(stolen)} certificates")
    if any("every_control_failed" in c for c in entry.choices):
        parts.append("every control failed in 1 certificate")
    if failed:
        parts.append(f"{len(failed)} certificates with controls failed, the base one for the other choices")
    return ", ".join(parts)


def outcome_lines(outcome: Outcome) -> list[str]:
    lines = []
    for entry, problems in outcome.certificates:
        # A resilient proof: how many choices its certificate is joined by (each one checked).
        what = f"{entry.kind}; resilient: {choices_text(entry)}" if entry.choices else entry.kind
        if not problems:
            lines.append(f"ok      {entry.id} ({what})")
        else:
            lines.append(f"FAILED  {entry.id} ({what})")
            lines += [f"        - {p}" for p in problems]
    lines += [f"inputs: {p}" for p in outcome.inputs]
    good = sum(1 for _, problems in outcome.certificates if not problems)
    total = len(outcome.certificates)
    verdict = "inputs match" if not outcome.inputs else "inputs DIFFER"
    lines.append(f"{good} of {total} certificates check; {verdict}")
    return lines
