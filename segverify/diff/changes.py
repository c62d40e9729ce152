"""Diff stage: the model's definitions added, removed or changed, with file:line on each side."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Literal

from segverify.diagnostics import Span
from segverify.diff.packets import kept_in_order
from segverify.model.intervals import IntervalSet
from segverify.model.ir import Model, Ref

Kind = Literal["zone", "service", "host", "account", "group", "rule", "defaults", "layer"]
# Positions and values computed from other fields; a layer's `flows` are its rules, each reported
# as a rule (with the layer it is in).
DERIVED = ("span", "index", "addresses", "ports", "flows")


@dataclass(frozen=True, slots=True)
class Definition:
    kind: Kind
    name: str
    before: Span | None = None
    after: Span | None = None
    fields: tuple[str, ...] = ()  # changed: which fields differ


@dataclass(frozen=True, slots=True)
class ModelChanges:
    added: tuple[Definition, ...]
    removed: tuple[Definition, ...]
    changed: tuple[Definition, ...]

    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


def _plain(value: object) -> object:
    """A field's value without source positions: refs compare by their text."""
    if isinstance(value, Ref):
        return value.text
    if isinstance(value, tuple):
        return tuple(_plain(v) for v in value)
    return value


def _content(item: object) -> dict[str, object]:
    out = {}
    for f in fields(item):  # type: ignore[arg-type]
        value = getattr(item, f.name)
        if f.name not in DERIVED and not isinstance(value, IntervalSet):
            out[f.name] = _plain(value)
    return out


def _tables(model: Model) -> dict[Kind, Mapping[str, object]]:
    return {
        "zone": model.zones,
        "service": {k: v for k, v in model.services.items() if not v.builtin},
        "host": model.hosts,
        "account": {k: v for k, v in model.principals.items() if v.kind == "account"},
        "group": {k: v for k, v in model.principals.items() if v.kind == "group"},
        "rule": {f.name: f for f in model.all_flows()},  # names are unique across layers
        "defaults": {"defaults": model.defaults},
        "layer": {layer.name: layer for layer in model.layers},
    }


def _kept(before: Model, after: Model) -> set[str]:
    """Rules whose relative order, inside their layer, both versions keep."""
    kept: set[str] = set()
    old = [("", before.flows), *((layer.name, layer.flows) for layer in before.layers)]
    new = dict([("", after.flows), *((layer.name, layer.flows) for layer in after.layers)])
    for name, flows in old:
        if name in new:
            kept |= kept_in_order([f.name for f in flows], [f.name for f in new[name]])
    return kept


def model_changes(before: Model, after: Model) -> ModelChanges:
    added: list[Definition] = []
    removed: list[Definition] = []
    changed: list[Definition] = []
    old_tables, new_tables = _tables(before), _tables(after)
    kept = _kept(before, after)
    for kind, old in old_tables.items():
        new = new_tables[kind]
        for name in sorted(old.keys() | new.keys()):
            a, b = old.get(name), new.get(name)
            if a is None:
                added.append(Definition(kind, name, after=_span(b)))
            elif b is None:
                removed.append(Definition(kind, name, before=_span(a)))
            else:
                diff = _differing(a, b)
                if kind == "rule" and name not in kept:
                    diff = (*diff, "order")
                if diff:
                    changed.append(Definition(kind, name, _span(a), _span(b), diff))
    return ModelChanges(tuple(added), tuple(removed), tuple(changed))


def _differing(a: object, b: object) -> tuple[str, ...]:
    ca, cb = _content(a), _content(b)
    return tuple(k for k in ca if ca[k] != cb.get(k))


def _span(item: object) -> Span | None:
    span = getattr(item, "span", None)
    return span if isinstance(span, Span) and span.line > 0 else None
