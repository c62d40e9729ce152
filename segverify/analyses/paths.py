"""Analyses stage: `segverify paths`: up to K distinct attack paths, shortest first.

The first path is the shortest one of the fixpoint. Further paths come from banning one
edge of a path already found and recomputing (in the manner of Yen's k-shortest paths),
so each new path differs from the others in at least one move.
"""

from __future__ import annotations

import dataclasses
from collections import deque

from segverify.encode.check import CheckContext
from segverify.engine.edges import AttackGraph, Door
from segverify.engine.shortest import Ways, shortest_witness
from segverify.engine.witness import Moves, least_fixpoint
from segverify.model.ir import Foothold
from segverify.results import Hop, PathWitness

Edge = tuple[str, str, str, str]  # (kind, source, target, detail)
MAX_ROUNDS = 200  # graphs recomputed at most; keeps `paths` bounded on dense models


def hop_edge(hop: Hop) -> Edge | None:
    if hop.move in ("login", "exploit"):
        return (hop.move, hop.source or "", hop.to or "", hop.service or "")
    if hop.move == "manage":
        return ("manage", hop.source or "", hop.to or "", "")
    if hop.move == "harvest":
        return ("harvest", hop.at or "", "", hop.credential or "")
    return None


def without(graph: AttackGraph, banned: frozenset[Edge]) -> AttackGraph:
    """The graph minus the banned edges (network edges, manage edges and sessions)."""
    openers: dict[Door, int] = {}
    for door, mask in graph.openers.items():
        for n in graph.openers_of(door):
            if (door.move, graph.units[n].name, door.host, door.service) in banned:
                mask &= ~graph.unit_atoms[n]  # units sharing an atom are banned with it
        if mask:
            openers[door] = mask
    manages = {
        h: frozenset(b for b in bs if ("manage", h, b, "") not in banned) for h, bs in graph.manages.items()
    }
    sessions = {
        h: frozenset(a for a in s if ("harvest", h, "", a) not in banned) for h, s in graph.sessions.items()
    }
    return dataclasses.replace(graph, openers=openers, manages=manages, sessions=sessions)


def _shortest(
    ctx: CheckContext, graph: AttackGraph, footholds: tuple[Foothold, ...], targets: frozenset[str]
) -> list[PathWitness]:
    moves = Moves(graph)
    fp = least_fixpoint(graph, moves)
    reached = sorted((fp.hosts[t].round, t) for t in targets if t in fp.hosts)
    ways = Ways(graph, fp, moves)
    return [shortest_witness(ctx, ways, footholds, [t]) for _, t in reached]


def signature(w: PathWitness) -> tuple[Edge, ...]:
    return tuple(e for h in w.path if (e := hop_edge(h)) is not None)


def distinct_paths(
    ctx: CheckContext,
    graph: AttackGraph,
    footholds: tuple[Foothold, ...],
    targets: frozenset[str],
    limit: int,
) -> list[PathWitness]:
    found: dict[tuple[str, tuple[Edge, ...]], PathWitness] = {}
    queue: deque[frozenset[Edge]] = deque([frozenset()])
    seen: set[frozenset[Edge]] = set()
    rounds = 0
    while queue and rounds < MAX_ROUNDS and len(found) < 4 * limit:
        banned = queue.popleft()
        if banned in seen:
            continue
        seen.add(banned)
        rounds += 1
        for w in _shortest(ctx, without(graph, banned), footholds, targets):
            key = (w.target, signature(w))
            if key not in found:
                found[key] = w
                queue.extend(banned | {e} for e in key[1])
    ordered = sorted(found.values(), key=lambda w: (len(signature(w)), w.target, signature(w)))
    return ordered[:limit]
