"""The attacker's fixpoint: each move on hand-written models, and agreement with a naive fixpoint."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import HealthCheck, given, settings

from segverify.model.addresses import cidr_set
from segverify.model.intervals import union_all
from segverify.model.ir import AttackerProfile, IsolatedSpec, Model, OnlyViaSpec, Policy
from segverify.results import Hop
from segverify.semantics.attack import Attack
from segverify.semantics.context import Semantics
from segverify.semantics.moves import (
    attack_services,
    exploitable,
    foothold_accounts,
    foothold_text,
    is_login,
    setup_for,
    usable,
)
from segverify.semantics.replay import foothold_hosts, replay
from tests.semantics.scenario import HOSTS, scenario
from tests.strategies import (
    account,
    at,
    examples,
    flow,
    footholds,
    group,
    host,
    model_and_attack,
    policy,
    refs,
)

HOST = {h.name: h for h in HOSTS}


def run(
    model: Model,
    *fh: str | object,
    to: tuple[str, ...] = ("db",),
    profile: AttackerProfile | None = None,
    via: tuple[str, ...] = (),
) -> tuple[Attack, Semantics, Policy]:
    spec = (
        OnlyViaSpec(footholds(*fh), refs(*to), refs(*via)) if via else IsolatedSpec(footholds(*fh), refs(*to))
    )  # type: ignore[arg-type]
    pol = policy(spec, attacker=profile)
    sem = Semantics(model)
    return Attack(sem, setup_for(model, sem.resolver, pol)), sem, pol


def moves(path: tuple[Hop, ...]) -> list[tuple[str, str | None, str | None, str | None]]:
    return [(h.move, h.source or h.at, h.to, h.credential) for h in path]


def assert_replays(a: Attack, sem: Semantics, host_name: str) -> None:
    assert replay(sem, a.setup, a.path_to(host_name), host_name) == []


# ---- login and harvest -------------------------------------------------------------------------


def test_stolen_account_logs_in_harvests_and_reaches_the_database() -> None:
    model = scenario()
    a, sem, _ = run(model, at("alice", "internet"))
    assert a.controlled == {
        "laptops",
        "jump",
        "db",
        "relay",
        "relay6",
    }  # the relays: exploited from the internet
    assert a.held == {"alice", "ops-1", "ops-2"}
    path = a.path_to("db")
    assert moves(path) == [
        ("foothold", "internet", None, "alice"),
        ("login", "internet", "laptops", "alice"),
        ("login", "laptops", "jump", "alice"),
        ("harvest", "jump", None, "ops-2"),
        ("login", "jump", "db", "ops-2"),
    ]
    login = path[1]
    assert login.packet is not None and login.rule is not None
    assert login.packet.src == cidr_set("203.0.113.1").first()  # a documentation address on the internet
    assert login.packet.dst in HOST["laptops"].addresses and login.rule.name == "internet-to-laptops-rdp"
    assert path[0].address == login.packet.src
    assert_replays(a, sem, "db")


def test_mfa_blocks_a_harvested_credential_and_mfa_bypass_reopens_it() -> None:
    jump = replace(HOST["jump"], sessions=("ops-1",))
    model = scenario(replace_hosts={"jump": jump})
    blocked, _, _ = run(model, at("alice", "internet"))
    assert "ops-1" in blocked.held and "db" not in blocked.controlled
    bypass, sem, _ = run(model, at("alice", "internet"), profile=AttackerProfile(mfa_bypass=True))
    assert "db" in bypass.controlled
    assert moves(bypass.path_to("db"))[-1] == ("login", "jump", "db", "ops-1")
    assert_replays(bypass, sem, "db")


def test_an_mfa_account_foothold_is_useless_without_bypass() -> None:
    model = scenario()
    a, _, _ = run(model, at("ops-1", "jump"), to=("db",))
    assert a.held == {"ops-1"} and a.controlled == frozenset()
    b, _, _ = run(model, at("ops-2", "jump"), to=("db",))
    # Sending from jump's own address, ops-2 also logs in on jump itself (intra_zone allows it).
    assert b.controlled == {"db", "jump"}


def test_credential_theft_off_switches_harvest_off() -> None:
    a, _, _ = run(scenario(), at("alice", "internet"), profile=AttackerProfile(credential_theft=False))
    assert a.controlled == {"laptops", "jump", "relay", "relay6"} and a.held == {"alice"}


def test_a_group_in_sessions_hands_over_all_its_members() -> None:
    a, _, _ = run(scenario(), "jump", profile=AttackerProfile(mfa_bypass=True))
    assert a.held == {"ops-1", "ops-2"}


def test_nested_groups_open_logins_transitively() -> None:
    extra = [account("nina", "contractors"), group("contractors", "employees")]
    model = scenario(principals_extra=extra)
    a, sem, _ = run(model, at("nina", "corp"), to=("jump",))
    assert "jump" in a.controlled
    assert moves(a.path_to("jump")) == [("foothold", "corp", None, "nina"), ("login", "corp", "jump", "nina")]
    assert_replays(a, sem, "jump")


# ---- exploit -----------------------------------------------------------------------------------


def test_exploit_follows_the_profile_and_works_over_ipv6() -> None:
    model = scenario()
    declared, sem, _ = run(model, "internet", to=("relay",))
    assert declared.controlled == {"relay", "relay6"}
    assert moves(declared.path_to("relay6")) == [
        ("foothold", "internet", None, None),
        ("exploit", "internet", "relay6", None),
    ]
    packet = declared.path_to("relay6")[1].packet
    assert packet is not None and packet.src == cidr_set("2001:db8::1").first()
    assert_replays(declared, sem, "relay6")
    none, _, _ = run(model, "internet", to=("relay",), profile=AttackerProfile(exploits="none"))
    assert none.controlled == frozenset()


def test_exposed_makes_every_offered_service_exploitable() -> None:
    model = scenario(flows=[flow("internet-to-db", "internet", "db", "postgres")])
    declared, _, _ = run(model, "internet")
    assert "db" not in declared.controlled
    exposed, sem, _ = run(model, "internet", profile=AttackerProfile(exploits="exposed"))
    assert exposed.controlled == {"db", "jump"}  # then jump's ssh, inside prod
    assert exposed.path_to("db")[1].service == "postgres"
    assert_replays(exposed, sem, "db")


# ---- manage ------------------------------------------------------------------------------------


def test_manage_needs_no_flow() -> None:
    a, sem, _ = run(scenario(flows=[]), "dc", to=("laptops",))
    assert a.controlled == {"dc", "laptops"}
    assert moves(a.path_to("laptops")) == [("foothold", None, "dc", None), ("manage", "dc", "laptops", None)]
    assert_replays(a, sem, "laptops")


def test_manage_bypasses_the_jump_host() -> None:
    via_jump, _, _ = run(scenario(), "corp", via=("jump",))
    assert via_jump.reached_targets() == []
    assert "jump" not in via_jump.controlled
    ci = replace(HOST["ci"], manages=refs("db"))
    bypass, sem, _ = run(scenario(replace_hosts={"ci": ci}), "corp", via=("jump",))
    assert bypass.reached_targets() == ["db"]
    assert moves(bypass.path_to("db")) == [("foothold", None, "ci", None), ("manage", "ci", "db", None)]
    assert_replays(bypass, sem, "db")


def test_only_via_removes_via_addresses_from_every_sender() -> None:
    # The foothold CIDR covers the jump host's address; only_via must not let the attacker send from it.
    model = scenario(flows=[flow("jump-to-db", "10.20.0.4/30", "db", "ssh")])
    a, _, _ = run(model, at("ops-2", "10.20.0.4/30"), via=("jump",))
    assert "db" in a.controlled  # 10.20.0.4, .6, .7 remain
    b, _, _ = run(model, at("ops-2", "10.20.0.5"), via=("jump",))
    assert "db" not in b.controlled


# ---- first match and footholds ---------------------------------------------------------------


def test_first_match_decides_the_login_packet() -> None:
    deny_first = [flow("no-ssh", "corp", "jump", "ssh", "deny"), flow("ssh", "corp", "jump", "ssh")]
    a, _, _ = run(scenario(flows=deny_first), at("alice", "corp"), to=("jump",))
    assert "jump" not in a.controlled
    b, _, _ = run(scenario(flows=deny_first[::-1]), at("alice", "corp"), to=("jump",))
    assert "jump" in b.controlled
    assert b.path_to("jump")[-1].rule is not None and b.path_to("jump")[-1].rule.name == "ssh"


def test_a_foothold_host_that_is_a_target_is_reached_at_once() -> None:
    a, sem, _ = run(scenario(), "prod", to=("db",))
    assert a.reached_targets() == ["db"]
    path = a.path_to("db")
    assert len(path) == 1 and path[0].move == "foothold" and path[0].to == "db"
    assert path[0].address in HOST["db"].addresses
    assert_replays(a, sem, "db")


def test_a_fleet_is_one_node() -> None:
    fleet = host("kiosks", "corp", "10.10.0.64/29", services=["rdp"], logins=["employees"])
    a, _, _ = run(scenario(hosts_extra=[fleet]), at("alice", "corp"), to=("kiosks",))
    assert "kiosks" in a.controlled and len([h for h in a.controlled if h == "kiosks"]) == 1


# ---- properties ---------------------------------------------------------------------------------


def naive(model: Model, pol: Policy) -> tuple[set[str], set[str]]:
    """The four moves applied literally until nothing changes, one union sender set per round."""
    sem = Semantics(model)
    setup = setup_for(model, sem.resolver, pol)
    hosts = set(foothold_hosts(sem, setup))
    creds = {
        c for fh in setup.footholds if hasattr(fh, "account") for c in foothold_accounts(sem.principals, fh)
    }  # type: ignore[arg-type]
    refs_ = {foothold_text(fh) for fh in setup.footholds}
    while True:
        senders = union_all(
            [model.hosts[h].addresses for h in hosts] + [sem.resolver.addresses(r) for r in refs_]
        )
        senders = senders.difference(setup.via_addrs)
        new_hosts, new_creds = _naive_round(sem, setup, hosts, creds, senders)
        if new_hosts <= hosts and new_creds <= creds:
            return hosts, creds
        hosts |= new_hosts
        creds |= new_creds


def _naive_round(sem, setup, hosts, creds, senders):  # type: ignore[no-untyped-def]
    m, new_hosts, new_creds = sem.model, set(), set()
    for a in hosts:
        new_hosts |= sem.resolver.hosts_of(m.hosts[a].manages) - setup.via
        if setup.profile.credential_theft:
            new_creds |= sem.principals.session_accounts(m.hosts[a])
    for b in set(m.hosts) - hosts - setup.via:
        for s in m.hosts[b].services:
            if sem.table.find_packet(senders, m.hosts[b].addresses, m.services[s].ports, "allow") is None:
                continue
            may = [
                c
                for c in creds
                if usable(sem.principals, setup.profile, c) and sem.principals.may_log_in(c, m.hosts[b])
            ]
            if exploitable(setup.profile, m.hosts[b], s) or (is_login(m, s) and may):
                new_hosts.add(b)
    return new_hosts, new_creds


@settings(max_examples=examples(100), deadline=None, suppress_health_check=list(HealthCheck))
@given(model_and_attack())
def test_fixpoint_agrees_with_the_naive_one_and_every_path_replays(case) -> None:  # type: ignore[no-untyped-def]
    model, pol = case
    sem = Semantics(model)
    a = Attack(sem, setup_for(model, sem.resolver, pol))
    hosts, creds = naive(model, pol)
    assert a.controlled == hosts and a.held == creds
    for h in sorted(a.controlled):
        assert replay(sem, a.setup, a.path_to(h), h) == []


def test_attack_services_list_login_and_exploitable_services() -> None:
    model = scenario()
    relay = model.hosts["relay"]
    assert attack_services(model, AttackerProfile(), relay) == ("relay", "ssh")
    assert attack_services(model, AttackerProfile(exploits="none"), relay) == ("ssh",)
    assert attack_services(model, AttackerProfile(), model.hosts["ci"]) == ()
    assert attack_services(model, AttackerProfile(exploits="exposed"), model.hosts["ci"]) == ("https",)
