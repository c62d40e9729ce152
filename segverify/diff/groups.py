"""Diff stage: changed cells as reported groups, each example re-decided by the reference.

A group is one (from zone, to zone, rule before, rule after) and one box of packets: sources x
destinations x services. Cells of one key are merged while their union stays a box; a key whose
packets are not one box is reported as several groups with the same key. Groups never overlap.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from segverify.diff.packets import ChangedCell, changed_cells
from segverify.errors import InternalError
from segverify.model.intervals import IntervalSet
from segverify.model.ports import pick_svc
from segverify.results import Packet, RuleRef
from segverify.semantics.packets import format_packet
from segverify.semantics.regions import FlowTable, readable_address, readable_source

Direction = Literal["opened", "closed"]
Key = tuple[str | None, str | None, RuleRef, RuleRef]
Triple = tuple[IntervalSet, IntervalSet, IntervalSet]


@dataclass(frozen=True, slots=True)
class Group:
    from_zone: str | None
    to_zone: str | None
    src: IntervalSet
    dst: IntervalSet
    svc: IntervalSet
    example: Packet
    before: RuleRef
    after: RuleRef

    @property
    def direction(self) -> Direction:
        return "opened" if self.after.action == "allow" else "closed"


@dataclass(frozen=True, slots=True)
class PacketDiff:
    opened: tuple[Group, ...]
    closed: tuple[Group, ...]

    def groups(self) -> tuple[Group, ...]:
        return self.opened + self.closed


def packet_diff(before: FlowTable, after: FlowTable) -> PacketDiff:
    """Every packet decided differently, grouped; each example checked by first match on both sides."""
    groups = group_cells(before, after, changed_cells(before, after))
    return PacketDiff(
        tuple(g for g in groups if g.direction == "opened"),
        tuple(g for g in groups if g.direction == "closed"),
    )


def group_cells(before: FlowTable, after: FlowTable, cells: Iterable[ChangedCell]) -> list[Group]:
    """Cells as sorted groups, each example re-decided on both sides."""
    by_key: dict[Key, list[Triple]] = {}
    for cell in cells:
        by_key.setdefault(_key(cell), []).append((cell.src, cell.dst, cell.svc))
    groups = [
        _checked(before, after, Group(*key[:2], *box, _example(box), *key[2:]))
        for key, cells in by_key.items()
        for box in merge_boxes(cells)
    ]
    return sorted(groups, key=group_order)


def _key(cell: ChangedCell) -> Key:
    return (cell.from_zone, cell.to_zone, cell.before, cell.after)


def merge_boxes(cells: Iterable[Triple]) -> list[Triple]:
    """Disjoint boxes merged along one side while the other two agree, until nothing merges."""
    boxes = list(dict.fromkeys(cells))
    while True:
        size = len(boxes)
        for axis in (0, 1, 2):
            boxes = _merge_axis(boxes, axis)
        if len(boxes) == size:
            return sorted(boxes, key=lambda b: (b[0].first(), b[1].first(), b[2].first()))


def _merge_axis(boxes: list[Triple], axis: int) -> list[Triple]:
    merged: dict[tuple[IntervalSet, IntervalSet], IntervalSet] = {}
    for box in boxes:
        rest = (box[(axis + 1) % 3], box[(axis + 2) % 3])
        merged[rest] = merged[rest].union(box[axis]) if rest in merged else box[axis]
    out = []
    for (b, c), a in merged.items():
        parts = {axis: a, (axis + 1) % 3: b, (axis + 2) % 3: c}
        out.append((parts[0], parts[1], parts[2]))
    return out


def _example(box: Triple) -> Packet:
    dst = readable_address(box[1])
    return Packet(readable_source(box[0], dst), dst, pick_svc(box[2]))


def _checked(before: FlowTable, after: FlowTable, group: Group) -> Group:
    """Nothing is printed that first match does not confirm on both sides."""
    old, new = before.decide(group.example), after.decide(group.example)
    if (old.name, old.action, new.name, new.action) != (
        group.before.name,
        group.before.action,
        group.after.name,
        group.after.action,
    ):
        raise InternalError(
            f"self-check failed for a packet diff example {format_packet(group.example)}: first match "
            f"decides it {old.name} ({old.action}) before and {new.name} ({new.action}) after, "
            f"not {group.before.name} and {group.after.name}"
        )
    return group


def _rule_order(r: RuleRef) -> tuple[bool, int, str]:
    return (r.index is None, r.index or 0, r.name)


def group_order(g: Group) -> tuple[object, ...]:
    return (
        g.from_zone or "",
        g.to_zone or "",
        _rule_order(g.before),
        _rule_order(g.after),
        g.src.first(),
        g.dst.first(),
        g.svc.first(),
    )
