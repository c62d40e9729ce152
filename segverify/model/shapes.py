"""Model stage: the primitives of the field table (Field, Shape), apart so that kinds/ can build
its shapes without importing the table that lists the kinds."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Literal

MATRIX_ARROW = "->"  # a matrix `allow` cell: `zone -> zone: [services]`

# text: a string (numbers are taken as text); name: one string; list: a string or a list of strings;
# flag: true/false; count: an integer >= 0; date: YYYY-MM-DD; choice: one of `choices`;
# object: a mapping with `shape`; footholds: a reference, {account, at} or a list of them;
# allow: matrix cells `"a -> b": [services]`; named: a mapping of name to `shape`;
# items: a list of `shape`; version: the format version.
Kind = Literal[
    "text",
    "name",
    "list",
    "flag",
    "count",
    "date",
    "choice",
    "object",
    "footholds",
    "allow",
    "named",
    "items",
    "version",
]


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    kind: Kind
    doc: str
    required: bool = False
    choices: tuple[str, ...] = ()
    shape: Shape | None = None


@dataclass(frozen=True, slots=True)
class Shape:
    """A mapping's fields; unknown keys are errors. `one_of`: exactly one of these keys is present."""

    name: str
    fields: tuple[Field, ...]
    one_of: tuple[str, ...] = ()
    by_name: dict[str, Field] = dataclass_field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_name", {f.name: f for f in self.fields})
        assert set(self.one_of) <= set(self.by_name), self.name  # the reader counts them among the fields

    def field(self, name: str) -> Field | None:
        return self.by_name.get(name)

    def names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)
