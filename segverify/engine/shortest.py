"""Engine stage: the attack path with the fewest moves, read back from the least fixpoint.

The fixpoint records, per host and credential, the move that *first* gave it (fewest rounds).
A path read back from those first moves can be longer than needed: a host gained early may
rest on a long chain of credentials that a later, plainer move would not need. Here every way
each gain could be made inside the fixpoint is considered, and a depth-first branch and bound
over backward derivations finds a set of gains with the fewest moves (footholds are free):
each open gain is given one of its ways in, whose premises become open in turn.

The round-by-round path is the first upper bound. The lower bound: every gain chosen or open
costs a move, and an open gain first made in fixpoint round r needs a chain of r gains, none
of them among the chosen gains that rest on it; on the 1,600-host synthetic model it proves
the round path shortest without a single branch. A derivation is kept only if its ways in are
acyclic (a gain never rests on itself). The search is exact unless it visits more than
NODE_LIMIT ways in; then the shortest path found so far is printed (no step of it can be left
out either: every gain is a premise of a later one). `Shortest.exact` says which happened.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from segverify.engine.edges import SENDER, AttackGraph, Context
from segverify.engine.witness import Fact, Fixpoint, Gain, Moves, PathWriter, steps_to
from segverify.model.ir import Foothold
from segverify.results import PathWitness

NODE_LIMIT = 50_000  # ways tried per path; small models finish far below it
Goal = tuple[Literal["goal"], str]
Item = Fact | Goal
GOAL: Goal = ("goal", "")


@dataclass(frozen=True, slots=True)
class Way:
    """One way to make a gain: the move and the gains it needs (footholds aside)."""

    gain: Gain
    uses: tuple[Fact, ...]  # every gain the move rests on, footholds too
    needs: tuple[Fact, ...]  # those of them that cost a move (footholds are held from the start)


@dataclass(frozen=True, slots=True)
class Shortest:
    facts: list[Fact]  # each after the facts it needs
    fixpoint: Fixpoint  # the same hosts and credentials, each with the way the path uses
    target: str
    exact: bool  # False: NODE_LIMIT was reached and the length is an upper bound only


class Ways:
    """Every way in for the gains of one fixpoint, worked out per gain on first ask."""

    def __init__(self, graph: AttackGraph, fp: Fixpoint, moves: Moves) -> None:
        self.graph, self.fp, self.moves = graph, fp, moves
        # Foothold hosts before foothold references: `{account: a, at: h0}` also sends from
        # h0's addresses, and a path through both would print h0 twice (once to spare).
        self.free_units = sorted(h for h, g in fp.hosts.items() if g.move == "foothold") + sorted(
            u.key for u in graph.senders
        )
        self.host_units = sorted(h for h, g in fp.hosts.items() if g.move != "foothold")
        self._ways: dict[Fact, list[Way]] = {}
        self.managers: dict[str, list[str]] = {}
        for m in sorted(fp.hosts):
            for b in graph.manages.get(m, ()):
                self.managers.setdefault(b, []).append(m)

    def free(self, fact: Fact) -> bool:
        table = self.fp.hosts if fact[0] == "host" else self.fp.credentials
        return table[fact[1]].move == "foothold"

    def of(self, fact: Fact) -> list[Way]:
        if fact not in self._ways:
            found = self._host_ways(fact[1]) if fact[0] == "host" else self._cred_ways(fact[1])
            self._ways[fact] = sorted(found, key=self._rank)
        return self._ways[fact]

    def _rank(self, way: Way) -> tuple[int, int, int, str, str, str]:
        """Fewest costly premises first, then earliest ones: the first leaf found is often the best."""
        g = way.gain
        rounds = sum(self.round_of(f) for f in way.needs)
        service = g.door.service if g.door is not None else ""
        return (len(way.needs), rounds, _MOVE_RANK[g.move], g.source or "", service, g.credential or "")

    def round_of(self, fact: Fact) -> int:
        """The fixpoint round that first gave the fact: a derivation of it has a chain of at
        least this many gains (each round's gains rest on an earlier round's)."""
        return (self.fp.hosts if fact[0] == "host" else self.fp.credentials)[fact[1]].round

    def _cred_ways(self, account: str) -> list[Way]:
        out = []
        for h in sorted(self.fp.hosts):
            if account in self.graph.sessions.get(h, ()):
                out.append(self._way(Gain("harvest", 0, source=h), (("host", h),)))
        return out

    def goal_way(self, target: str) -> Way:
        return self._way(Gain("foothold", 0, source=target), (("host", target),))

    def _way(self, gain: Gain, uses: tuple[Fact, ...]) -> Way:
        return Way(gain, uses, tuple(f for f in uses if not self.free(f)))

    def _host_ways(self, host: str) -> list[Way]:
        out = [self._way(Gain("manage", 0, source=m), (("host", m),)) for m in self.managers.get(host, [])]
        for door, mask in self.moves.doors.get(host, []):
            creds = [None]
            if door.move == "login":
                usable = self.graph.login_credentials[host]
                creds = sorted(a for a in usable if a in self.fp.credentials)  # type: ignore[assignment]
            for unit, uses in self._openers(host, mask):
                for c in creds:
                    more = uses + ((("cred", c),) if c is not None else ())
                    out.append(self._way(Gain(door.move, 0, source=unit, door=door, credential=c), more))
        return out

    def _openers(self, host: str, mask: int) -> list[tuple[str, tuple[Fact, ...]]]:
        """Units that send to the door: a foothold one is the best, else each controlled host."""
        atoms = self.graph.unit_atoms
        for unit in self.free_units:
            if unit != host and atoms.get(unit, 0) & mask:
                return [(unit, () if unit.startswith(SENDER) else (("host", unit),))]
        return [(u, (("host", u),)) for u in self.host_units if u != host and atoms.get(u, 0) & mask]


_MOVE_RANK = {"foothold": 0, "manage": 1, "harvest": 2, "exploit": 3, "login": 4}


class Search:
    """Branch and bound over backward derivations: fewest non-foothold gains that reach a target."""

    def __init__(self, ways: Ways, targets: list[str], bound: int, limit: int = NODE_LIMIT) -> None:
        self.limit = limit
        self.ways, self.targets = ways, targets
        self.best: dict[Item, Way] | None = None
        self.bound = bound  # only a derivation with fewer gains than this is kept
        self.nodes = 0
        self.seen: set[frozenset[tuple[Item, Way]]] = set()

    def run(self) -> bool:
        """True when the search finished (the best derivation is the shortest)."""
        goal_ways = [self.ways.goal_way(t) for t in self.targets]
        self._goal_ways = sorted(goal_ways, key=lambda w: (len(w.needs), w.gain.source or ""))
        self._extend({}, {GOAL: 0})
        return self.nodes <= self.limit

    def _ways_of(self, item: Item) -> list[Way]:
        return self._goal_ways if item[0] == "goal" else self.ways.of(item)

    def _lower_bound(self, chosen: dict[Item, Way], open_: dict[Item, int]) -> int:
        """Moves any completion needs: every gain chosen or open costs one, and an open gain
        needs a chain of as many gains as its fixpoint round, none of them among the chosen
        gains that rest on it (`open_` holds how many those are, along one chain)."""
        count = len(chosen) - (GOAL in chosen) + len(open_) - (GOAL in open_)
        chains = [d + self.ways.round_of(g) for g, d in open_.items() if g[0] != "goal"]
        return max([count, *chains])

    def _extend(self, chosen: dict[Item, Way], open_: dict[Item, int]) -> None:
        cost = self._lower_bound(chosen, open_)
        if cost >= self.bound or self.nodes > self.limit:
            return
        if not open_:
            if _acyclic(chosen):
                self.best, self.bound = dict(chosen), cost
            return
        key = frozenset(chosen.items())
        if key in self.seen:
            return
        self.seen.add(key)
        item, depth = next(reversed(open_.items()))
        rest = dict(open_)
        del rest[item]
        above = depth + (item != GOAL)  # chosen gains resting on what `item` needs
        for way in self._ways_of(item):
            self.nodes += 1  # every way tried: a gain with hundreds of ways in costs as many
            if self.nodes > self.limit:
                return
            new = dict(rest)
            for f in way.needs:
                if f not in chosen and f != item:
                    new[f] = max(new.get(f, 0), above)
            chosen[item] = way
            self._extend(chosen, new)
            del chosen[item]


def _acyclic(chosen: dict[Item, Way]) -> bool:
    state: dict[Item, int] = {}  # 1: on the stack, 2: done

    def visit(item: Item) -> bool:
        if state.get(item) == 2 or item not in chosen:
            return True
        if state.get(item) == 1:
            return False
        state[item] = 1
        ok = all(visit(f) for f in chosen[item].needs)
        state[item] = 2
        return ok

    return all(visit(i) for i in list(chosen))


def shortest_path(
    ways: Ways, targets: list[str], upper: list[Fact], limit: int = NODE_LIMIT
) -> Shortest | None:
    """The derivation of some target with the fewest moves, or None if `upper` is already as short.

    `upper` is a path (facts, each after those it needs) that reaches a target: the search
    keeps only derivations with fewer moves.
    """
    fp = ways.fp
    moves_in_upper = sum(1 for f in upper if not ways.free(f))
    search = Search(ways, [t for t in targets if t in fp.hosts], moves_in_upper, limit)
    exact = search.run()
    if search.best is None:
        return None
    best = search.best
    target = best[GOAL].gain.source or ""
    facts = _ordered(best, ("host", target))
    gains = {f: best[f].gain if f in best else _table(fp, f)[f[1]] for f in facts}
    return Shortest(facts, _restricted(fp, gains), target, exact)


def _table(fp: Fixpoint, fact: Fact) -> dict[str, Gain]:
    return fp.hosts if fact[0] == "host" else fp.credentials


def _ordered(chosen: dict[Item, Way], target: Fact) -> list[Fact]:
    out: list[Fact] = []

    def visit(fact: Fact) -> None:
        if fact in out:
            return
        for f in chosen[fact].uses if fact in chosen else ():
            visit(f)
        out.append(fact)

    visit(target)
    return out


def _restricted(fp: Fixpoint, gains: dict[Fact, Gain]) -> Fixpoint:
    """A fixpoint holding the path's gains with the ways it uses (what PathWriter reads)."""
    hosts = {name: g for (kind, name), g in gains.items() if kind == "host"}
    creds = {name: g for (kind, name), g in gains.items() if kind == "cred"}
    return Fixpoint(hosts, creds, fp.active, fp.activator)


def shortest_witness(
    ctx: Context, ways: Ways, footholds: tuple[Foothold, ...], reached: list[str], limit: int = NODE_LIMIT
) -> PathWitness:
    """The path with the fewest moves to one of the reached targets (nearest in rounds first).

    One `Ways` serves every path of one fixpoint (every target of --all-paths).
    """
    graph, fp, target = ways.graph, ways.fp, reached[0]
    facts = steps_to(fp, graph, ("host", target))
    found = shortest_path(ways, reached, facts, limit)
    if found is not None:  # None: the round-by-round path is already one of the shortest
        fp, facts, target = found.fixpoint, found.facts, found.target
    return PathWitness(target, PathWriter(ctx, graph, fp, footholds).hops(facts))
