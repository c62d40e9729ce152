"""Diff stage: `--intended FILE`, the changes a pull request means to make, and what falls outside.

The file is a YAML list of `{from: REF, to: REF, services: [...], action: allow|deny}`, each
reference resolved against AFTER. `collateral` is every changed packet outside the union of the
intended boxes; `unmet` every intended packet AFTER does not decide as intended.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from segverify.diagnostics import Diagnostic, Span
from segverify.diff.groups import Group, group_cells
from segverify.diff.packets import Box, ChangedCell, Keep, cells_in
from segverify.errors import ModelError
from segverify.model.intervals import IntervalSet, union_all
from segverify.model.ir import Model
from segverify.model.ports import PortSpecError, looks_like_port_spec, parse_port_spec
from segverify.model.refs import Resolver
from segverify.model.yamlio import YMap, YNode, YScalar, YSeq, read_yaml_file
from segverify.results import RuleRef
from segverify.semantics.regions import FlowTable

Action = Literal["allow", "deny"]
KEYS = ("from", "to", "services", "action")


@dataclass(frozen=True, slots=True)
class Intent:
    box: Box
    action: Action
    span: Span


@dataclass(frozen=True, slots=True)
class IntendedResult:
    collateral: tuple[Group, ...]
    unmet: tuple[Group, ...]


def read_intended(path: str, after: Model) -> tuple[Intent, ...]:
    """The file's intended changes resolved against AFTER; every problem at its file:line:column."""
    tree = read_yaml_file(path)
    diags: list[Diagnostic] = []
    if not isinstance(tree, YSeq):
        raise ModelError(
            [Diagnostic("wrong-type", "--intended takes a list of {from, to, services, action}", tree.span)]
        )
    out = [i for item in tree.items if (i := _intent(item, after, diags)) is not None]
    if diags:
        raise ModelError(diags)
    return tuple(out)


def _intent(node: YNode, after: Model, diags: list[Diagnostic]) -> Intent | None:
    if not isinstance(node, YMap):
        diags.append(
            Diagnostic("wrong-type", "an intended change is a map {from, to, services, action}", node.span)
        )
        return None
    for key in node.keys():
        if key not in KEYS:
            diags.append(
                Diagnostic("unknown-key", f"'{key}' is not one of {', '.join(KEYS)}", node.key_span(key))
            )
    resolver = Resolver(after)
    src = _ref(node, "from", resolver, diags)
    dst = _ref(node, "to", resolver, diags)
    svc = _services(node, after, diags)
    action = node.get("action")
    if not (isinstance(action, YScalar) and action.value in ("allow", "deny")):
        diags.append(Diagnostic("bad-value", "action is allow or deny", action.span if action else node.span))
        return None
    if src is None or dst is None or svc is None:
        return None
    return Intent((src, dst, svc), "allow" if action.value == "allow" else "deny", node.span)


def _ref(node: YMap, key: str, resolver: Resolver, diags: list[Diagnostic]) -> IntervalSet | None:
    value = node.get(key)
    if not isinstance(value, YScalar) or not isinstance(value.value, str):
        diags.append(
            Diagnostic(
                "wrong-type",
                f"`{key}` is a reference (zone, host, CIDR, tag:NAME or any)",
                node.key_span(key),
            )
        )
        return None
    if not resolver.is_known(value.value):
        diags.append(
            Diagnostic(
                "dangling-ref",
                f"'{value.value}' is not a zone, host, CIDR, tag or `any` of AFTER",
                value.span,
            )
        )
        return None
    return resolver.addresses(value.value)


def _services(node: YMap, after: Model, diags: list[Diagnostic]) -> IntervalSet | None:
    value = node.get("services")
    items = value.items if isinstance(value, YSeq) else (value,) if isinstance(value, YScalar) else ()
    found: list[IntervalSet] = []
    for item in items:
        text = item.value if isinstance(item, YScalar) else None
        if isinstance(text, str) and text in after.services:
            found.append(after.services[text].ports)
        elif isinstance(text, str) and looks_like_port_spec(text):
            try:
                found.append(parse_port_spec(text))
            except PortSpecError as exc:
                diags.append(Diagnostic("bad-port", str(exc), item.span))
        else:
            diags.append(
                Diagnostic("unknown-service", f"'{text}' is not a service of AFTER or a port spec", item.span)
            )
    if not items:
        diags.append(
            Diagnostic(
                "wrong-type", "`services` lists service names or port specs", node.key_span("services")
            )
        )
    return union_all(found) if found and len(found) == len(items) else None


def check_intended(
    before: FlowTable, after: FlowTable, changed: Sequence[Group], intents: Sequence[Intent]
) -> IntendedResult:
    boxes = [i.box for i in intents]
    outside = [c for g in changed for c in _outside(g, boxes)]
    collateral = group_cells(before, after, outside)
    unmet: list[ChangedCell] = []
    for action in ("allow", "deny"):
        mine = [i.box for i in intents if i.action == action]
        unmet += cells_in(before, after, mine, _missed(action))
    return IntendedResult(tuple(collateral), tuple(group_cells(before, after, unmet)))


def _missed(action: str) -> Keep:
    def keep(_before: RuleRef, after: RuleRef) -> bool:
        return after.action != action

    return keep


def _outside(g: Group, boxes: Sequence[Box]) -> list[ChangedCell]:
    """The group's packets outside every box: a box minus a box is at most three disjoint boxes."""
    pieces: list[Box] = [(g.src, g.dst, g.svc)]
    for cut in boxes:
        pieces = [p for piece in pieces for p in _minus(piece, cut)]
    return [
        ChangedCell(*p, g.from_zone, g.to_zone, g.before, g.after, g.rules_before, g.rules_after)
        for p in pieces
    ]


def _minus(a: Box, b: Box) -> list[Box]:
    s_in, d_in = a[0].intersection(b[0]), a[1].intersection(b[1])
    if not (s_in and d_in and a[2].intersects(b[2])):
        return [a]
    parts = [
        (a[0].difference(b[0]), a[1], a[2]),
        (s_in, a[1].difference(b[1]), a[2]),
        (s_in, d_in, a[2].difference(b[2])),
    ]
    return [p for p in parts if all(p)]
