"""Lint stage: the packets each rule DECIDES (its box minus all that earlier rules match), exactly.

One cell sweep (semantics/regions.py, the reference's own) per rule, over the rule's box, with
only the earlier rules that can meet it (index.py): the cells the rule wins are what it decides,
the others are decided earlier, each by a known rule. Nothing is sampled and no rule pair is
asked separately: a rule costs one sweep among its own neighbours.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from segverify.lint.index import RuleIndex
from segverify.model.intervals import IntervalSet, union_all
from segverify.results import RuleRef
from segverify.semantics.packets import CompiledFlow
from segverify.semantics.regions import Cell, FlowTable


@dataclass(slots=True)
class Overlap:
    """The part of a rule's box that earlier rules of one action decide."""

    cells: list[Cell] = field(default_factory=list)

    def rules(self) -> frozenset[RuleRef]:
        return frozenset(c.rule for c in self.cells)

    def sources(self) -> IntervalSet:
        return union_all(c.src for c in self.cells)

    def destinations(self) -> IntervalSet:
        return union_all(c.dst for c in self.cells)

    def services(self) -> IntervalSet:
        return union_all(c.svc for c in self.cells)


@dataclass(slots=True)
class RuleSpace:
    """Rule `flow`'s box split into what it decides (`own`) and what earlier rules decide."""

    flow: CompiledFlow
    earlier: list[CompiledFlow]
    own: list[Cell] = field(default_factory=list)
    same: Overlap = field(default_factory=Overlap)  # decided earlier by rules of its own action
    opposite: Overlap = field(default_factory=Overlap)  # ... and of the opposite action

    @property
    def decides(self) -> bool:
        return bool(self.own)

    @property
    def overlapped(self) -> bool:
        return bool(self.same.cells or self.opposite.cells)


class Spaces:
    """The rule list of one model, compiled and indexed once; a RuleSpace per rule on demand."""

    def __init__(self, table: FlowTable) -> None:
        self.table = table
        self.flows = table.flows
        self.index = RuleIndex(self.flows)
        self.zone_cells = table.resolver.zone_cells  # sorted, disjoint (first, last, zone)
        self.zone_lasts = [last for _, last, _ in self.zone_cells]
        self.zone_sets = dict(table.zones)

    def space(self, i: int) -> RuleSpace:
        cf = self.flows[i]
        out = RuleSpace(cf, self.index.before(i))
        for cell in self.cells(cf, [*out.earlier, cf]):
            if cell.rule.index == i:
                out.own.append(cell)
            elif cell.rule.action == cf.flow.action:
                out.same.cells.append(cell)
            else:
                out.opposite.cells.append(cell)
        return out

    def cells(
        self, box: CompiledFlow, candidates: Sequence[CompiledFlow], zoned: bool = False
    ) -> Iterator[Cell]:
        """The box's cells among `candidates`; `zoned`: also cut by zones (defaults, zone questions).

        Which earlier rule decides a packet of rule i's box never depends on zones (rule i matches
        all the box, so no default decides any of it): a cut by rules alone gives the same
        answer in fewer cells. A zoned cut needs only the zones that meet the box.
        """
        zones = self.zones_meeting(box) if zoned else []
        sweep = self.table.sweep(box.sources, box.destinations, box.ports, candidates=candidates, zones=zones)
        return sweep.cells()

    def zones_meeting(self, box: CompiledFlow) -> list[tuple[str, IntervalSet]]:
        """The zones that meet the box's sources or destinations, by bisection in the zone cells."""
        names: set[str] = set()
        for lo, hi in (*box.sources, *box.destinations):
            k = bisect_left(self.zone_lasts, lo)  # the first zone cell ending at or after lo
            while k < len(self.zone_cells) and self.zone_cells[k][0] <= hi:
                names.add(self.zone_cells[k][2])
                k += 1
        return [(name, self.zone_sets[name]) for name in sorted(names)]

    def own_cells(self, i: int, space: RuleSpace) -> list[Cell]:
        """What rule i decides, in cells that each lie in one zone at either end."""
        cf = self.flows[i]
        return [c for c in self.cells(cf, [*space.earlier, cf], zoned=True) if c.rule.index == i]

    def covers(self, i: int, rules: Sequence[CompiledFlow]) -> bool:
        """Whether `rules` (earlier than i) together match every packet of rule i's box."""
        cf = self.flows[i]
        return all(cell.rule.index != i for cell in self.cells(cf, [*rules, cf]))

    def without(self, i: int, space: RuleSpace, later: Sequence[CompiledFlow]) -> Iterator[Cell]:
        """The cells of what rule i decides, as the rules after it and the defaults would decide them.

        Without rule i, what it decided falls to the later rules or the defaults; what earlier
        rules decide is untouched. So sweep its box with earlier and `later` rules (index.after),
        without it, and keep the cells not decided earlier.
        """
        cf = self.flows[i]
        cells = self.cells(cf, [*space.earlier, *later], zoned=True)
        return (c for c in cells if c.rule.index is None or c.rule.index > i)
