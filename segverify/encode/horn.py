"""Encode stage: the movement clauses of one shared graph, written once as SMT-LIB text.

Variables (short symbols, see Symbols): c<i> controls a host, k<i> holds an account, x<i> an
address class is sent from, r<i> a door's opener set is reached, g<i> some account of a set of
usable accounts is held. Clauses, one per move:
  controls(u)                  -> sent(x)       (x: atoms that exactly the same hosts send from)
  sent(x)                      -> reach(M)      (x meets the opener set M of some door)
  reach(M) & cred_ok(S)        -> controls(b)   (login door of b)
  holds(a)                     -> cred_ok(S)    (a in S, the usable accounts of b)
  reach(M)                     -> controls(b)   (exploit door of b)
  controls(a)                  -> controls(b)   (a manages b)
  controls(a)                  -> holds(p)      (harvest: p has a session on a)
Footholds and the goal are not clauses but assumptions of each check (attack.py), so one
parsed solver answers every policy with the same attacker profile. Hosts that some only_via
policy leaves out (its via hosts) are *guarded*: every move into one also needs u<i>, assumed
false where the host is left out and true elsewhere. A left-out host then can be taken by no
move, so it neither sends, manages nor yields sessions: the clauses of the graph without it.

Why text: building the same clauses term by term through z3's Python API pays wrapper
overhead (reference counting, sort checks) on every term; Z3 parses the text in C
(bench/prototypes.py measures both). Why classes: a door's opener set may cover thousands of
source atoms, but far fewer distinct groups of hosts; one clause per group, not per atom.
"""

from __future__ import annotations

from collections.abc import Iterator

import z3

from segverify.encode.solve import Budget, new_solver
from segverify.engine.atoms import runs
from segverify.engine.edges import AttackGraph


class Symbols:
    """Short SMT-LIB names, numbered in the order first asked for (deterministic text).

    Hosts are c<their index in the graph>, which is the model's order for every attacker
    profile: a host's terms are then the same in each profile's clauses (Terms).
    """

    def __init__(self, hosts: tuple[str, ...] = ()) -> None:
        self.names: dict[tuple[str, object], str] = {("c", h): f"c{i}" for i, h in enumerate(hosts)}

    def __call__(self, kind: str, key: object) -> str:
        name = self.names.get((kind, key))
        if name is None:
            name = self.names[(kind, key)] = f"{kind}{len(self.names)}"
        return name


class Terms:
    """Boolean constants and their negations by name, each built once per check (one context).

    blast_radius assumes every host outside its fixpoint uncontrolled: one negation per host,
    which z3's Python API (z3.Bool, z3.Not) builds slowly through its wrappers. The C calls
    here skip them, and host names are shared by every profile (Symbols).
    """

    def __init__(self, ctx: z3.Context) -> None:
        self.ctx = ctx
        self._bool = z3.BoolSort(ctx)
        self._positive: dict[str, z3.BoolRef] = {}
        self._negative: dict[str, z3.BoolRef] = {}

    def var(self, name: str) -> z3.BoolRef:
        term = self._positive.get(name)
        if term is None:
            ref = self.ctx.ref()
            ast = z3.Z3_mk_const(ref, z3.Z3_mk_string_symbol(ref, name), self._bool.ast)
            term = self._positive[name] = z3.BoolRef(ast, self.ctx)
        return term

    def negated(self, name: str) -> z3.BoolRef:
        term = self._negative.get(name)
        if term is None:
            ast = z3.Z3_mk_not(self.ctx.ref(), self.var(name).ast)
            term = self._negative[name] = z3.BoolRef(ast, self.ctx)
        return term


class HornBase:
    """One solver holding the movement clauses of a shared graph (no footholds, no goal)."""

    def __init__(self, graph: AttackGraph, budget: Budget, terms: Terms, guarded: dict[str, int]) -> None:
        """`guarded`: the hosts some only_via leaves out, each with the source atoms inside it."""
        # The check's one context (context.py): a fresh one per solver is a noticeable share
        # of a small check. Symbols here (c, k, x, r, g + number) meet no packet-layer name.
        self.ctx = terms.ctx
        self.terms = terms
        # QF_FD: Z3's incremental SAT core, not the SMT core a plain Solver uses: the clauses
        # are propositional, and each check runs faster on it, with the same answers and the
        # same timeout and rlimit.
        self.solver = new_solver(self.ctx, budget, "QF_FD")
        self.symbols = Symbols(graph.hosts)
        self.masks: dict[int, str] = {}  # distinct opener sets -> their reach symbol
        self.hosts = graph.hosts
        self.guarded = tuple(sorted(guarded.keys() & set(graph.hosts)))
        clauses = list(_clauses(graph, self.symbols, self.masks, {h: guarded[h] for h in self.guarded}))
        declarations = [f"(declare-const {s} Bool)" for s in self.symbols.names.values()]
        self.solver.from_string("\n".join(declarations + clauses))
        self._hosts_negated: dict[str, z3.BoolRef] | None = None

    def var(self, kind: str, key: object) -> z3.BoolRef:
        """The variable of a host (c), account (k) or opener set (r); fresh ones are unconstrained."""
        return self.terms.var(self.symbols(kind, key))

    def negated(self, kind: str, key: object) -> z3.BoolRef:
        """Not(var), built once: a goal may negate every host (blast_radius), policy after policy."""
        return self.terms.negated(self.symbols(kind, key))

    def negated_hosts(self) -> dict[str, z3.BoolRef]:
        """Not(controls h) for every host: blast_radius assumes most of them."""
        if self._hosts_negated is None:
            self._hosts_negated = {h: self.negated("c", h) for h in self.hosts}
        return self._hosts_negated

    def usable(self, excluded: frozenset[str]) -> list[z3.BoolRef]:
        """Assumptions: the left-out hosts cannot be taken, every other guarded host can."""
        return [self.negated("u", h) if h in excluded else self.var("u", h) for h in self.guarded]

    def reached_by(self, senders: int) -> list[z3.BoolRef]:
        """The opener sets that atoms of `senders` (always sent from) reach."""
        return [self.var("r", mask) for mask in self.masks if mask & senders]


def _clauses(
    graph: AttackGraph, sym: Symbols, masks: dict[int, str], guarded: dict[str, int]
) -> Iterator[str]:
    def gain(premises: list[str], host: str) -> str:
        """A move into `host`; a guarded host also needs its usable literal (only_via)."""
        if host in guarded:
            premises = [*premises, sym("u", host)]
        premise = premises[0] if len(premises) == 1 else f"(and {' '.join(premises)})"
        return f"(assert (=> {premise} {sym('c', host)}))"

    for h in graph.hosts:
        yield from (gain([sym("c", h)], b) for b in sorted(graph.manages[h]))
        yield from (f"(assert (=> {sym('c', h)} {sym('k', a)}))" for a in sorted(graph.sessions[h]))
    classes, class_of = _address_classes(graph, sym, guarded)
    for x, premises in classes.items():
        if x != premises[0]:
            yield from (f"(assert (=> {p} {x}))" for p in premises)
    gated: set[frozenset[str]] = set()
    for door, mask in sorted(graph.openers.items()):
        if mask not in masks:
            masks[mask] = r = sym("r", mask)
            senders = {x for a, b in runs(mask) for x in class_of[a:b]} - {""}
            yield from (f"(assert (=> {x} {r}))" for x in sorted(senders))
        premises = [masks[mask]]
        if door.move == "login":
            # One gate per distinct set of usable accounts: thousands of workstations share
            # the accounts that log in on them, and most clauses would repeat.
            accounts = graph.login_credentials[door.host]
            gate = sym("g", accounts)
            if accounts not in gated:
                gated.add(accounts)
                yield from (f"(assert (=> {sym('k', a)} {gate}))" for a in sorted(accounts))
            premises.append(gate)
        yield gain(premises, door.host)


def _address_classes(
    graph: AttackGraph, sym: Symbols, guarded: dict[str, int]
) -> tuple[dict[str, list[str]], list[str]]:
    """Group source atoms by the hosts that send from them and the guarded hosts that own them.

    Returns the classes (symbol -> the premises, one per host, that send from it; a class of
    one host and no guard is that host's own symbol) and, per atom, its class symbol ("" where
    no host sends from it). An atom inside a guarded host's addresses is sent from only while
    that host is usable: no sender, host or fleet, sends from a left-out host's address
    (api.new_context cuts the source atoms at every via host's addresses, so an atom lies
    inside a via host or outside it).
    """
    width = max((graph.unit_atoms[h].bit_length() for h in graph.hosts), default=0)
    senders: list[tuple[str, ...]] = [()] * width
    for h in graph.hosts:
        c = sym("c", h)
        for a, b in runs(graph.unit_atoms[h]):
            for atom in range(a, b):
                senders[atom] += (c,)
    guards: list[tuple[str, ...]] = [()] * width
    for v in sorted(guarded):
        u = sym("u", v)
        for a, b in runs(guarded[v]):
            for atom in range(a, min(b, width)):
                guards[atom] += (u,)
    # An atom no host sends from needs no guard: one key for all of them.
    keys = [(group, guard if group else ()) for group, guard in zip(senders, guards, strict=True)]
    symbol: dict[tuple[tuple[str, ...], tuple[str, ...]], str] = {((), ()): ""}
    for key in keys:
        group, guard = key
        if key not in symbol:
            symbol[key] = group[0] if len(group) == 1 and not guard else sym("x", key)
    classes = {x: [_conjunction([h, *guard]) for h in group] for (group, guard), x in symbol.items() if group}
    return classes, [symbol[key] for key in keys]


def _conjunction(terms: list[str]) -> str:
    return terms[0] if len(terms) == 1 else f"(and {' '.join(terms)})"
