"""Evidence stage: what a certificate file records about the run that made it.

segverify's version, the date the run was judged on (`--today`), every input file with its
SHA-256, the normalised model's SHA-256, and each certificate's SHA-256 (evidence/digest.py).
`verify-certificate` compares these with the inputs it is given.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from segverify import __version__
from segverify.evidence.digest import file_sha256, model_sha256, report_choice_digests, report_digests
from segverify.model.ir import Model
from segverify.render.plain import ChoiceDigests, Json
from segverify.results import Report


@dataclass(frozen=True, slots=True)
class Binding:
    version: str
    date: date
    inputs: tuple[tuple[str, str], ...]  # (file as given, its SHA-256), in load order
    model_sha256: str
    digests: Mapping[str, str]  # policy id -> its certificate's SHA-256
    # policy id -> a resilient proof's choices: each one's certificate SHA-256, choices_sha256
    choices: Mapping[str, ChoiceDigests] = field(default_factory=dict)


def bind(model: Model, report: Report, today: date) -> Binding:
    return Binding(
        version=__version__,
        date=today,
        inputs=input_digests(model.files),
        model_sha256=model_sha256(model),
        digests=report_digests(report),
        choices=report_choice_digests(report),
    )


def input_digests(files: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    return tuple((f, file_sha256(f)) for f in files)


def inputs_json(inputs: tuple[tuple[str, str], ...]) -> list[Json]:
    return [{"file": f, "sha256": sha} for f, sha in inputs]


def binding_json(b: Binding) -> Json:
    """The certificate file's header, before its certificates."""
    return {
        "version": b.version,
        "date": b.date.isoformat(),
        "inputs": inputs_json(b.inputs),
        "model_sha256": b.model_sha256,
    }
