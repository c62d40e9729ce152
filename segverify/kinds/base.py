"""Kinds stage: what every policy kind must say about itself (one record per kind, kinds/__init__).

A record gathers what used to be spread over the model, the analyses, the reference and the
renderers: its fields and how they are built, the analysis that decides it (Z3, the decider of
record), the reference verdict and the checks of a witness and a certificate (semantics/, no Z3),
and its help text. Every piece is an abstract method, so a record that misses one cannot be
instantiated (mypy reports it, and so does the registry at import time).

Layering: at module level a kind imports only the model's leaf modules (ir, shapes); analyses/,
semantics/ and encode/ are imported inside the methods, because they read the registry too.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING

from segverify.model.ir import PolicyKind, PolicySpec
from segverify.model.shapes import Field, Shape

if TYPE_CHECKING:
    from segverify.analyses.registry import Analysis
    from segverify.model.ir import Policy
    from segverify.model.names import Context
    from segverify.model.read import Fields
    from segverify.results import Certificate, Witness
    from segverify.semantics.context import Semantics
    from segverify.semantics.policies import Verdict


class PolicyKindRecord(ABC):
    """One policy kind: the name users write, its fields, its checks and its wording."""

    @property
    @abstractmethod
    def name(self) -> PolicyKind:
        """The key users write under a policy, e.g. `isolated`."""

    @property
    @abstractmethod
    def fields(self) -> tuple[Field, ...]:
        """The keys of the kind's mapping (the reader checks them, schema.py prints them)."""

    @property
    @abstractmethod
    def meaning(self) -> str:
        """When the policy holds, in one sentence (SARIF rule help, docs)."""

    @property
    @abstractmethod
    def fix(self) -> str:
        """How to fix a violation, in one sentence (SARIF rule help)."""

    @abstractmethod
    def build(self, ctx: Context, f: Fields) -> PolicySpec:
        """The spec from the checked fields; problems go to `ctx` as diagnostics."""

    @abstractmethod
    def analysis(self) -> Analysis:
        """The analysis that decides the kind (Z3 is the decider of record)."""

    @abstractmethod
    def reference(self, sem: Semantics, policy: Policy) -> Verdict:
        """The reference verdict (plain Python, no Z3), with its witness when violated."""

    @abstractmethod
    def certificate(self, sem: Semantics, policy: Policy) -> Certificate:
        """The reference certificate of a proved policy; ValueError when it is violated."""

    @abstractmethod
    def witness_errors(self, sem: Semantics, policy: Policy, witness: Witness) -> list[str] | None:
        """Why `witness` does not show a violation (empty: it does); None: not this kind's witness."""

    @abstractmethod
    def certificate_errors(self, sem: Semantics, policy: Policy, cert: Certificate) -> list[str] | None:
        """Why `cert` does not prove the policy (empty: it does); None: not this kind's certificate."""

    def shape(self) -> Shape:
        return Shape(f"`{self.name}` policy", self.fields)
