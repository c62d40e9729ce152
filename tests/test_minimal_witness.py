"""Printed attack paths are minimal: fewest moves (a plain BFS over the reference's moves
agrees), and no step can be left out (the reference replay then fails).

The BFS is written here from the reference semantics (segverify/semantics/), not from the
engine: a state is the hosts controlled and the credentials held; each move adds one.
"""

from __future__ import annotations

from collections import deque
from pathlib import Path

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from strategies import attack_policies_for, examples, models

from segverify import api
from segverify.analyses.base import Verdict
from segverify.analyses.registry import analysis_for
from segverify.encode.solve import Budget
from segverify.model.ir import AccountFoothold, Model, Policy, RefFoothold
from segverify.model.load import load_model
from segverify.results import BlastWitness, Hop, PathWitness, Status
from segverify.semantics.attack import Attack
from segverify.semantics.closure import crossings
from segverify.semantics.context import Semantics
from segverify.semantics.moves import (
    Setup,
    exploitable,
    foothold_accounts,
    foothold_text,
    host_senders,
    is_login,
    sender_set,
    setup_for,
    usable,
)
from segverify.semantics.replay import replay

State = tuple[frozenset[str], frozenset[str]]  # hosts controlled, credentials held
MAX_STATES = 20_000


class TooMany(Exception):
    """The BFS would visit more states than a test should: the example is skipped."""


class Reference:
    """The moves of one attack question, from the reference semantics only."""

    def __init__(self, model: Model, policy: Policy) -> None:
        self.sem = Semantics(model)
        self.setup: Setup = setup_for(model, self.sem.resolver, policy)
        self.refs = sorted({foothold_text(fh) for fh in self.setup.footholds})
        self._reach: dict[str, set[tuple[str, str]]] = {}

    def reach(self, unit: str, is_host: bool) -> set[tuple[str, str]]:
        """(host, service) pairs some allowed packet from the unit's addresses reaches."""
        key = ("h:" if is_host else "r:") + unit
        if key not in self._reach:
            s = self.setup
            addrs = (
                host_senders(self.sem.model.hosts[unit], s)
                if is_host
                else sender_set(self.sem.resolver, s, unit)
            )
            found = crossings(self.sem, s, frozenset(), addrs) if addrs else []
            self._reach[key] = {(c.host, c.service) for c in found if c.allowed is not None}
        return self._reach[key]

    def start(self) -> State:
        hosts: set[str] = set()
        creds: set[str] = set()
        for fh in self.setup.footholds:
            if isinstance(fh, RefFoothold):
                hosts |= self.sem.resolver.hosts(fh.ref) - self.setup.via
            elif isinstance(fh, AccountFoothold):
                creds |= foothold_accounts(self.sem.principals, fh)
        return frozenset(hosts), frozenset(creds)

    def successors(self, state: State) -> set[State]:
        hosts, creds = state
        out = {(hosts | {b}, creds) for b in self._taken(hosts, creds)}
        if self.setup.profile.credential_theft:
            for h in hosts:
                taken = self.sem.principals.session_accounts(self.sem.model.hosts[h]) - creds
                out |= {(hosts, creds | {c}) for c in taken}
        return out

    def _taken(self, hosts: frozenset[str], creds: frozenset[str]) -> set[str]:
        m, s, pr = self.sem.model, self.setup, self.sem.principals
        out: set[str] = set()
        for h in hosts:
            out |= self.sem.resolver.hosts_of(m.hosts[h].manages) - s.via
        units = [(h, True) for h in hosts] + [(r, False) for r in self.refs]
        for unit, is_host in units:
            for b, svc in self.reach(unit, is_host):
                host = m.hosts[b]
                if exploitable(s.profile, host, svc):
                    out.add(b)
                elif is_login(m, svc) and any(
                    usable(pr, s.profile, c) and pr.may_log_in(c, host) for c in creds
                ):
                    out.add(b)
        return out - hosts

    def fewest_moves(self) -> int | None:
        """Breadth first over states: the fewest moves after which some target is controlled."""
        start = self.start()
        seen = {start: 0}
        queue = deque([start])
        while queue:
            state = queue.popleft()
            if state[0] & self.setup.targets:
                return seen[state]
            for nxt in sorted(self.successors(state), key=lambda st: (sorted(st[0]), sorted(st[1]))):
                if nxt not in seen:
                    seen[nxt] = seen[state] + 1
                    queue.append(nxt)
            if len(seen) > MAX_STATES:
                raise TooMany
        return None


def engine_verdict(model: Model, policy: Policy) -> Verdict:
    ctx = api.new_context(model, Budget(seed=0))
    verdict = analysis_for(policy.kind)(ctx, policy)
    api.self_check(model, policy, verdict, certificates=False)
    return verdict


def engine_witness(model: Model, policy: Policy) -> PathWitness | None:
    verdict = engine_verdict(model, policy)
    if verdict.status != Status.VIOLATED:
        return None
    assert isinstance(verdict.witness, PathWitness)
    return verdict.witness


def moves(w: PathWitness) -> int:
    return sum(1 for hop in w.path if hop.move != "foothold")


def assert_irredundant(ref: Reference, target: str, path: tuple[Hop, ...]) -> None:
    """No hop of the path can be left out: the rest no longer replays to `target`."""
    for i in range(len(path)):
        shorter = path[:i] + path[i + 1 :]
        assert replay(ref.sem, ref.setup, shorter, target), f"hop {i + 1} is not needed"


SMALL = settings(
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)


@settings(SMALL, max_examples=examples(40))
@given(models(), st.data())
def test_printed_path_has_the_fewest_moves_and_no_step_to_spare(model: Model, data: st.DataObject) -> None:
    policy = data.draw(attack_policies_for(model).filter(lambda p: p.kind in ("isolated", "only_via")))
    witness = engine_witness(model, policy)
    ref = Reference(model, policy)
    try:
        fewest = ref.fewest_moves()
    except TooMany:
        assume(False)
    if witness is None:
        assert fewest is None
        return
    assert fewest is not None
    assert moves(witness) == fewest, witness.path
    # Every target the reference's fixpoint controls is listed, and no other.
    assert set(witness.reached) == set(Attack(ref.sem, ref.setup).controlled & ref.setup.targets)
    path = witness.path
    for i in range(len(path)):
        shorter = path[:i] + path[i + 1 :]
        assert replay(ref.sem, ref.setup, shorter, witness.target), f"hop {i + 1} is not needed"


@settings(SMALL, max_examples=examples(15))
@given(models(), st.data())
def test_blast_radius_paths_have_no_step_to_spare(model: Model, data: st.DataObject) -> None:
    """Each controlled host's path in a blast_radius witness (fewest rounds): no hop can go."""
    policy = data.draw(attack_policies_for(model).filter(lambda p: p.kind == "blast_radius"))
    verdict = engine_verdict(model, policy)
    if not isinstance(verdict.witness, BlastWitness):
        return
    ref = Reference(model, policy)
    for controlled in verdict.witness.hosts[-3:]:  # the farthest ones: the longest paths
        assert_irredundant(ref, controlled.host, controlled.path)


def test_flawed_example_base_002_prints_the_five_step_path() -> None:
    """The issue's case: the round-by-round path took 7 steps (a domain admin first, for nothing)."""
    root = Path(__file__).resolve().parent.parent
    model = load_model(
        [
            str(root / "examples/remote-access-vendor/flawed"),
            str(root / "policies/three-plane.yaml"),
            str(root / "policies/baseline.yaml"),
        ]
    )
    (policy,) = [p for p in model.policies if p.id == "BASE-002"]
    witness = engine_witness(model, policy)
    assert witness is not None and witness.target == "code-signing"
    assert moves(witness) == 5
    assert Reference(model, policy).fewest_moves() == 5


ACCOUNT_AT_FOOTHOLD_HOST = """\
segverify: 1
zones: {z0: {networks: [10.0.0.0/28]}, z1: {networks: [10.1.0.0/28]}}
hosts:
  h0: {zone: z1, address: 10.1.0.0/30, services: [rdp], sessions: [a1]}
  h2: {zone: z0, address: 10.0.0.0/30, services: [ssh], logins: [g0]}
accounts: {a0: {}, a1: {member_of: [g0]}}
defaults: {inter_zone: allow}
policies: [{id: P, isolated: {from: [z1, {account: a0, at: h0}], to: z0}}]
"""


def test_no_foothold_line_to_spare_when_an_account_foothold_sits_on_a_foothold_host(tmp_path: Path) -> None:
    """Found by this file's property at 300 examples: h0 was printed twice, as host and as sender."""
    path = tmp_path / "m.yaml"
    path.write_text(ACCOUNT_AT_FOOTHOLD_HOST, encoding="utf-8")
    model = load_model([str(path)])
    (policy,) = model.policies
    witness = engine_witness(model, policy)
    assert witness is not None
    assert [(h.move, h.source, h.at, h.to) for h in witness.path] == [
        ("foothold", None, None, "h0"),
        ("harvest", None, "h0", None),
        ("login", "h0", None, "h2"),
    ]


def test_a_search_cut_short_still_prints_a_path_that_replays() -> None:
    """Past its budget the search keeps the shortest path found so far (or the round path)."""
    from segverify.engine.edges import build_graph
    from segverify.engine.shortest import Ways, shortest_path
    from segverify.engine.witness import Moves, PathWriter, least_fixpoint, steps_to
    from segverify.model.ir import OnlyViaSpec
    from segverify.semantics.verify import check_witness

    root = Path(__file__).resolve().parent.parent
    model = load_model([str(root / "examples/remote-access-vendor/flawed"), "pack:baseline"])
    (policy,) = [p for p in model.policies if p.id == "BASE-002"]
    assert isinstance(policy.spec, OnlyViaSpec)
    ctx = api.new_context(model, Budget(seed=0))
    via = ctx.resolver.hosts_of(policy.spec.via)
    graph = build_graph(ctx, policy.spec.footholds, model.attacker_for(policy), via)
    fp = least_fixpoint(graph)
    ways = Ways(graph, fp, Moves(graph))
    upper = steps_to(fp, graph, ("host", "code-signing"))
    outcomes = []
    for limit in (1, 4, 50_000):
        found = shortest_path(ways, ["code-signing"], upper, limit)
        fixpoint, facts = (fp, upper) if found is None else (found.fixpoint, found.facts)
        hops = PathWriter(ctx, graph, fixpoint, policy.spec.footholds).hops(facts)
        w = PathWitness("code-signing", hops)
        assert check_witness(model, policy, w) == []
        outcomes.append((found is not None and found.exact, moves(w)))
    assert outcomes[0] == (False, 7) and outcomes[-1] == (True, 5)
