"""Building the IR: files merge, flows concatenate, names resolve, values are canonical and located."""

from __future__ import annotations

import difflib
from datetime import date
from pathlib import Path
from textwrap import dedent
from typing import Any

import pytest

from segverify.diagnostics import Span
from segverify.errors import ModelError, UsageError
from segverify.model.ir import (
    AccountFoothold,
    AttackerProfile,
    BlastRadiusSpec,
    IsolatedSpec,
    MatrixSpec,
    Model,
    NoFlowSpec,
    RefFoothold,
)
from segverify.model.load import load_model
from segverify.model.ports import ALL_SERVICES, parse_port_spec

NETWORK = """\
    segverify: 1
    zones:
      internet: {external: true, networks: [0.0.0.0/0, "::/0"]}
      corp: {networks: [10.10.0.0/16], tags: [corporate]}
      prod: {networks: [10.20.0.0/16, "2001:DB8:10:0::/48"]}
    hosts:
      laptops: {zone: corp, address: 10.10.0.0/20, services: [rdp, tcp/8080], logins: [staff]}
      jump: {zone: prod, address: 10.20.0.5/32, services: [ssh], logins: [ops], vulnerable: [ssh]}
      db: {zone: prod, address: "2001:db8:10::7", services: [postgres]}
    flows:
      - {from: corp, to: jump, services: [ssh]}
      - {name: named, from: internet, to: db, services: any, action: deny}
    """
PEOPLE = """\
    segverify: 1
    accounts:
      alice: {member_of: [staff]}
      ops-1: {member_of: [ops], mfa: true}
    groups:
      ops: {member_of: [admins], description: Operators}
    services:
      ssh: {ports: tcp/2222, login: true}
    flows:
      - {from: jump, to: prod, services: [ssh, udp/53]}
    defaults: {inter_zone: deny, attacker: {exploits: exposed}}
    """
POLICIES = """\
    segverify: 1
    defaults: {intra_zone: deny}
    policies:
      - id: P-1
        isolated: {from: [laptops, {account: alice, at: internet}], to: "tag:corporate"}
        attacker: {mfa_bypass: true}
      - id: P-2
        severity: low
        no_flow: {from: internet, to: prod, except: [https]}
      - id: P-3
        matrix: {zones: [corp, prod], allow: {"corp -> prod": [ssh]}}
      - id: P-4
        blast_radius: {from: laptops, max_hosts: 2}
    waivers:
      - {policy: P-2, reason: tracked, expires: 2027-03-31, owner: sec}
    """


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(dedent(text))
    return path


@pytest.fixture
def model(tmp_path: Path) -> Model:
    write(tmp_path, "b-people.yml", PEOPLE)
    write(tmp_path, "a-network.yaml", NETWORK)
    write(tmp_path, "notes.txt", "not yaml: ignored")
    policy = write(tmp_path.parent, f"{tmp_path.name}-policy.yaml", POLICIES)
    return load_model([str(tmp_path)], [str(policy)])


def test_folder_files_merge_in_file_name_order(model: Model) -> None:
    assert [Path(f).name for f in model.files][:2] == ["a-network.yaml", "b-people.yml"]
    assert [f.name for f in model.flows] == ["rule-1", "named", "rule-3"]
    assert [f.index for f in model.flows] == [0, 1, 2]
    assert Path(model.flows[2].span.file).name == "b-people.yml"
    assert model.flows[2].span.line == 10


def test_mappings_iterate_sorted(model: Model) -> None:
    for mapping in (model.zones, model.hosts, model.principals, model.services):
        assert list(mapping) == sorted(mapping)


def test_addresses_are_canonical(model: Model) -> None:
    assert model.zones["prod"].networks == ("10.20.0.0/16", "2001:db8:10::/48")
    jump, laptops, db = model.hosts["jump"], model.hosts["laptops"], model.hosts["db"]
    assert (jump.address, jump.fleet) == ("10.20.0.5", False)
    assert (laptops.address, laptops.fleet, laptops.addresses.size()) == ("10.10.0.0/20", True, 4096)
    assert (db.address, db.fleet) == ("2001:db8:10::7", False)


def test_services_builtin_overridden_and_inline(model: Model) -> None:
    ssh = model.services["ssh"]
    assert (ssh.builtin, ssh.ports, ssh.login) == (False, parse_port_spec("tcp/2222"), True)
    assert model.services["rdp"].builtin
    inline = model.services["tcp/8080"]
    assert (inline.login, inline.specs, inline.ports) == (False, ("tcp/8080",), parse_port_spec("tcp/8080"))
    assert model.flows[0].ports == parse_port_spec("tcp/2222")  # the override, everywhere
    assert model.flows[1].ports == ALL_SERVICES
    assert model.flows[2].ports == parse_port_spec("tcp/2222").union(parse_port_spec("udp/53"))


def test_principals_and_implicit_groups(model: Model) -> None:
    kinds = {name: p.kind for name, p in model.principals.items()}
    assert kinds == {
        "admins": "group",
        "alice": "account",
        "ops": "group",
        "ops-1": "account",
        "staff": "group",
    }
    assert model.principals["ops-1"].mfa
    assert model.principals["staff"].span.line == 3  # where alice's member_of first names it


def test_defaults_merge_across_files(model: Model) -> None:
    d = model.defaults
    assert (d.intra_zone, d.inter_zone, d.attacker) == ("deny", "deny", AttackerProfile(exploits="exposed"))


def test_policies_and_waivers(model: Model) -> None:
    by_id = {p.id: p for p in model.policies}
    p1 = by_id["P-1"]
    assert isinstance(p1.spec, IsolatedSpec)
    first, second = p1.spec.footholds
    assert isinstance(first, RefFoothold) and first.ref.text == "laptops"
    assert isinstance(second, AccountFoothold) and (second.account, second.at.text) == ("alice", "internet")
    # A policy's attacker overrides the keys it names; the rest come from defaults.attacker.
    assert p1.attacker == AttackerProfile(exploits="exposed", mfa_bypass=True)
    assert model.attacker_for(by_id["P-2"]) == model.defaults.attacker
    assert (by_id["P-1"].severity, by_id["P-2"].severity) == ("high", "low")
    no_flow = by_id["P-2"].spec
    assert isinstance(no_flow, NoFlowSpec) and no_flow.except_ports == parse_port_spec("tcp/443")
    matrix = by_id["P-3"].spec
    assert isinstance(matrix, MatrixSpec)
    assert matrix.allowed_ports("corp", "prod") == parse_port_spec("tcp/2222")
    assert not matrix.allowed_ports("prod", "corp")
    blast = by_id["P-4"].spec
    assert isinstance(blast, BlastRadiusSpec) and blast.max_hosts == 2
    (waiver,) = model.waivers
    assert (waiver.policy, waiver.expires, waiver.owner) == ("P-2", date(2027, 3, 31), "sec")


def test_duplicate_across_files_cites_both(tmp_path: Path) -> None:
    one = write(tmp_path, "one.yaml", "segverify: 1\nzones:\n  corp: {networks: [10.0.0.0/16]}\n")
    two = write(
        tmp_path,
        "two.yaml",
        "segverify: 1\nhosts:\n  x: {zone: corp, address: 10.0.0.1}\n"
        "  corp: {zone: corp, address: 10.0.0.2}\n",
    )
    with pytest.raises(ModelError) as exc:
        load_model([str(one), str(two)])
    (diag,) = exc.value.diagnostics
    assert diag.code == "duplicate-name"
    assert (diag.span, diag.related) == (Span(str(two), 4, 3), Span(str(one), 3, 3))
    assert f"{two}:4:3" in diag.render() and f"{one}:3:3" in diag.render()


def test_defaults_key_twice_across_files(tmp_path: Path) -> None:
    one = write(tmp_path, "one.yaml", "segverify: 1\ndefaults: {intra_zone: deny}\n")
    two = write(tmp_path, "two.yaml", "segverify: 1\ndefaults: {intra_zone: allow}\n")
    with pytest.raises(ModelError) as exc:
        load_model([str(one), str(two)])
    assert [(d.code, d.span.file, d.related) for d in exc.value.diagnostics] == [
        ("duplicate-name", str(two), Span(str(one), 2, 12))
    ]


def test_a_file_given_twice_is_read_once(tmp_path: Path) -> None:
    path = write(tmp_path, "m.yaml", "segverify: 1\nzones:\n  a: {networks: [10.0.0.0/8]}\n")
    model = load_model([str(path), str(tmp_path)])
    assert model.files == (str(path),)


def test_all_problems_of_all_files_come_at_once_sorted(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", "segverify: 1\nzones: {a: {networks: [10.0.0.0/8], x: 1}}\n")
    write(tmp_path, "b.yaml", "zones: {}\n")
    write(tmp_path, "c.yaml", "segverify: 1\nflows: [{from: nowhere, to: a, services: any}]\n")
    with pytest.raises(ModelError) as exc:
        load_model([str(tmp_path)])
    found = [(Path(d.span.file).name, d.code) for d in exc.value.diagnostics]
    assert found == [("a.yaml", "unknown-key"), ("b.yaml", "missing-version"), ("c.yaml", "dangling-ref")]


def test_no_model_path_is_a_usage_error() -> None:
    with pytest.raises(UsageError):
        load_model([])


def test_a_name_misspelt_in_many_places_is_looked_up_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each hint scans every defined name: a renamed group or zone must not cost that per use."""
    hosts = "".join(f"  h{i}: {{zone: lan, address: 10.0.0.{i}, logins: [opps]}}\n" for i in range(1, 41))
    flows = "".join(f"  - {{from: lann, to: h{i}, services: [ssh]}}\n" for i in range(1, 41))
    (tmp_path / "m.yaml").write_text(
        "segverify: 1\nzones: {lan: {networks: [10.0.0.0/24]}}\naccounts: {ops: {}}\n"
        f"hosts:\n{hosts}flows:\n{flows}"
    )
    looked_up: list[str] = []
    close_matches = difflib.get_close_matches

    def counting(word: str, *args: Any, **kwargs: Any) -> list[str]:
        looked_up.append(word)
        return close_matches(word, *args, **kwargs)

    monkeypatch.setattr(difflib, "get_close_matches", counting)
    with pytest.raises(ModelError) as exc:
        load_model([str(tmp_path)])
    hints = {(d.code, d.hint) for d in exc.value.diagnostics}
    assert hints == {("unknown-principal", "did you mean 'ops'?"), ("dangling-ref", "did you mean 'lan'?")}
    assert len(exc.value.diagnostics) == 80
    assert sorted(looked_up) == ["lann", "opps"]
