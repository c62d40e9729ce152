"""Lint stage: what every check of one lint pass shares: the model, its compiled rules, the options.

A pass lints one enforcement layer (layers.py): `model` is that layer as a model of its own (the
network, the layer's rules and defaults), `whole` the model as written. Without `layers:` there
is one pass and both are the model itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from segverify.lint.layers import LayerScope, LayerTable
from segverify.lint.space import Spaces
from segverify.model.ir import Model
from segverify.model.refs import Resolver


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
    table: LayerTable
    whole: Model = field(init=False)
    resolver: Resolver = field(init=False)
    spaces: Spaces = field(init=False)

    def __post_init__(self) -> None:
        self.whole = self.model
        self.resolver = self.table.resolver
        self.spaces = Spaces(self.table)

    @classmethod
    def of(cls, whole: Model, options: LintOptions, table: LayerTable) -> LintContext:
        ctx = cls(table.model, options, table)
        ctx.whole = whole
        return ctx

    @property
    def scope(self) -> LayerScope:
        return self.table.scope

    def wants(self, code: str) -> bool:
        return not self.options.codes or code in self.options.codes
