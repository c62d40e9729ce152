"""Encode stage: which sources open a door, by the Z3 packet layer (the check of EdgeIndex.allowed)."""

from __future__ import annotations

from segverify.encode.check import CheckContext
from segverify.encode.flows import Region
from segverify.encode.packets import RegionSolver
from segverify.encode.solve import Outcome
from segverify.engine.edges import Door
from segverify.engine.pick import Found
from segverify.model.addresses import V6_BASE
from segverify.model.intervals import IntervalSet


def door_region(ctx: CheckContext, src: IntervalSet, door: Door) -> Region:
    host = ctx.model.hosts[door.host]
    return Region(src, host.addresses, ctx.model.services[door.service].ports)


def allowed_sources_z3(ctx: CheckContext, universe: IntervalSet, door: Door) -> IntervalSet | Outcome:
    """The source addresses of `universe` that open the door, by the Z3 packet layer.

    One query per source class (addresses no sliced rule and no zone tells apart); slower than
    EdgeIndex.allowed by orders of magnitude, and the independent check of it.
    """
    region = door_region(ctx, universe, door)
    if region.is_empty():
        return IntervalSet()
    solver = RegionSolver(ctx.sets, region, ctx.budget, ctx.pv)
    allowed = IntervalSet()
    for cls in source_classes(ctx, solver, region):
        answer = solver.find(Region(cls, region.dst, region.svc), "allow")
        if isinstance(answer, Outcome):
            return answer
        if isinstance(answer, Found):
            allowed = allowed.union(cls)
    return allowed


def source_classes(ctx: CheckContext, solver: RegionSolver, region: Region) -> list[IntervalSet]:
    """Partition region.src so that every sliced rule of every layer, every layer's applies_from
    and every zone contains a class or misses it."""
    parts = [ctx.sets.src[f.index] for layer in solver.chain.layers for f in layer.rules]
    parts += [src for src, _ in ctx.sets.applies.values() if src is not None]
    parts += [z for z in ctx.resolver.zone_sets.values() if z.intersects(region.dst)]
    cuts = sorted({b for p in parts for b in p.boundaries()} | set(region.src.boundaries()))
    classes: dict[tuple[bool, ...], list[tuple[int, int]]] = {}
    for lo, nxt in zip(cuts, cuts[1:], strict=False):
        if lo in region.src:
            signature = (lo >= V6_BASE, *(lo in p for p in parts))  # a class never spans families
            classes.setdefault(signature, []).append((lo, nxt - 1))
    return [IntervalSet.of(v) for _, v in sorted(classes.items())]
