"""import aws on the user guide's examples: each documented behaviour, decided on the imported model."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from segverify.importers.aws.command import import_aws
from tests.aws.examples import web_and_db
from tests.aws.layered import Loaded, allowed, deciding, load_layers

TCP = 6 * 65536


def _import(tmp_path: Path, doc: dict[str, Any]) -> Loaded:
    source = tmp_path / "describe.json"
    source.write_text(json.dumps(doc, indent=4))
    text, _ = import_aws([str(source)])
    return load_layers(text)


@pytest.fixture
def shop(tmp_path: Path) -> Loaded:
    return _import(tmp_path, web_and_db())


def test_web_is_open_to_the_internet_on_https_only(shop: Loaded) -> None:
    assert allowed(shop, "203.0.113.9", "10.0.1.10", TCP + 443)
    assert "acl-0pub:inbound:110" in deciding(shop, "203.0.113.9", "10.0.1.10", TCP + 443)
    assert not allowed(shop, "203.0.113.9", "10.0.1.10", TCP + 3306)


def test_ssh_only_from_the_admin_range(shop: Loaded) -> None:
    assert allowed(shop, "192.0.2.7", "10.0.1.10", TCP + 22)
    assert "acl-0pub:inbound:32767" in deciding(shop, "203.0.113.9", "10.0.1.10", TCP + 22)


def test_group_reference_admits_members_only(shop: Loaded) -> None:
    assert allowed(shop, "10.0.1.10", "10.0.2.20", TCP + 3306)
    assert "sg-0db:ingress:1" in deciding(shop, "10.0.1.11", "10.0.2.20", TCP + 3306)
    # The NAT gateway's ENI is in the web subnet but in no security group.
    assert "security-groups:ingress:deny" in deciding(shop, "10.0.1.5", "10.0.2.20", TCP + 3306)


def test_acl_inbound_ephemeral_rule_also_admits_initiations(shop: Loaded) -> None:
    # A stateless entry meant for replies admits new connections too: the group is what stops them.
    rules = deciding(shop, "203.0.113.9", "10.0.1.10", TCP + 8080)
    assert "acl-0pub:inbound:140" in rules and "security-groups:ingress:deny" in rules


def test_acl_outbound_limits_what_leaves_the_subnet(shop: Loaded) -> None:
    # The web group lets everything out; the public ACL only 80, 443, ephemeral and MySQL to the db subnet.
    assert not allowed(shop, "10.0.1.10", "10.0.2.20", TCP + 22)
    assert "acl-0pub:outbound:32767" in deciding(shop, "10.0.1.10", "10.0.2.20", TCP + 22)


def test_acl_does_not_filter_within_its_subnet(shop: Loaded) -> None:
    rules = deciding(shop, "10.0.1.10", "10.0.1.11", TCP + 22)
    assert "subnet-0pub:outbound:within-subnet" in rules
    assert allowed(shop, "10.0.1.5", "10.0.1.10", TCP + 22) is False  # the web group still decides
    assert allowed(shop, "10.0.1.10", "10.0.1.5", TCP + 9999)  # NAT gateway ENI: no group, same subnet


def test_rule_numbers_not_list_order_decide(tmp_path: Path) -> None:
    doc = web_and_db()
    entries = doc["NetworkAcls"][0]["Entries"]
    deny = {
        "RuleNumber": 90,
        "Protocol": "6",
        "RuleAction": "deny",
        "Egress": False,
        "CidrBlock": "203.0.113.0/24",
    }
    entries.append(deny | {"PortRange": {"From": 443, "To": 443}})
    loaded = _import(tmp_path, doc)
    assert not allowed(loaded, "203.0.113.9", "10.0.1.10", TCP + 443)
    assert "acl-0pub:inbound:90" in deciding(loaded, "203.0.113.9", "10.0.1.10", TCP + 443)
    assert allowed(loaded, "198.51.100.1", "10.0.1.10", TCP + 443)


def test_groups_are_a_union(tmp_path: Path) -> None:
    doc = web_and_db()
    doc["NetworkInterfaces"][2]["Groups"].append({"GroupId": "sg-0web"})
    loaded = _import(tmp_path, doc)
    assert "sg-0web:ingress:1" in deciding(loaded, "203.0.113.9", "10.0.2.20", TCP + 80)
    assert allowed(loaded, "203.0.113.9", "10.0.2.20", TCP + 80)


def test_secondary_address_is_a_host_of_the_same_eni(tmp_path: Path) -> None:
    doc = web_and_db()
    web = doc["NetworkInterfaces"][0]
    web["PrivateIpAddresses"].append({"PrivateIpAddress": "10.0.1.50", "Primary": False})
    source = tmp_path / "describe.json"
    source.write_text(json.dumps(doc))
    text, _ = import_aws([str(source)])
    assert 'manages: ["eni-0web1"]' in text and 'manages: ["eni-0web1-10-0-1-50"]' in text
    loaded = load_layers(text)
    assert allowed(loaded, "10.0.1.50", "10.0.2.20", TCP + 3306)  # the group reference covers it


def test_ipv6_addresses_ranges_and_entries(tmp_path: Path) -> None:
    doc = web_and_db()
    doc["Subnets"][0]["Ipv6CidrBlockAssociationSet"] = [{"Ipv6CidrBlock": "2001:db8:1::/64"}]
    doc["NetworkInterfaces"][0]["Ipv6Addresses"] = [{"Ipv6Address": "2001:db8:1::10"}]
    doc["SecurityGroups"][0]["IpPermissions"][1]["Ipv6Ranges"] = [{"CidrIpv6": "::/0"}]
    entry = {
        "RuleNumber": 111,
        "Protocol": "6",
        "RuleAction": "allow",
        "Egress": False,
        "Ipv6CidrBlock": "::/0",
    }
    doc["NetworkAcls"][0]["Entries"].append(entry | {"PortRange": {"From": 443, "To": 443}})
    loaded = _import(tmp_path, doc)
    assert "acl-0pub:inbound:111" in deciding(loaded, "2001:db8:ffff::1", "2001:db8:1::10", TCP + 443)
    assert allowed(loaded, "2001:db8:ffff::1", "2001:db8:1::10", TCP + 443)
    assert not allowed(loaded, "2001:db8:ffff::1", "2001:db8:1::10", TCP + 80)  # the v6 ACL admits 443 only


def _final_denies(text: str) -> set[str]:
    return {line.split('"')[1] for line in text.splitlines() if ':*", from:' in line}


def test_the_final_deny_is_written_only_where_the_acls_own_entries_leave_packets(tmp_path: Path) -> None:
    source = tmp_path / "describe.json"
    source.write_text(json.dumps(web_and_db()))
    text, _ = import_aws([str(source)])
    assert _final_denies(text) == set()  # the guide's ACLs end with rule 32767 (`*`) both ways
    loaded = load_layers(text)
    assert "acl-0pub:inbound:32767" in deciding(loaded, "203.0.113.9", "10.0.1.10", TCP + 22)

    doc = web_and_db()  # without its 32767 entries, the ACL's final deny is written, both ways
    doc["NetworkAcls"][0]["Entries"] = [
        e for e in doc["NetworkAcls"][0]["Entries"] if e["RuleNumber"] != 32767
    ]
    source.write_text(json.dumps(doc))
    text, _ = import_aws([str(source)])
    assert _final_denies(text) == {"acl-0pub:inbound:*", "acl-0pub:outbound:*"}
    loaded = load_layers(text)
    assert not allowed(loaded, "203.0.113.9", "10.0.1.10", TCP + 22)
    assert "acl-0pub:inbound:*" in deciding(loaded, "203.0.113.9", "10.0.1.10", TCP + 22)


def test_an_ipv6_subnet_keeps_the_final_deny_until_an_ipv6_entry_decides_everything(tmp_path: Path) -> None:
    doc = web_and_db()
    doc["Subnets"][0]["Ipv6CidrBlockAssociationSet"] = [{"Ipv6CidrBlock": "2001:db8:1::/64"}]
    doc["NetworkInterfaces"][0]["Ipv6Addresses"] = [{"Ipv6Address": "2001:db8:1::10"}]
    doc["SecurityGroups"][0]["IpPermissions"][1]["Ipv6Ranges"] = [{"CidrIpv6": "::/0"}]
    source = tmp_path / "describe.json"
    source.write_text(json.dumps(doc))
    text, _ = import_aws([str(source)])
    assert _final_denies(text) == {"acl-0pub:inbound:*", "acl-0pub:outbound:*"}  # 32767 is IPv4 only
    loaded = load_layers(text)
    assert "acl-0pub:inbound:*" in deciding(loaded, "2001:db8:ffff::1", "2001:db8:1::10", TCP + 443)
    v6_all = {"RuleNumber": 32768, "Protocol": "-1", "RuleAction": "deny", "Ipv6CidrBlock": "::/0"}
    doc["NetworkAcls"][0]["Entries"] += [v6_all | {"Egress": False}, v6_all | {"Egress": True}]
    source.write_text(json.dumps(doc))
    text, _ = import_aws([str(source)])
    assert _final_denies(text) == set()
    loaded = load_layers(text)
    assert "acl-0pub:inbound:32768" in deciding(loaded, "2001:db8:ffff::1", "2001:db8:1::10", TCP + 443)
    assert not allowed(loaded, "2001:db8:ffff::1", "2001:db8:1::10", TCP + 443)
