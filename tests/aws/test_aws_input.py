"""import aws: bad input is exit 2 at file:line:column, inexact input is warned about, output is stable."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner  # noqa: TID251 (tests drive the CLI)

from segverify.cli import app
from segverify.errors import InternalError, ModelError
from segverify.importers.aws.command import check_written, import_aws
from segverify.model.load import load_model_texts
from tests.aws.examples import web_and_db


def _write(tmp_path: Path, doc: dict[str, Any], name: str = "describe.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(doc, indent=2))
    return path


def _codes(tmp_path: Path, doc: dict[str, Any]) -> list[tuple[str, int]]:
    with pytest.raises(ModelError) as caught:
        import_aws([str(_write(tmp_path, doc))])
    return [(d.code, d.span.line) for d in caught.value.diagnostics]


def _line_of(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


def test_not_json_is_located(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{"Subnets": [\n  {"SubnetId": "subnet-1",}\n]}\n')
    with pytest.raises(ModelError) as caught:
        import_aws([str(path)])
    (diag,) = caught.value.diagnostics
    assert (diag.code, diag.span.line) == ("json-syntax", 2)


def test_interface_in_an_undescribed_subnet_is_refused(tmp_path: Path) -> None:
    doc = web_and_db()
    doc["NetworkInterfaces"][0]["SubnetId"] = "subnet-0gone"
    path = _write(tmp_path, doc)
    with pytest.raises(ModelError) as caught:
        import_aws([str(path)])
    assert [d.code for d in caught.value.diagnostics] == ["aws-unknown-ref"]
    assert caught.value.diagnostics[0].span.line == _line_of(path, '"eni-0web1"') - 1


def test_undescribed_security_group_is_refused(tmp_path: Path) -> None:
    doc = web_and_db()
    doc["NetworkInterfaces"][0]["Groups"].append({"GroupId": "sg-0gone"})
    assert [c for c, _ in _codes(tmp_path, doc)] == ["aws-unknown-ref"]


def test_overlapping_vpcs_are_refused(tmp_path: Path) -> None:
    doc = web_and_db()
    doc["Subnets"].append({"SubnetId": "subnet-0other", "VpcId": "vpc-0b2", "CidrBlock": "10.0.1.0/25"})
    assert [c for c, _ in _codes(tmp_path, doc)] == ["zones-overlap"]


def test_missing_field_is_located(tmp_path: Path) -> None:
    doc = web_and_db()
    del doc["Subnets"][1]["SubnetId"]
    assert "aws-shape" in [c for c, _ in _codes(tmp_path, doc)]


def _warnings(tmp_path: Path, doc: dict[str, Any]) -> dict[str, str]:
    _, warnings = import_aws([str(_write(tmp_path, doc))])
    return {w.code: w.effect for w in warnings}


def test_each_inexact_input_is_warned_with_its_effect(tmp_path: Path) -> None:
    doc = web_and_db()
    web = doc["SecurityGroups"][0]["IpPermissions"]
    web.append(
        {"IpProtocol": "tcp", "FromPort": 9000, "ToPort": 9000, "PrefixListIds": [{"PrefixListId": "pl-1"}]}
    )
    web.append({"IpProtocol": "icmp", "FromPort": 8, "ToPort": 0, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]})
    web.append(
        {"IpProtocol": "tcp", "FromPort": 1, "ToPort": 1, "UserIdGroupPairs": [{"GroupId": "sg-0empty"}]}
    )
    deny_gre = {
        "RuleNumber": 50,
        "Protocol": "47",
        "RuleAction": "deny",
        "Egress": False,
        "CidrBlock": "0.0.0.0/0",
    }
    doc["NetworkAcls"][0]["Entries"].append(deny_gre)
    doc["Subnets"].append({"SubnetId": "subnet-0free", "VpcId": "vpc-0a1", "CidrBlock": "10.0.3.0/24"})
    assert _warnings(tmp_path, doc) == {
        "aws-prefix-list": "widens",
        "aws-protocol": "widens",
        "aws-group-without-interfaces": "may narrow",
        "aws-subnet-without-acl": "widens",
        "aws-acl-replies": "widens",
    }


def test_prefix_list_widens_to_any_address(tmp_path: Path) -> None:
    doc = web_and_db()
    db = doc["SecurityGroups"][1]["IpPermissions"]
    db.append(
        {"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432, "PrefixListIds": [{"PrefixListId": "pl-1"}]}
    )
    text, _ = import_aws([str(_write(tmp_path, doc))])
    assert (
        '{name: "sg-0db:ingress:3", from: ["0.0.0.0/0", "::/0"], to: ["tag:sg-0db"], services: ["tcp/5432"]}'
        in text
    )


def _without_sources(text: str) -> str:
    """The model without its `# file:line` comments (which name the files read)."""
    return "\n".join(
        re.sub(r"\s*#.*$", "", line) for line in text.splitlines() if not line.lstrip().startswith("#")
    )


def test_output_does_not_depend_on_file_or_object_order(tmp_path: Path) -> None:
    doc = web_and_db()
    parts = [{key: value} for key, value in doc.items()]
    files = [str(_write(tmp_path, part, f"{i}.json")) for i, part in enumerate(parts)]
    reversed_doc = {key: list(reversed(value)) for key, value in reversed(list(doc.items()))}
    one, _ = import_aws([str(_write(tmp_path, reversed_doc, "all.json"))])
    many, _ = import_aws(list(reversed(files)))
    assert _without_sources(one) == _without_sources(many)
    hosts = [line for line in one.splitlines() if line.startswith('  "eni-')]
    assert hosts == sorted(hosts)


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str


def _cli(*args: str) -> Run:
    result = CliRunner().invoke(app, list(args))
    return Run(result.exit_code, result.stdout, result.stderr)


def test_cli_writes_a_valid_model_folder(tmp_path: Path) -> None:
    source = _write(tmp_path, web_and_db())
    out = tmp_path / "model"
    run = _cli("import", "aws", str(source), "--output", str(out))
    assert run.returncode == 0, run.stderr
    assert run.stdout == ""
    assert "warning[aws-acl-replies]" in run.stderr
    check = _cli("validate", str(out))
    assert check.returncode == 0, check.stderr
    assert "3 zones, 4 hosts" in check.stdout


def test_cli_bad_input_is_exit_2_without_traceback(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{\n  "Vpcs": [\n')
    run = _cli("import", "aws", str(path), "-o", str(tmp_path / "out"))
    assert run.returncode == 2
    assert f"{path}:3:1: error[json-syntax]" in run.stderr
    assert "Traceback" not in run.stderr
    assert not (tmp_path / "out").exists()


def test_forwarding_interfaces_can_be_sent_from_by_whoever_reaches_them(tmp_path: Path) -> None:
    doc = web_and_db()
    doc["NetworkInterfaces"][1]["InterfaceType"] = "network_load_balancer"
    doc["NetworkInterfaces"][2]["SourceDestCheck"] = False
    text, _ = import_aws([str(_write(tmp_path, doc))])
    model = load_model_texts([("aws.yaml", text)])
    relays = sorted(name for name, host in model.hosts.items() if host.vulnerable)
    # requester-managed, a load balancer's ENI, and one that routes (source/destination check off)
    assert relays == ["eni-0db1", "eni-0nat", "eni-0web2"]


def test_malformed_rule_network_is_located(tmp_path: Path) -> None:
    doc = web_and_db()
    doc["SecurityGroups"][0]["IpPermissions"][0]["IpRanges"] = [{"CidrIp": "10.0.1.300/32"}]
    doc["NetworkAcls"][0]["Entries"][0]["CidrBlock"] = "10.0.1.5/24"
    assert [c for c, _ in _codes(tmp_path, doc)] == ["bad-cidr", "bad-cidr"]


def test_a_model_that_would_not_load_is_an_internal_error() -> None:
    with pytest.raises(InternalError):
        check_written("segverify: 1\nzones: {a: {networks: [10.0.0.5/8]}}\n", "aws.yaml")
    check_written("segverify: 1\nzones: {internet: {external: true, networks: [0.0.0.0/0]}}\n", "aws.yaml")
