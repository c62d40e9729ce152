"""Lint stage: what every check of one lint run shares: the model, its compiled rules, the options."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from segverify.lint.space import Spaces
from segverify.model.ir import Model
from segverify.model.refs import Resolver
from segverify.semantics.regions import FlowTable


@dataclass(frozen=True, slots=True)
class LintOptions:
    """`broad_prefix4/6`: a source CIDR (or external zone network) this short or shorter counts as
    "the whole internet" for overly-broad; 0 means only 0.0.0.0/0 and ::/0 (and `any`)."""

    codes: frozenset[str] = frozenset()  # empty: every code
    broad_prefix4: int = 0
    broad_prefix6: int = 0
    today: date = date(1970, 1, 1)


@dataclass(slots=True)
class LintContext:
    model: Model
    options: LintOptions
    resolver: Resolver = field(init=False)
    table: FlowTable = field(init=False)
    spaces: Spaces = field(init=False)

    def __post_init__(self) -> None:
        self.resolver = Resolver(self.model)
        self.table = FlowTable(self.model, self.resolver)
        self.spaces = Spaces(self.table)

    def wants(self, code: str) -> bool:
        return not self.options.codes or code in self.options.codes
