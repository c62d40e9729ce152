"""Semantics stage: one model's resolved references, compiled rules and principals, built once per check."""

from __future__ import annotations

from segverify.model.ir import Model
from segverify.model.principals import Principals
from segverify.model.refs import Resolver
from segverify.results import Blocked
from segverify.semantics.regions import FlowTable


class Semantics:
    """Everything the oracle and the checkers share about one model."""

    def __init__(self, model: Model, resolver: Resolver | None = None) -> None:
        self.model = model
        self.resolver = resolver or Resolver(model)
        self.table = FlowTable(model, self.resolver)
        self.principals = Principals(model)
        self.memo: dict[object, object] = {}  # per-check tables of the checkers (closure.targets_of)
        # Certificates' closure checks by set and attacker, with the boundary each was given
        # and the errors found (certify._closure_errors).
        self.closures: dict[tuple[object, ...], tuple[tuple[Blocked, ...], tuple[str, ...]]] = {}
