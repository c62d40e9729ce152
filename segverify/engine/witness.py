"""Engine stage: attack paths read back from the movement graph, with concrete packets.

When the Horn clauses say a path exists, the least fixpoint of the engine's own edges is
computed round by round (so every fact records the move that first gave it, and paths are
shortest in rounds), then each login or exploit hop gets a concrete packet and the rule that
allows it from the same atom index (pick.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from segverify.engine.atoms import bits
from segverify.engine.edges import SENDER, AttackGraph, Context, Door
from segverify.engine.pick import Found, pick_packet
from segverify.errors import InternalError
from segverify.model.addresses import pick_address
from segverify.model.ir import AccountFoothold, Foothold
from segverify.results import Hop

Fact = tuple[Literal["host", "cred"], str]


@dataclass(frozen=True, slots=True)
class Gain:
    """The move that first gave a host or credential."""

    move: Literal["foothold", "login", "exploit", "manage", "harvest"]
    round: int
    source: str | None = None  # opener unit, managing host, or harvest host
    door: Door | None = None
    credential: str | None = None


@dataclass
class Fixpoint:
    hosts: dict[str, Gain]
    credentials: dict[str, Gain]
    active: int = 0  # source atoms the attacker sends from
    activator: dict[int, str] = field(default_factory=dict)  # atom -> the unit that first sent from it

    def activate(self, graph: AttackGraph, unit: str) -> None:
        for atom in bits(graph.unit_atoms.get(unit, 0) & ~self.active):
            self.activator[atom] = unit
        self.active |= graph.unit_atoms.get(unit, 0)


def least_fixpoint(graph: AttackGraph, moves: Moves | None = None) -> Fixpoint:
    """Round by round; each round tries only the hosts that something new could open.

    A host can gain in round r+1 and not in round r only if round r activated an atom of one
    of its doors' opener sets, gave a credential usable on it, or controlled a host managing
    it (round 0 being the footholds); trying every host every round cost rounds x hosts.
    `moves` may index the profile's graph before only_via left hosts out: those hosts are never
    tried, so one index serves every via set, not one rebuilt per set.
    """
    fp = Fixpoint(
        hosts={h: Gain("foothold", 0) for h in sorted(graph.foothold_hosts)},
        credentials={a: Gain("foothold", 0) for a in sorted(graph.foothold_credentials)},
    )
    for unit in [u.key for u in graph.senders] + sorted(graph.foothold_hosts):
        fp.activate(graph, unit)
    moves = moves or Moves(graph)
    new_hosts: dict[str, Gain] = dict.fromkeys(sorted(graph.foothold_hosts), Gain("foothold", 0))
    # Round 1 too: only what the footholds' atoms, credentials and hosts could open: trying
    # every host costs the whole model per policy, however small the fixpoint.
    candidates = moves.affected(fp.active, fp.credentials, new_hosts)
    r = 0
    while True:
        r += 1
        harvested_from = sorted(new_hosts)  # earlier hosts' sessions are all harvested already
        new_hosts = {}
        opened = moves.opened(fp.active)
        for h in candidates:
            if (
                h not in fp.hosts
                and h not in graph.excluded
                and (
                    gain := _host_gain(
                        graph, fp, opened, moves.doors.get(h, []), moves.managers.get(h, []), h, r
                    )
                )
            ):
                new_hosts[h] = gain
        new_creds = _harvests(graph, fp, harvested_from, r)
        if not new_hosts and not new_creds:
            return fp
        before = fp.active
        fp.hosts.update(new_hosts)
        fp.credentials.update(new_creds)
        for h in sorted(new_hosts):
            fp.activate(graph, h)
        candidates = moves.affected(fp.active & ~before, new_creds, new_hosts)


class Moves:
    """Doors and managers per host, and the reverse indexes that say whom a change affects."""

    def __init__(self, graph: AttackGraph) -> None:
        self.graph = graph
        self.order = {h: i for i, h in enumerate(graph.hosts)}
        self.doors: dict[str, list[tuple[Door, int]]] = {}  # with the door's opener set
        self.by_mask: dict[int, set[str]] = {}
        # By the set of usable accounts, not per account: thousands of hosts share a few sets.
        self.by_accounts: dict[frozenset[str], set[str]] = {}
        canonical: dict[int, int] = {}  # one object per distinct opener set, so opened() can go by id
        for door in sorted(graph.openers, key=_door_order):
            mask = canonical.setdefault(graph.openers[door], graph.openers[door])
            self.doors.setdefault(door.host, []).append((door, mask))
            self.by_mask.setdefault(mask, set()).add(door.host)
            if door.move == "login":
                self.by_accounts.setdefault(graph.login_credentials[door.host], set()).add(door.host)
        self.managers: dict[str, list[str]] = {}
        for manager in sorted(graph.manages):
            for managed in graph.manages[manager]:
                self.managers.setdefault(managed, []).append(manager)

    def opened(self, active: int) -> dict[int, int]:
        """By id of each opener set that `active` meets, the atoms of it that are active.

        Once per round, not per door: thousands of candidate hosts share a few hundred opener
        sets, and each AND is of two integers as wide as the source atoms.
        """
        return {id(mask): hit for mask in self.by_mask if (hit := mask & active)}

    def affected(self, atoms: int, credentials: dict[str, Gain], hosts: dict[str, Gain]) -> list[str]:
        out: set[str] = set()
        for mask, owners in self.by_mask.items():
            if mask & atoms:
                out |= owners
        for accounts, owners in self.by_accounts.items():
            if not accounts.isdisjoint(credentials):
                out |= owners
        for h in hosts:
            out.update(self.graph.manages.get(h, ()))
        return sorted((h for h in out if h in self.order), key=self.order.__getitem__)


def _host_gain(
    graph: AttackGraph,
    fp: Fixpoint,
    opened: dict[int, int],
    doors: list[tuple[Door, int]],
    managers: list[str],
    host: str,
    r: int,
) -> Gain | None:
    for manager in managers:
        if manager in fp.hosts:
            return Gain("manage", r, source=manager)
    if not doors:
        return None
    credential = None
    for door, mask in doors:
        open_from = opened.get(id(mask))
        if not open_from:
            continue
        if door.move == "login":
            held = [a for a in graph.login_credentials[host] if a in fp.credentials]
            if not held:
                continue
            credential = min(held)
        opener = fp.activator[(open_from & -open_from).bit_length() - 1]
        return Gain(door.move, r, source=opener, door=door, credential=credential)
    return None


def _door_order(door: Door) -> tuple[str, str, str]:
    return door.host, door.service, door.move  # Door's own order, without dataclass comparisons


def _harvests(graph: AttackGraph, fp: Fixpoint, hosts: list[str], r: int) -> dict[str, Gain]:
    out: dict[str, Gain] = {}
    for h in hosts:
        for a in sorted(graph.sessions.get(h, ())):
            if a not in fp.credentials and a not in out:
                out[a] = Gain("harvest", r, source=h)
    return out


def steps_to(fp: Fixpoint, graph: AttackGraph, fact: Fact) -> list[Fact]:
    """The facts needed for `fact`, each after the facts it needs, without repeats."""
    out: list[Fact] = []
    _collect(fp, graph, fact, out)
    return out


def _collect(fp: Fixpoint, graph: AttackGraph, fact: Fact, out: list[Fact]) -> None:
    if fact in out:
        return
    kind, name = fact
    gain = fp.hosts[name] if kind == "host" else fp.credentials[name]
    if gain.source is not None and (
        kind == "cred" or gain.move == "manage" or graph.units[gain.source].is_host
    ):
        _collect(fp, graph, ("host", gain.source), out)
    if gain.credential is not None:
        _collect(fp, graph, ("cred", gain.credential), out)
    out.append(fact)


class PathWriter:
    """Turns a list of facts into hops with concrete packets and foothold hops first."""

    def __init__(
        self, ctx: Context, graph: AttackGraph, fp: Fixpoint, footholds: tuple[Foothold, ...]
    ) -> None:
        self.ctx, self.graph, self.fp = ctx, graph, fp
        self.account_at = {
            a: f.at.text
            for f in footholds
            if isinstance(f, AccountFoothold)
            for a in ctx.principals.accounts_of(f.account)
        }

    def hops(self, facts: list[Fact]) -> tuple[Hop, ...]:
        moves: list[Hop] = []
        sent_from: dict[str, int] = {}  # unit key -> the first source address it used
        for kind, name in facts:
            gain = self.fp.hosts[name] if kind == "host" else self.fp.credentials[name]
            hop = self._hop(gain, name)
            if hop is None:
                continue
            if hop.packet is not None and gain.source is not None:
                sent_from.setdefault(gain.source, hop.packet.src)
            moves.append(hop)
        return self._footholds(facts, sent_from) + tuple(moves)

    def _hop(self, gain: Gain, name: str) -> Hop | None:
        if gain.move == "foothold":
            return None
        if gain.move == "harvest":
            return Hop(move="harvest", at=gain.source, credential=name)
        if gain.move == "manage":
            return Hop(move="manage", source=gain.source, to=name)
        assert gain.door is not None and gain.source is not None
        found = self._packet(gain.source, gain.door)
        return Hop(
            move=gain.move,
            source=self.graph.units[gain.source].name,
            to=name,
            service=gain.door.service,
            packet=found.packet,
            rule=found.rule,
            credential=gain.credential,
            rules=found.rules,
        )

    def _packet(self, source: str, door: Door) -> Found:
        # One packet per edge and check, so every path of every witness shows the same packet.
        addresses = self.graph.units[source].addresses
        key = (addresses, door)
        packets = self.ctx.memo.packets
        if key not in packets:
            m = self.ctx.model
            svc = m.services[door.service].ports
            found = pick_packet(self.ctx.index, addresses, m.hosts[door.host].addresses, svc)
            if found is None:
                # The edge index said this edge is open; the same index must find its packet.
                raise InternalError(f"edge {source} -> {door} has no allowed packet")
            packets[key] = found
        return packets[key]

    def _footholds(self, facts: list[Fact], sent_from: dict[str, int]) -> tuple[Hop, ...]:
        hops: list[Hop] = []
        for kind, name in facts:
            if kind == "host" and self.fp.hosts[name].move == "foothold":
                first = sent_from.get(name, pick_address(self.ctx.model.hosts[name].addresses))
                hops.append(Hop(move="foothold", to=name, address=first))
            elif kind == "cred" and self.fp.credentials[name].move == "foothold":
                at = self.account_at[name]
                address = sent_from.pop(SENDER + at) if SENDER + at in sent_from else None
                hops.append(Hop(move="foothold", at=at, credential=name, address=address))
        # `{account: a, at: h0}` sends from h0's addresses, as the foothold host h0 does once
        # controlled: when the path already holds h0, a second foothold line for it is to spare.
        held = {name for kind, name in facts if kind == "host" and self.fp.hosts[name].move == "foothold"}
        for unit in self.graph.senders:
            if unit.key in sent_from and unit.name not in held:
                hops.append(Hop(move="foothold", at=unit.name, address=sent_from[unit.key]))
        return tuple(hops)
