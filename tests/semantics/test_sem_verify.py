"""The checkers accept every answer the oracle gives and reject answers that are wrong in any one detail."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from segverify.model.addresses import cidr_set
from segverify.model.ir import (
    AttackerProfile,
    BlastRadiusSpec,
    IsolatedSpec,
    Model,
    OnlyViaSpec,
    Policy,
    SeparateAccountsSpec,
)
from segverify.results import (
    AccountsCertificate,
    AccountsWitness,
    BlastWitness,
    Blocked,
    ClosedSetCertificate,
    Hop,
    MatrixWitness,
    Packet,
    PacketWitness,
    PathWitness,
    RegionCertificate,
    RuleRef,
    Status,
)
from segverify.semantics.attack import Attack
from segverify.semantics.closure import foothold_refs
from segverify.semantics.context import Semantics
from segverify.semantics.moves import setup_for
from segverify.semantics.policies import certificate_for, evaluate
from segverify.semantics.verify import check_certificate, check_witness
from tests.semantics.scenario import HOSTS, scenario
from tests.strategies import (
    at,
    examples,
    flow,
    footholds,
    matrix,
    model_and_attack,
    model_and_policy,
    no_flow,
    policy,
    reachable,
    refs,
)

SETTINGS = settings(max_examples=examples(100), deadline=None, suppress_health_check=list(HealthCheck))
HOST = {h.name: h for h in HOSTS}
BOGUS = RuleRef(name="bogus", action="allow", index=99)


def witness(model: Model, pol: Policy):  # type: ignore[no-untyped-def]
    status, w = evaluate(model, pol)
    assert status == Status.VIOLATED and check_witness(model, pol, w) == []  # type: ignore[arg-type]
    return w


def cert(model: Model, pol: Policy):  # type: ignore[no-untyped-def]
    c = certificate_for(model, pol)
    assert check_certificate(model, pol, c) == []
    return c


def rejects(model: Model, pol: Policy, answer, needle: str) -> None:  # type: ignore[no-untyped-def]
    check = (
        check_witness
        if not isinstance(answer, RegionCertificate | ClosedSetCertificate | AccountsCertificate)
        else check_certificate
    )
    errors = check(model, pol, answer)
    assert any(needle in e for e in errors), errors


# ---- packet witnesses ----------------------------------------------------------------------------


def test_packet_witness_mutations_are_rejected() -> None:
    model = scenario(flows=[flow("oops", "any", "relay", "ssh")])
    pol = no_flow(model, ["internet"], ["platform"], ["relay"])
    w = witness(model, pol)
    assert isinstance(w, PacketWitness)
    rejects(model, pol, replace(w, rule=BOGUS), "not by the claimed bogus")
    outside = replace(w.packet, src=cidr_set("10.10.0.1").first())  # corp, not internet
    rejects(model, pol, replace(w, packet=outside), "outside the policy's region")
    relay_port = replace(w.packet, svc=6 * 65536 + 5938)  # excepted
    rejects(model, pol, replace(w, packet=relay_port), "outside the policy's region")
    denied = replace(w.packet, dst=cidr_set("10.30.0.11").first())
    rejects(model, pol, PacketWitness(denied, RuleRef("default:inter_zone", "deny")), "does not violate")
    rejects(model, pol, MatrixWitness(()), "is not a witness for a no_flow policy")


def test_reachable_witness_must_be_denied() -> None:
    model = scenario()
    pol = reachable(model, ["corp"], ["jump"], ["ssh", "https"])
    w = witness(model, pol)
    assert isinstance(w, PacketWitness) and w.rule.action == "deny"
    ok = Packet(cidr_set("10.10.0.1").first(), cidr_set("10.20.0.5").first(), 6 * 65536 + 22)
    rejects(model, pol, PacketWitness(ok, w.rule), "not by the claimed")


def test_matrix_witness_must_list_every_failing_pair_in_order() -> None:
    model = scenario(flows=[flow("c2p", "corp", "platform", "https"), flow("p2c", "prod", "corp", "ssh")])
    pol = matrix(model, ["corp", "prod", "platform"])
    w = witness(model, pol)
    assert isinstance(w, MatrixWitness) and len(w.pairs) == 2
    rejects(model, pol, replace(w, pairs=w.pairs[:1]), "failing pair prod -> corp is not listed")
    rejects(model, pol, replace(w, pairs=w.pairs[::-1]), "not sorted")
    rejects(model, pol, replace(w, pairs=(replace(w.pairs[0], destination="prod"),) + w.pairs[1:]), "prod")


def test_accounts_witness_must_be_true() -> None:
    model = scenario()
    pol = policy(SeparateAccountsSpec(("corp", "prod")))
    w = witness(model, pol)
    assert isinstance(w, AccountsWitness)
    rejects(model, pol, replace(w, principal="corp-admin"), "may not log in")
    rejects(
        model,
        pol,
        replace(w, reason="session", hosts=("jump", "laptops"), zones=("prod", "corp")),
        "jump holds no session of alice",
    )
    rejects(model, pol, replace(w, hosts=("laptops", "dc"), zones=("corp", "corp")), "distinct listed zones")


# ---- path witnesses ------------------------------------------------------------------------------


def _db_path() -> tuple[Model, Policy, PathWitness]:
    model = scenario()
    pol = policy(IsolatedSpec(footholds(at("alice", "internet")), refs("db")))
    w = witness(model, pol)
    assert isinstance(w, PathWitness)
    return model, pol, w


def test_a_path_missing_its_harvest_uses_a_credential_before_it_is_held() -> None:
    model, pol, w = _db_path()
    path = tuple(h for h in w.path if h.move != "harvest")
    rejects(model, pol, replace(w, path=path), "credential ops-2 is used before it is held")


def test_a_path_out_of_order_sends_from_a_host_before_controlling_it() -> None:
    model, pol, w = _db_path()
    path = (w.path[0], w.path[2], w.path[1]) + w.path[3:]
    rejects(model, pol, replace(w, path=path), "neither a controlled host nor an opened foothold")


def test_a_path_hop_with_a_wrong_rule_or_packet_is_rejected() -> None:
    model, pol, w = _db_path()
    last = w.path[-1]
    assert last.packet is not None
    bad_rule = w.path[:-1] + (replace(last, rule=BOGUS),)
    rejects(model, pol, replace(w, path=bad_rule), "not by bogus")
    bad_src = w.path[:-1] + (replace(last, packet=replace(last.packet, src=cidr_set("10.20.0.99").first())),)
    rejects(model, pol, replace(w, path=bad_src), "not an address jump sends from")
    bad_port = w.path[:-1] + (replace(last, packet=replace(last.packet, svc=6 * 65536 + 443)),)
    rejects(model, pol, replace(w, path=bad_port), "not a port of ssh")
    rejects(model, pol, replace(w, path=w.path[:-1]), "not the target db")
    rejects(model, pol, replace(w, target="jump"), "not a target")


def test_mfa_credentials_and_foothold_hops_are_checked() -> None:
    model, pol, w = _db_path()
    harvest = next(i for i, h in enumerate(w.path) if h.move == "harvest")
    swapped = tuple(
        replace(h, credential="ops-1") if i in (harvest, len(w.path) - 1) else h for i, h in enumerate(w.path)
    )
    rejects(model, pol, replace(w, path=swapped), "needs mfa")
    fake = (Hop("foothold", at="internet", credential="corp-admin", address=w.path[0].address),) + w.path[1:]
    rejects(model, pol, replace(w, path=fake), "no account foothold gives corp-admin")
    fake_host = (Hop("foothold", to="jump"),) + w.path[1:]
    rejects(model, pol, replace(w, path=fake_host), "jump is not a foothold host")


def test_an_only_via_path_may_not_touch_a_via_host() -> None:
    model, _, w = _db_path()
    pol = policy(OnlyViaSpec(footholds(at("alice", "internet")), refs("db"), refs("jump")))
    status, _ = evaluate(model, pol)
    assert status == Status.PROVED
    rejects(model, pol, w, "touches the via host jump")


def test_manage_and_harvest_must_be_real() -> None:
    model = scenario()
    pol = policy(IsolatedSpec(footholds("dc"), refs("laptops")))
    w = witness(model, pol)
    assert isinstance(w, PathWitness) and w.path[-1] == Hop("manage", to="laptops", source="dc")
    rejects(
        model, pol, replace(w, path=(w.path[0], Hop("manage", to="laptops", source="ci"))), "before it is"
    )
    pol2 = policy(IsolatedSpec(footholds("dc"), refs("jump")))
    fake = (w.path[0], Hop("harvest", at="dc", credential="alice"))
    rejects(model, pol2, PathWitness("jump", fake), "holds no session of alice")


def test_blast_witness_must_exceed_the_limit_and_replay() -> None:
    model = scenario()
    pol = policy(BlastRadiusSpec(footholds("laptops"), 2))
    w = witness(model, pol)
    assert isinstance(w, BlastWitness)
    rejects(model, pol, replace(w, hosts=w.hosts[:2]), "do not exceed")
    broken = (w.hosts[0], replace(w.hosts[1], path=w.hosts[1].path[1:])) + w.hosts[2:]
    rejects(model, pol, replace(w, hosts=broken), "jump:")
    rejects(model, pol, replace(w, max_hosts=5), "max_hosts is 2")


# ---- certificates --------------------------------------------------------------------------------


def test_region_certificate_mutations_are_rejected() -> None:
    model = scenario()
    pol = no_flow(model, ["internet"], ["platform"], ["relay"])
    c = cert(model, pol)
    assert isinstance(c, RegionCertificate)
    rejects(model, pol, replace(c, deciding=c.deciding + (BOGUS,)), "deciding rules")
    rejects(model, pol, replace(c, deciding=()), "deciding rules")
    rejects(model, pol, replace(c, queries=2), "regions")
    violated = no_flow(model, ["internet"], ["platform"])
    rejects(model, violated, c, "allowed by internet-to-relay")


def _closed() -> tuple[Model, Policy, ClosedSetCertificate]:
    jump = replace(HOST["jump"], sessions=("ops-1",))
    model = scenario(replace_hosts={"jump": jump})
    pol = policy(IsolatedSpec(footholds(at("alice", "internet")), refs("db")))
    c = cert(model, pol)
    assert isinstance(c, ClosedSetCertificate)
    return model, pol, c


def test_closed_set_must_be_closed_under_every_move() -> None:
    model, pol, c = _closed()
    drop = lambda t, x: tuple(v for v in t if v != x)  # noqa: E731
    rejects(model, pol, replace(c, hosts=drop(c.hosts, "jump")), "login to jump on ssh as alice is possible")
    rejects(model, pol, replace(c, hosts=drop(c.hosts, "relay")), "exploit of relay on relay is possible")
    rejects(model, pol, replace(c, credentials=drop(c.credentials, "ops-1")), "session of ops-1")
    rejects(model, pol, replace(c, credentials=drop(c.credentials, "alice")), "foothold credential alice")
    rejects(model, pol, replace(c, senders=()), "foothold reference internet")
    rejects(model, pol, replace(c, hosts=c.hosts + ("db",)), "target db is inside")
    rejects(model, pol, replace(c, excluded=("jump",)), "excluded hosts")
    dc_model = scenario(replace_hosts={"jump": replace(HOST["jump"], sessions=("ops-1",))})
    dc_pol = policy(IsolatedSpec(footholds("dc"), refs("db")))
    dc_cert = cert(dc_model, dc_pol)
    assert isinstance(dc_cert, ClosedSetCertificate)
    rejects(dc_model, dc_pol, replace(dc_cert, hosts=("dc",)), "dc manages laptops")


def test_closed_set_boundary_reasons_must_be_true() -> None:
    model, pol, c = _closed()
    mfa = Blocked("login", "db", "ssh", "mfa", (), ("mfa",))
    assert mfa in c.boundary
    wrong = [
        Blocked("login", "db", "ssh", "no-allowed-packet", ()),
        Blocked("login", "dc", "rdp", "mfa"),
        Blocked("exploit", "db", "ssh", "no-allowed-packet"),
        Blocked("login", "jump", "ssh", "mfa"),
    ]
    needles = [
        "blocked by mfa; the entry says no-allowed-packet",
        "blocked by no-usable-credential; the entry says mfa",
        "not exploitable",
        "no such move",
    ]
    for entry, needle in zip(wrong, needles, strict=True):
        rejects(model, pol, replace(c, boundary=c.boundary + (entry,)), needle)
    assert not any(b.reason == "no-allowed-packet" for b in c.boundary)
    # With no rules at all, alice's rdp login to the laptops is stopped by the inter_zone default.
    quiet = scenario(flows=[])
    pol = policy(IsolatedSpec(footholds(at("alice", "internet")), refs("laptops")))
    c = cert(quiet, pol)
    assert isinstance(c, ClosedSetCertificate)
    denied = next(b for b in c.boundary if b.to == "laptops" and b.service == "rdp")
    assert denied.reason == "no-allowed-packet" and [r.name for r in denied.rules] == ["default:inter_zone"]
    rejects(quiet, pol, replace(c, boundary=(replace(denied, rules=(BOGUS,)),)), "denying rules")
    rejects(
        quiet,
        pol,
        replace(c, boundary=(replace(denied, reason="no-usable-credential"),)),
        "the entry says no-usable-credential",
    )


def test_a_blocked_move_lists_every_wall() -> None:
    """No rules: the inter_zone default denies alice's rdp to dc, and she may not log in there either."""
    quiet = scenario(flows=[])
    pol = policy(IsolatedSpec(footholds(at("alice", "internet")), refs("laptops")))
    for c in (cert(quiet, pol), engine_certificate(quiet, pol)):
        both = next(b for b in c.boundary if b.to == "dc" and b.service == "rdp")
        assert both.walls == ("no-allowed-packet", "no-usable-credential")
        assert [r.name for r in both.rules] == ["default:inter_zone"]
        for one in (("no-allowed-packet",), ("no-usable-credential",)):
            lonely = replace(both, reason=one[0], reasons=one)
            rejects(
                quiet,
                pol,
                replace(c, boundary=(lonely,)),
                "blocked by no-allowed-packet, no-usable-credential",
            )
        assert all(b.reasons for b in c.boundary)  # every entry lists its walls
        # An entry written before `reasons` existed claims only its reason: still checked, still true.
        old = replace(both, reasons=(), rules=())
        assert check_certificate(quiet, pol, replace(c, boundary=(old,))) == []
    from segverify.render.dot_paths import blocked_line

    assert blocked_line(both) == "rdp: denied by default:inter_zone; no usable credential"


def engine_certificate(model: Model, pol: Policy) -> ClosedSetCertificate:
    from segverify import api
    from segverify.analyses.registry import analysis_for
    from segverify.encode.solve import Budget

    verdict = analysis_for(pol.kind)(api.new_context(model, Budget(seed=0)), pol)
    assert isinstance(verdict.certificate, ClosedSetCertificate)
    assert check_certificate(model, pol, verdict.certificate) == []
    return verdict.certificate


def test_a_set_checked_once_is_checked_again_for_every_other_boundary_and_target() -> None:
    # One Semantics for the whole check remembers each set's closure check: a certificate
    # that differs only in its boundary, or a policy that differs in its targets, is still
    # checked in full.
    model, pol, c = _closed()
    sem = Semantics(model)
    assert check_certificate(model, pol, c, sem) == []
    wrong = replace(c, boundary=c.boundary + (Blocked("login", "jump", "ssh", "mfa"),))
    assert any("no such move" in e for e in check_certificate(model, pol, wrong, sem))
    fewer = replace(c, boundary=c.boundary[1:])
    assert check_certificate(model, pol, fewer, sem) == check_certificate(model, pol, fewer)
    inside = replace(pol, spec=IsolatedSpec(footholds(at("alice", "internet")), refs(c.hosts[0])))
    assert any("is inside the set" in e for e in check_certificate(model, inside, c, sem))
    exposed = replace(pol, attacker=AttackerProfile(exploits="exposed"))
    assert any("is possible" in e for e in check_certificate(model, exposed, c, sem))
    assert check_certificate(model, pol, c, sem) == []


def test_blast_certificate_must_respect_the_limit() -> None:
    model = scenario()
    pol = policy(BlastRadiusSpec(footholds("laptops"), 3))
    c = cert(model, pol)
    rejects(model, replace(pol, spec=BlastRadiusSpec(footholds("laptops"), 2)), c, "more than max_hosts 2")


def test_accounts_certificate_must_match_the_model() -> None:
    jump = replace(HOST["jump"], logins=("ops",))
    model = scenario(replace_hosts={"jump": jump})
    pol = policy(SeparateAccountsSpec(("corp", "prod")))
    c = cert(model, pol)
    assert isinstance(c, AccountsCertificate)
    rejects(model, pol, replace(c, zones=c.zones[:1]), "per-zone accounts differ")
    rejects(scenario(), pol, c, "alice spans corp and prod")


# ---- properties ----------------------------------------------------------------------------------


@SETTINGS
@given(model_and_policy())
def test_every_oracle_answer_passes_its_own_checker(case) -> None:  # type: ignore[no-untyped-def]
    model, pol = case
    status, w = evaluate(model, pol)
    if status == Status.VIOLATED:
        assert w is not None and check_witness(model, pol, w) == []
    else:
        assert w is None and check_certificate(model, pol, certificate_for(model, pol)) == []


@SETTINGS
@given(model_and_attack())
def test_every_oracle_attack_answer_passes_its_own_checker(case) -> None:  # type: ignore[no-untyped-def]
    test_every_oracle_answer_passes_its_own_checker.hypothesis.inner_test(case)  # type: ignore[attr-defined]


@SETTINGS
@given(model_and_policy() | model_and_attack())
def test_mutated_answers_are_rejected(case) -> None:  # type: ignore[no-untyped-def]
    model, pol = case
    status, w = evaluate(model, pol)
    if status == Status.VIOLATED:
        for bad in _bad_witnesses(w):
            assert check_witness(model, pol, bad) != [], bad
    else:
        for bad in _bad_certificates(model, pol, certificate_for(model, pol)):
            assert check_certificate(model, pol, bad) != [], bad


@SETTINGS
@given(model_and_attack(), st.data())
def test_an_accepted_closed_set_contains_everything_the_attacker_gains(case, data) -> None:  # type: ignore[no-untyped-def]
    """Checker soundness: any set it accepts as closed holds the whole least fixpoint."""
    model, pol = case
    sem = Semantics(model)
    setup = setup_for(model, sem.resolver, pol)
    attack = Attack(sem, setup)
    names, accounts = sorted(model.hosts), sorted(p.name for p in model.accounts())
    drop_h = data.draw(st.sets(st.sampled_from(names)))
    add_h = data.draw(st.sets(st.sampled_from(names)))
    drop_c = data.draw(st.sets(st.sampled_from(accounts))) if accounts else set()
    hosts = (attack.controlled - drop_h) | (add_h - setup.via)
    creds = (attack.held - drop_c) | set(accounts if data.draw(st.booleans()) else ())
    refs_ = foothold_refs(setup)
    candidate = ClosedSetCertificate(
        tuple(sorted(hosts)), tuple(sorted(creds)), refs_, (), tuple(sorted(setup.via))
    )
    errors = check_certificate(model, pol, candidate, sem)
    if not errors:
        assert attack.controlled <= hosts and attack.held <= creds
    elif hosts == attack.controlled and creds == attack.held:
        # The least fixpoint is closed: it can only fail on targets or the blast limit.
        assert all("target" in e or "max_hosts" in e for e in errors), errors


def _bad_witnesses(w):  # type: ignore[no-untyped-def]
    if isinstance(w, PacketWitness):
        yield replace(w, rule=BOGUS)
    elif isinstance(w, PathWitness):
        yield replace(w, path=w.path[:-1])
        # Without its footholds a path starts nowhere (dropping only the first of several
        # footholds can leave a path that is still an attack: not a bad witness).
        yield replace(w, path=tuple(h for h in w.path if h.move != "foothold"))
    elif isinstance(w, MatrixWitness):
        yield replace(w, pairs=w.pairs[1:])
        yield replace(w, pairs=(replace(w.pairs[0], rule=BOGUS),) + w.pairs[1:])
    elif isinstance(w, BlastWitness):
        yield replace(w, hosts=w.hosts[: w.max_hosts])
        yield replace(w, hosts=(replace(w.hosts[-1], path=w.hosts[-1].path[:-1]),) + w.hosts[:-1])
    elif isinstance(w, AccountsWitness):
        yield replace(w, zones=w.zones[::-1]) if w.zones[0] != w.zones[1] else replace(w, principal="nobody")


def _bad_certificates(model: Model, pol: Policy, c):  # type: ignore[no-untyped-def]
    if isinstance(c, RegionCertificate):
        yield replace(c, deciding=c.deciding + (BOGUS,))
        yield replace(c, queries=c.queries + 1)
    elif isinstance(c, AccountsCertificate):
        yield replace(c, zones=c.zones + (("nowhere", ("x",)),))
    elif isinstance(c, ClosedSetCertificate):
        yield replace(c, boundary=c.boundary + (Blocked("login", "nohost", "ssh", "mfa"),))
        if c.hosts and isinstance(pol.spec, IsolatedSpec | OnlyViaSpec | BlastRadiusSpec):
            yield from _dropped_foothold(model, pol, c)


def _dropped_foothold(model: Model, pol: Policy, c: ClosedSetCertificate):  # type: ignore[no-untyped-def]
    from segverify.semantics.context import Semantics
    from segverify.semantics.moves import setup_for
    from segverify.semantics.replay import foothold_hosts

    sem = Semantics(model)
    inside = sorted(foothold_hosts(sem, setup_for(model, sem.resolver, pol)))
    if inside:
        yield replace(c, hosts=tuple(h for h in c.hosts if h != inside[0]))
