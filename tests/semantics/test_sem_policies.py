"""The oracle verdict of each policy kind on hand-written models; its witnesses and certificates check."""

from __future__ import annotations

from dataclasses import replace

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
    MatrixWitness,
    PacketWitness,
    PathWitness,
    RegionCertificate,
    Status,
)
from segverify.semantics.policies import certificate_for, evaluate
from segverify.semantics.verify import check_certificate, check_witness
from tests.semantics.scenario import HOSTS, scenario
from tests.strategies import at, flow, footholds, host, matrix, no_flow, policy, reachable, refs

HOST = {h.name: h for h in HOSTS}


def proved(model: Model, pol: Policy):  # type: ignore[no-untyped-def]
    status, witness = evaluate(model, pol)
    assert (status, witness) == (Status.PROVED, None)
    cert = certificate_for(model, pol)
    assert check_certificate(model, pol, cert) == []
    return cert


def violated(model: Model, pol: Policy):  # type: ignore[no-untyped-def]
    status, witness = evaluate(model, pol)
    assert status == Status.VIOLATED and witness is not None
    assert check_witness(model, pol, witness) == []
    return witness


# ---- reachable and no_flow ---------------------------------------------------------------------

MONITORING = host("monitoring", "platform", "10.30.0.20")


def test_reachable_proved_cites_exactly_the_deciding_rules() -> None:
    rules = [flow("scrape", "monitoring", "prod", "node-exporter")]
    model = scenario(flows=rules, hosts_extra=[MONITORING])
    cert = proved(model, reachable(model, ["monitoring"], ["prod"], ["node-exporter"]))
    assert isinstance(cert, RegionCertificate) and [r.name for r in cert.deciding] == ["scrape"]
    assert cert.queries == 1


def test_reachable_violated_by_an_earlier_deny_names_the_host_and_rule() -> None:
    rules = [flow("no-db", "any", "db", "any", "deny"), flow("scrape", "monitoring", "prod", "node-exporter")]
    model = scenario(flows=rules, hosts_extra=[MONITORING])
    w = violated(model, reachable(model, ["monitoring"], ["prod"], ["node-exporter"]))
    assert isinstance(w, PacketWitness)
    assert (
        w.rule.name == "no-db" and w.rule.action == "deny" and w.packet.dst == cidr_set("10.20.0.10").first()
    )


def test_reachable_denied_by_default_cites_the_default() -> None:
    model = scenario(flows=[], hosts_extra=[MONITORING])
    w = violated(model, reachable(model, ["monitoring"], ["jump"], ["ssh"]))
    assert isinstance(w, PacketWitness) and w.rule.name == "default:inter_zone" and w.rule.index is None


def test_reachable_over_no_services_holds_vacuously() -> None:
    model = scenario()
    cert = proved(model, reachable(model, ["corp"], ["prod"], []))
    assert isinstance(cert, RegionCertificate) and cert.deciding == ()


def test_no_flow_with_except_and_the_rule_that_breaks_it() -> None:
    model = scenario()
    cert = proved(model, no_flow(model, ["internet"], ["platform"], ["relay"]))
    assert isinstance(cert, RegionCertificate)
    assert [r.name for r in cert.deciding] == ["default:inter_zone"]
    open_ssh = scenario(flows=[flow("oops", "any", "relay", ["relay", "ssh"])])
    w = violated(open_ssh, no_flow(open_ssh, ["internet"], ["platform"], ["relay"]))
    assert isinstance(w, PacketWitness) and w.rule.name == "oops" and w.packet.svc == 6 * 65536 + 22
    assert w.packet.src == cidr_set("203.0.113.1").first()


def test_no_flow_internet_excludes_internal_zones() -> None:
    model = scenario(flows=[flow("corp-to-relay", "corp", "relay", "ssh")])
    proved(model, no_flow(model, ["internet"], ["relay"]))
    violated(model, no_flow(model, ["any"], ["relay"]))


# ---- matrix ------------------------------------------------------------------------------------


def test_matrix_lists_every_failing_pair_sorted() -> None:
    model = scenario(
        flows=[
            flow("c2p", "corp", "platform", "https"),
            flow("p2c", "prod", "corp", "ssh"),
            flow("c2j", "corp", "jump", "ssh"),
        ]
    )
    zones = ["prod", "corp", "platform"]
    w = violated(model, matrix(model, zones))
    assert isinstance(w, MatrixWitness)
    assert [(p.source, p.destination, p.rule.name) for p in w.pairs] == [
        ("corp", "platform", "c2p"),
        ("corp", "prod", "c2j"),
        ("prod", "corp", "p2c"),
    ]
    allowed = {("corp", "platform"): ["https"], ("prod", "corp"): ["ssh"], ("corp", "prod"): ["ssh"]}
    cert = proved(model, matrix(model, zones, allowed))
    assert isinstance(cert, RegionCertificate) and cert.queries == 6


# ---- separate_accounts -------------------------------------------------------------------------


def test_separate_accounts_login_in_two_zones() -> None:
    model = scenario()  # alice (employees) may log in on laptops (corp) and jump (prod)
    w = violated(model, policy(SeparateAccountsSpec(("corp", "prod"))))
    assert w == AccountsWitness("alice", ("laptops", "jump"), ("corp", "prod"), "login")


def test_separate_accounts_session_in_one_zone_login_in_another() -> None:
    laptops = replace(HOST["laptops"], sessions=("ops-2",))
    jump = replace(HOST["jump"], logins=("ops",))
    model = scenario(replace_hosts={"laptops": laptops, "jump": jump})
    w = violated(model, policy(SeparateAccountsSpec(("corp", "prod"))))
    assert w == AccountsWitness("ops-2", ("laptops", "db"), ("corp", "prod"), "session")


def test_separate_accounts_proved_with_per_zone_accounts() -> None:
    jump = replace(HOST["jump"], logins=("ops",))
    model = scenario(replace_hosts={"jump": jump})
    cert = proved(model, policy(SeparateAccountsSpec(("corp", "prod"))))
    assert cert == AccountsCertificate((("corp", ("alice", "corp-admin")), ("prod", ("ops-1", "ops-2"))))


# ---- isolated, only_via, blast_radius ----------------------------------------------------------


def test_isolated_violated_path_and_proved_certificate_with_its_boundary() -> None:
    model = scenario()
    w = violated(model, policy(IsolatedSpec(footholds(at("alice", "internet")), refs("tag:crown-jewel"))))
    assert isinstance(w, PathWitness) and w.target == "db" and w.path[-1].move == "login"
    jump = replace(HOST["jump"], sessions=("ops-1",))
    model = scenario(replace_hosts={"jump": jump})
    cert = proved(model, policy(IsolatedSpec(footholds(at("alice", "internet")), refs("db"))))
    assert isinstance(cert, ClosedSetCertificate)
    assert cert.hosts == ("jump", "laptops", "relay", "relay6")
    assert cert.credentials == ("alice", "ops-1") and cert.senders == ("internet",)
    assert Blocked("login", "db", "ssh", "mfa", (), ("mfa",)) in cert.boundary
    assert (
        Blocked("login", "dc", "rdp", "no-usable-credential", (), ("no-usable-credential",)) in cert.boundary
    )


def test_only_via_certificate_excludes_the_via_hosts() -> None:
    model = scenario()
    pol = policy(OnlyViaSpec(footholds("corp"), refs("prod"), refs("jump")))
    cert = proved(model, pol)
    assert isinstance(cert, ClosedSetCertificate) and cert.excluded == ("jump",)
    assert "jump" not in cert.hosts
    # A direct rule from corp to db avoids the jump host: the path shows it.
    bypass = scenario(flows=[flow("shortcut", "laptops", "db", "ssh")])
    w = violated(bypass, policy(OnlyViaSpec(footholds(at("ops-2", "corp")), refs("db"), refs("jump"))))
    assert isinstance(w, PathWitness) and w.path[-1].rule is not None and w.path[-1].rule.name == "shortcut"


def test_blast_radius_counts_hosts_with_a_fleet_as_one() -> None:
    model = scenario()
    # The laptops fleet (one host), jump through alice harvested there, db through ops-2 harvested on jump.
    cert = proved(model, policy(BlastRadiusSpec(footholds("laptops"), 3)))
    assert isinstance(cert, ClosedSetCertificate) and cert.hosts == ("db", "jump", "laptops")
    w = violated(model, policy(BlastRadiusSpec(footholds("laptops"), 2)))
    assert isinstance(w, BlastWitness) and [c.host for c in w.hosts] == ["laptops", "jump", "db"]
    assert [h.move for h in w.hosts[2].path] == ["foothold", "harvest", "login", "harvest", "login"]


def test_profiles_change_the_verdict() -> None:
    model = scenario()
    pol = policy(
        IsolatedSpec(footholds("internet"), refs("relay")), attacker=AttackerProfile(exploits="none")
    )
    proved(model, pol)
    violated(model, replace(pol, attacker=None))
