"""Model stage: check located YAML against the field table and hand typed, located values to the builder.

Every problem becomes a diagnostic and the offending field is dropped, so one pass reports every
unknown key, wrong type, bad choice and missing field of a file at once.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TypeVar, cast

from segverify.diagnostics import Diagnostic, Span
from segverify.model.fields import FOOTHOLD, VERSION
from segverify.model.ir import AccountFoothold, Foothold, Ref, RefFoothold
from segverify.model.shapes import Field, Kind, Shape
from segverify.model.yamlio import YMap, YNode, YScalar, YSeq

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Item:
    """One string as written, with where it was written."""

    text: str
    span: Span


Cell = tuple[Item, tuple[Item, ...]]


_EMPTY_HINT = "a required list needs at least one entry (write `any` for every service or address)"
_BOOLEAN_HINT = (
    "YAML reads yes, no, on, off, true and false unquoted as booleans: quote such a word meant as text ('no')"
)
_NUMBER_ADDRESS_HINT = "YAML read this as a number: write the whole address, such as 10.20.0.5"
# Fields whose strings are addresses, not names: said so in their messages.
_ADDRESS_FIELDS = frozenset({"address", "networks"})


def _found_hint(node: YNode, f: Field) -> str:
    """Why YAML gave a value of the wrong type, when it is a habit: a bare `no`, an address as a number."""
    value = node.value if isinstance(node, YScalar) else None
    if isinstance(value, bool):
        return _BOOLEAN_HINT
    if isinstance(value, (int, float)) and f.name in _ADDRESS_FIELDS:
        return _NUMBER_ADDRESS_HINT
    return ""


def _one(f: Field) -> str:
    """What one entry of field `f` is, for messages."""
    return (
        "an address (text, such as 10.20.0.5 or 10.20.0.0/16)"
        if f.name in _ADDRESS_FIELDS
        else "a name (a string)"
    )


class _Invalid:
    """Marks a value already reported; the field is then treated as absent."""


INVALID = _Invalid()


def article(noun: str) -> str:
    """`a zone`, `an account foothold`, `an `isolated` policy`."""
    first = noun.lstrip("`")[:1]
    return ("an " if first in "aeiou" else "a ") + noun


def _describe(node: YNode) -> str:
    if isinstance(node, YMap):
        return "a mapping"
    if isinstance(node, YSeq):
        return "a list"
    value = node.value
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, (date, datetime)):
        return f"the date {value}"
    return f"the {type(value).__name__} {value!r}" if not isinstance(value, str) else f"the text {value!r}"


class Fields:
    """The checked fields of one mapping, each with the span of its key."""

    def __init__(self, shape: Shape, span: Span) -> None:
        self.shape = shape
        self.span = span
        self.values: dict[str, object] = {}
        self.key_spans: dict[str, Span] = {}

    def has(self, name: str) -> bool:
        return name in self.values

    def key_span(self, name: str) -> Span:
        return self.key_spans.get(name, self.span)

    def _get(self, name: str, default: T) -> T:
        return cast(T, self.values.get(name, default))

    def text(self, name: str, default: str = "") -> str:
        return self._get(name, default)

    def item(self, name: str) -> Item | None:
        return self._get(name, None)

    def items(self, name: str) -> tuple[Item, ...]:
        return self._get(name, ())

    def refs(self, name: str) -> tuple[Ref, ...]:
        return tuple(Ref(i.text, i.span) for i in self.items(name))

    def flag(self, name: str, default: bool = False) -> bool:
        return self._get(name, default)

    def count(self, name: str) -> int | None:
        return self._get(name, None)

    def date(self, name: str) -> date | None:
        return self._get(name, None)

    def object(self, name: str) -> Fields | None:
        return self._get(name, None)

    def footholds(self, name: str) -> tuple[Foothold, ...]:
        return self._get(name, ())

    def cells(self, name: str) -> tuple[Cell, ...]:
        return self._get(name, ())

    def named(self, name: str) -> tuple[tuple[Item, Fields], ...]:
        return self._get(name, ())

    def entries(self, name: str) -> tuple[Fields, ...]:
        return self._get(name, ())


class Reader:
    """Reads mappings against shapes, appending a diagnostic for every problem."""

    def __init__(self, diags: list[Diagnostic]) -> None:
        self.diags = diags
        self.kinds: dict[Kind, Callable[[YNode, Field], object]] = {
            "text": self._text,
            "name": self._name,
            "list": self._list,
            "flag": self._flag,
            "count": self._count,
            "date": self._date,
            "choice": self._choice,
            "object": self._object,
            "footholds": self._footholds,
            "allow": self._allow,
            "named": self._named,
            "items": self._items,
            "version": self._version,
        }

    def error(self, code: str, message: str, span: Span, hint: str = "") -> _Invalid:
        self.diags.append(Diagnostic(code, message, span, hint))
        return INVALID

    def version_ok(self, node: YNode) -> bool:
        return self._version(node, Field(VERSION, "version", "")) is not INVALID

    def wrong(self, node: YNode, f: Field, expected: str) -> _Invalid:
        message = f"`{f.name}` must be {expected}, found {_describe(node)}"
        return self.error("wrong-type", message, node.span, _found_hint(node, f))

    def mapping(self, node: YNode, shape: Shape, owner: Span) -> Fields | None:
        """Read a mapping; `owner` is where a missing field is reported (the entity's key)."""
        if not isinstance(node, YMap):
            self.error(
                "wrong-type", f"{article(shape.name)} must be a mapping, found {_describe(node)}", node.span
            )
            return None
        out = Fields(shape, owner)
        fields, kinds, values, key_spans = shape.by_name, self.kinds, out.values, out.key_spans
        for key, value in node.entries:
            f = fields.get(str(key.value))
            if f is None:
                self._unknown(key, shape)
                continue
            key_spans[f.name] = key.span
            read = kinds[f.kind](value, f)
            if f.required and isinstance(value, YSeq) and not value.items and read == ():
                read = self.error("bad-value", f"`{f.name}` is empty: {f.doc}", value.span, _EMPTY_HINT)
            if read is not INVALID:
                values[f.name] = read
        self._required(node, shape, out)
        return out

    def _unknown(self, key: YScalar, shape: Shape) -> None:
        close = difflib.get_close_matches(str(key.value), shape.names(), n=1)
        hint = f"did you mean `{close[0]}`? " if close else ""
        if " " in str(key.value):  # `{description: a, b}` makes `b` a key: the usual cause
            hint = "a comma inside `{...}` ends the value before it: quote text that holds a comma; " + hint
        self.error(
            "unknown-key",
            f"{article(shape.name)} has no key `{key.value}`",
            key.span,
            hint + "allowed keys: " + ", ".join(shape.names()),
        )

    def _required(self, node: YMap, shape: Shape, out: Fields) -> None:
        written = out.key_spans  # every key of the shape written, read or not
        for f in shape.fields:
            if f.required and f.name not in written:
                self.error("missing-field", f"{article(shape.name)} needs `{f.name}`: {f.doc}", out.span)
        present = [name for name in shape.one_of if name in written]
        if shape.one_of and not present:
            self.error(
                "missing-field",
                f"{article(shape.name)} needs exactly one of: " + ", ".join(shape.one_of),
                out.span,
            )
        for extra in present[1:]:
            self.error(
                "bad-value",
                f"{article(shape.name)} takes exactly one of {', '.join(shape.one_of)}; "
                f"`{present[0]}` is already given",
                node.key_span(extra),
                "write a separate policy",
            )

    # ---- one reader per kind ---------------------------------------------------------------------

    def _text(self, node: YNode, f: Field) -> object:
        if (
            isinstance(node, YScalar)
            and isinstance(node.value, (str, int, float))
            and not isinstance(node.value, bool)
        ):
            return str(node.value)
        return self.wrong(node, f, "text")

    def _name(self, node: YNode, f: Field) -> object:
        if isinstance(node, YScalar) and isinstance(node.value, str) and node.value:
            return Item(node.value, node.span)
        return self.wrong(node, f, _one(f))

    def _list(self, node: YNode, f: Field) -> object:
        if isinstance(node, YScalar):
            return tuple(i for i in (self._name(node, f),) if isinstance(i, Item))
        if not isinstance(node, YSeq):
            what = (
                "an address or a list of addresses"
                if f.name in _ADDRESS_FIELDS
                else "a name or a list of names"
            )
            return self.wrong(node, f, what)
        out = []
        for n in node.items:
            if isinstance(n, YScalar) and isinstance(n.value, str) and n.value:
                out.append(Item(n.value, n.span))
            else:
                what = "addresses (text)" if f.name in _ADDRESS_FIELDS else "names (strings)"
                message = f"`{f.name}` lists {what}, found {_describe(n)}"
                self.error("wrong-type", message, n.span, _found_hint(n, f))
        return tuple(out)

    def _flag(self, node: YNode, f: Field) -> object:
        if isinstance(node, YScalar) and isinstance(node.value, bool):
            return node.value
        return self.wrong(node, f, "true or false")

    def _count(self, node: YNode, f: Field) -> object:
        if not (
            isinstance(node, YScalar) and isinstance(node.value, int) and not isinstance(node.value, bool)
        ):
            return self.wrong(node, f, "a whole number")
        if node.value < 0:
            return self.error("bad-value", f"`{f.name}` must not be negative", node.span)
        return node.value

    def _date(self, node: YNode, f: Field) -> object:
        value = node.value if isinstance(node, YScalar) else None
        if isinstance(value, date) and not isinstance(value, datetime):
            return value
        if isinstance(value, str) and len(value) == 10:
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        return self.error(
            "bad-date",
            f"`{f.name}` must be a date YYYY-MM-DD, found {_describe(node)}",
            node.span,
            "for example 2027-03-31",
        )

    def _choice(self, node: YNode, f: Field) -> object:
        if isinstance(node, YScalar) and isinstance(node.value, str) and node.value in f.choices:
            return node.value
        return self.error(
            "bad-value",
            f"`{f.name}` must be one of {', '.join(f.choices)}, found {_describe(node)}",
            node.span,
        )

    def _object(self, node: YNode, f: Field) -> object:
        assert f.shape is not None
        return self.mapping(node, f.shape, node.span) or INVALID

    def _footholds(self, node: YNode, f: Field) -> object:
        out: list[Foothold] = []
        for n in node.items if isinstance(node, YSeq) else (node,):
            if isinstance(n, YMap):
                fh = self.mapping(n, FOOTHOLD, n.span)
                account, at = (fh.item("account"), fh.item("at")) if fh else (None, None)
                if account and at:
                    out.append(AccountFoothold(account.text, Ref(at.text, at.span), account.span))
            else:
                item = (
                    self.wrong(n, f, "a reference or {account, at}")
                    if not isinstance(n, YScalar)
                    else self._name(n, f)
                )
                if isinstance(item, Item):
                    out.append(RefFoothold(Ref(item.text, item.span)))
        return tuple(out)

    def _allow(self, node: YNode, f: Field) -> object:
        if not isinstance(node, YMap):
            return self.wrong(node, f, "a mapping of `zone -> zone: [services]`")
        cells = []
        for key, value in node.entries:
            services = self._list(value, f)
            if isinstance(key.value, str) and isinstance(services, tuple):
                cells.append((Item(key.value, key.span), services))
            elif not isinstance(key.value, str):
                self.wrong(key, f, "keyed by `zone -> zone`")
        return tuple(cells)

    def _named(self, node: YNode, f: Field) -> object:
        assert f.shape is not None
        if isinstance(node, YScalar) and node.value is None:
            return ()
        if not isinstance(node, YMap):
            return self.wrong(node, f, f"a mapping of name to {f.shape.name}")
        out = []
        for key, value in node.entries:
            if not isinstance(key.value, str) or not key.value:
                self.wrong(key, f, f"keyed by {f.shape.name} names (strings)")
                continue
            body = YMap((), value.span) if isinstance(value, YScalar) and value.value is None else value
            # A malformed entry still defines its name, so references to it do not cascade.
            fields = self.mapping(body, f.shape, key.span) or Fields(f.shape, key.span)
            out.append((Item(key.value, key.span), fields))
        return tuple(out)

    def _items(self, node: YNode, f: Field) -> object:
        assert f.shape is not None
        if isinstance(node, YScalar) and node.value is None:
            return ()
        if not isinstance(node, YSeq):
            return self.wrong(node, f, f"a list of {f.shape.name} entries")
        read = (self.mapping(n, f.shape, n.span) for n in node.items)
        return tuple(r for r in read if r is not None)

    def _version(self, node: YNode, f: Field) -> object:
        if isinstance(node, YScalar) and node.value in (1, "1") and not isinstance(node.value, bool):
            return 1
        return self.error(
            "bad-version",
            f"this release reads format version 1, found {_describe(node)}",
            node.span,
            "write `segverify: 1`",
        )
