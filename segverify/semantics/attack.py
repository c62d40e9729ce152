"""Semantics stage: the attacker's fixpoint of the four moves, breadth-first, with the first move per gain.

Rounds are synchronous: everything gained in round d+1 rests only on gains of rounds <= d, so
reading back the dependencies of a host gives a path that replays in depth order. Within a round
the move with the fewest dependencies wins, which keeps the paths short.
"""

from __future__ import annotations

from dataclasses import dataclass

from segverify.model.intervals import IntervalSet, union_all
from segverify.model.ir import AccountFoothold, Model, Policy, RefFoothold
from segverify.model.ports import pick_svc
from segverify.results import Hop, Move, Packet, RuleRef
from segverify.semantics.context import Semantics
from segverify.semantics.moves import (
    Setup,
    attack_services,
    exploitable,
    foothold_accounts,
    foothold_text,
    host_senders,
    is_login,
    sender_set,
    setup_for,
    usable,
)
from segverify.semantics.regions import (
    FAMILIES,
    LayeredSweep,
    Part,
    Sweep,
    bits,
    readable_address,
    readable_source,
)

Key = tuple[str, str]  # ("host", name) | ("cred", account) | ("sender", foothold reference)
MOVE_ORDER: dict[str, int] = {"foothold": 0, "manage": 1, "harvest": 2, "exploit": 3, "login": 4}


@dataclass(frozen=True, slots=True)
class Step:
    """How one gain was first made; `needs` is the gain itself and everything it rests on."""

    item: Key
    move: Move
    depth: int
    needs: frozenset[Key]
    source: Key | None = None  # the sender (login, exploit), managing host, or harvested host
    service: str | None = None
    packet: Packet | None = None
    rule: RuleRef | None = None
    credential: str | None = None
    at: str | None = None  # an account foothold's `at`

    def rank(self) -> tuple[int, int, Key, str, str]:
        return (
            len(self.needs),
            MOVE_ORDER[self.move],
            self.source or ("", ""),
            self.service or "",
            self.credential or "",
        )


Offer = tuple[Key, Packet, RuleRef]


class Attack:
    """The least set of hosts and credentials closed under the moves, from one policy's footholds."""

    def __init__(self, sem: Semantics, setup: Setup) -> None:
        self.model, self.resolver, self.setup = sem.model, sem.resolver, setup
        self.table, self.principals = sem.table, sem.principals
        self.steps: dict[Key, Step] = {}
        self._offers: dict[tuple[str, str], Offer] = {}
        self._reach: dict[
            tuple[int, str | None, tuple[bool, ...]], dict[tuple[str, str], tuple[int, int, RuleRef]]
        ] = {}
        self._prepare()
        self._run()

    # ---- results --------------------------------------------------------------------------------

    @property
    def controlled(self) -> frozenset[str]:
        return frozenset(k[1] for k in self.steps if k[0] == "host")

    @property
    def held(self) -> frozenset[str]:
        return frozenset(k[1] for k in self.steps if k[0] == "cred")

    def depth(self, host: str) -> int:
        return self.steps[("host", host)].depth

    def reached_targets(self) -> list[str]:
        """Controlled targets, nearest first."""
        hit = self.controlled & self.setup.targets
        return sorted(hit, key=lambda h: (self.depth(h), len(self.steps[("host", h)].needs), h))

    # ---- set-up: comps (who can send) and the sweep that maps senders to reachable services -----

    def _prepare(self) -> None:
        m, s = self.model, self.setup
        self._targets = [
            h for h in sorted(m.hosts) if h not in s.via and attack_services(m, s.profile, m.hosts[h])
        ]
        comps: dict[Key, IntervalSet] = {("host", h): host_senders(m.hosts[h], s) for h in sorted(m.hosts)}
        for fh in s.footholds:
            comps[("sender", foothold_text(fh))] = sender_set(self.resolver, s, foothold_text(fh))
        self._comp_keys = sorted(comps)
        target_sets = [m.hosts[h].addresses for h in self._targets]
        ports = union_all(
            m.services[svc].ports for h in self._targets for svc in attack_services(m, s.profile, m.hosts[h])
        )
        self._sweep: Sweep | LayeredSweep = self.table.sweep(
            union_all(comps.values()),
            union_all(target_sets),
            ports,
            src_tags=[comps[k] for k in self._comp_keys],
            dst_tags=target_sets,
        )
        self._parts_of: dict[Key, list[Part]] = {k: [] for k in self._comp_keys}
        for part in self._sweep.src_parts():
            for i in bits(part.tags):
                self._parts_of[self._comp_keys[i]].append(part)

    def _reach_of(self, part: Part) -> dict[tuple[str, str], tuple[int, int, RuleRef]]:
        """(host, service) pairs an allowed packet from this source class reaches; shared by class."""
        # Parts alike to every rule and zone still differ by address family (packets never cross).
        families = tuple(bool(part.addrs.intersection(f)) for f in FAMILIES)
        key = (part.flows, part.zone, families)
        if key not in self._reach:
            out: dict[tuple[str, str], tuple[int, int, RuleRef]] = {}
            for cell in self._sweep.cells_of(part):
                if cell.rule.action == "allow":
                    self._note_cell(out, cell.dst, cell.dst_tags, cell.svc, cell.rule)
            self._reach[key] = out
        return self._reach[key]

    def _note_cell(
        self,
        out: dict[tuple[str, str], tuple[int, int, RuleRef]],
        dst: IntervalSet,
        tags: int,
        svcs: IntervalSet,
        rule: RuleRef,
    ) -> None:
        for i in bits(tags):
            host = self.model.hosts[self._targets[i]]
            for name in attack_services(self.model, self.setup.profile, host):
                hit = svcs.intersection(self.model.services[name].ports)
                if hit and (host.name, name) not in out:
                    out[(host.name, name)] = (readable_address(dst), pick_svc(hit), rule)

    def _register(self, comp: Key) -> None:
        """A new sender: record, per (host, service), the offer with the fewest dependencies."""
        rank = (len(self.steps[comp].needs), 0 if comp[0] == "host" else 1, comp[1])
        for part in self._parts_of.get(comp, ()):
            for target, (dst, svc, rule) in self._reach_of(part).items():
                best = self._offers.get(target)
                if best is None or rank < self._offer_rank(best[0]):
                    self._offers[target] = (comp, Packet(readable_source(part.addrs, dst), dst, svc), rule)

    def _offer_rank(self, comp: Key) -> tuple[int, int, str]:
        return (len(self.steps[comp].needs), 0 if comp[0] == "host" else 1, comp[1])

    # ---- the rounds -----------------------------------------------------------------------------

    def _run(self) -> None:
        frontier = self._footholds()
        depth = 0
        while frontier:
            for key in frontier:
                if key[0] in ("host", "sender"):
                    self._register(key)
            found: dict[Key, Step] = {}
            self._manage(frontier, depth + 1, found)
            self._harvest(frontier, depth + 1, found)
            self._remote(depth + 1, found)
            self.steps.update(found)
            frontier = sorted(found)
            depth += 1

    def _footholds(self) -> list[Key]:
        found: dict[Key, Step] = {}
        for fh in self.setup.footholds:
            text = foothold_text(fh)
            _first(found, Step(("sender", text), "foothold", 0, frozenset({("sender", text)})))
            if isinstance(fh, RefFoothold):
                for h in sorted(self.resolver.hosts(fh.ref) - self.setup.via):
                    _first(found, Step(("host", h), "foothold", 0, frozenset({("host", h)})))
            elif isinstance(fh, AccountFoothold):
                for acc in sorted(foothold_accounts(self.principals, fh)):
                    _first(found, Step(("cred", acc), "foothold", 0, frozenset({("cred", acc)}), at=text))
        self.steps.update(found)
        return sorted(found)

    def _manage(self, frontier: list[Key], depth: int, found: dict[Key, Step]) -> None:
        for key in frontier:
            if key[0] != "host":
                continue
            host = self.model.hosts[key[1]]
            for b in sorted(self.resolver.hosts_of(host.manages) - self.setup.via):
                if ("host", b) not in self.steps:
                    needs = self.steps[key].needs | {("host", b)}
                    _better(found, Step(("host", b), "manage", depth, needs, source=key))

    def _harvest(self, frontier: list[Key], depth: int, found: dict[Key, Step]) -> None:
        if not self.setup.profile.credential_theft:
            return
        for key in frontier:
            if key[0] != "host":
                continue
            for acc in sorted(self.principals.session_accounts(self.model.hosts[key[1]])):
                if ("cred", acc) not in self.steps:
                    needs = self.steps[key].needs | {("cred", acc)}
                    _better(found, Step(("cred", acc), "harvest", depth, needs, source=key, credential=acc))

    def _remote(self, depth: int, found: dict[Key, Step]) -> None:
        """Logins and exploits: an allowed packet from some sender, and (login) a usable credential."""
        for name in self._targets:
            if ("host", name) in self.steps:
                continue
            host = self.model.hosts[name]
            for svc in attack_services(self.model, self.setup.profile, host):
                offer = self._offers.get((name, svc))
                if offer is None:
                    continue
                comp, packet, rule = offer
                base = self.steps[comp].needs | {("host", name)}
                if exploitable(self.setup.profile, host, svc):
                    _better(found, Step(("host", name), "exploit", depth, base, comp, svc, packet, rule))
                cred = self._credential_for(name) if is_login(self.model, svc) else None
                if cred is not None:
                    needs = base | self.steps[("cred", cred)].needs
                    _better(found, Step(("host", name), "login", depth, needs, comp, svc, packet, rule, cred))

    def _credential_for(self, host: str) -> str | None:
        """The held, usable credential that may log in on the host with the fewest dependencies."""
        h = self.model.hosts[host]
        best: tuple[int, str] | None = None
        for acc in self.principals.login_accounts(h):
            step = self.steps.get(("cred", acc))
            if step is not None and usable(self.principals, self.setup.profile, acc):
                cand = (len(step.needs), acc)
                best = cand if best is None or cand < best else best
        return best[1] if best else None

    # ---- paths ----------------------------------------------------------------------------------

    def path_to(self, host: str) -> tuple[Hop, ...]:
        """The attack path to a controlled host: every gain it rests on, in an order that replays."""
        steps = sorted((self.steps[k] for k in self.steps[("host", host)].needs), key=_path_order)
        used: dict[Key, int] = {}
        for st in steps:
            if st.packet is not None and st.source is not None:
                used.setdefault(st.source, st.packet.src)
        cred_at = {st.at for st in steps if st.move == "foothold" and st.at is not None}
        hops = (self._hop(st, used, cred_at) for st in steps)
        return tuple(h for h in hops if h is not None)

    def _hop(self, st: Step, used: dict[Key, int], cred_at: set[str]) -> Hop | None:
        name = st.item[1]
        src = st.source[1] if st.source else None
        if st.move == "foothold":
            return self._foothold_hop(st, used, cred_at)
        if st.move == "manage":
            return Hop("manage", to=name, source=src)
        if st.move == "harvest":
            return Hop("harvest", at=src, credential=name)
        return Hop(
            st.move,
            to=name,
            source=src,
            service=st.service,
            packet=st.packet,
            rule=st.rule,
            credential=st.credential,
        )

    def _foothold_hop(self, st: Step, used: dict[Key, int], cred_at: set[str]) -> Hop | None:
        kind, name = st.item
        if kind == "host":
            return Hop("foothold", to=name, address=self._address(st.item, used))
        if kind == "sender":
            # An account foothold's hop at the same reference already opens this sender.
            return None if name in cred_at else Hop("foothold", at=name, address=self._address(st.item, used))
        assert st.at is not None
        return Hop("foothold", at=st.at, credential=name, address=self._address(("sender", st.at), used))

    def _address(self, comp: Key, used: dict[Key, int]) -> int | None:
        if comp in used:
            return used[comp]
        if comp[0] == "host":
            addrs = host_senders(self.model.hosts[comp[1]], self.setup)
        else:
            addrs = sender_set(self.resolver, self.setup, comp[1])
        return readable_address(addrs) if addrs else None


def _path_order(st: Step) -> tuple[int, int, Key]:
    return (st.depth, MOVE_ORDER[st.move], st.item)


def _first(found: dict[Key, Step], step: Step) -> None:
    found.setdefault(step.item, step)


def _better(found: dict[Key, Step], step: Step) -> None:
    cur = found.get(step.item)
    if cur is None or step.rank() < cur.rank():
        found[step.item] = step


def attack_for(model: Model, policy: Policy, sem: Semantics | None = None) -> Attack:
    """The fixpoint of an isolated, only_via or blast_radius policy (paths: `.path_to(host)`)."""
    sem = sem or Semantics(model)
    return Attack(sem, setup_for(model, sem.resolver, policy))
