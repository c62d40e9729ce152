"""Test data: the AWS VPC user guide's examples, written as the describe-* JSON they come back as.

A web tier and a database tier in one VPC (10.0.0.0/16): the public subnet's custom network ACL is
the guide's "custom network ACL for a public subnet" (HTTP/HTTPS from anywhere, SSH and RDP from
the admin range 192.0.2.0/24, inbound ephemeral ports 1024-65535 for replies, rule `*` denies);
the security groups are the guide's web server and database server groups (MySQL only from
instances in the web server group).
"""

from __future__ import annotations

import copy
from typing import Any

ADMIN = "192.0.2.0/24"


def _entry(
    number: int, egress: bool, proto: str, cidr: str, ports: tuple[int, int] | None, allow: bool = True
) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "RuleNumber": number,
        "Protocol": proto,
        "RuleAction": "allow" if allow else "deny",
        "Egress": egress,
        "CidrBlock": cidr,
    }
    if ports:
        entry["PortRange"] = {"From": ports[0], "To": ports[1]}
    return entry


PUBLIC_ACL = [
    _entry(100, False, "6", "0.0.0.0/0", (80, 80)),
    _entry(110, False, "6", "0.0.0.0/0", (443, 443)),
    _entry(120, False, "6", ADMIN, (22, 22)),
    _entry(130, False, "6", ADMIN, (3389, 3389)),
    _entry(140, False, "6", "0.0.0.0/0", (1024, 65535)),
    _entry(32767, False, "-1", "0.0.0.0/0", None, allow=False),
    _entry(100, True, "6", "0.0.0.0/0", (80, 80)),
    _entry(110, True, "6", "0.0.0.0/0", (443, 443)),
    _entry(120, True, "6", "0.0.0.0/0", (1024, 65535)),
    _entry(130, True, "6", "10.0.2.0/24", (3306, 3306)),
    _entry(32767, True, "-1", "0.0.0.0/0", None, allow=False),
]

# The default network ACL: rule 100 allows everything both ways.
DEFAULT_ACL = [
    _entry(100, False, "-1", "0.0.0.0/0", None),
    _entry(32767, False, "-1", "0.0.0.0/0", None, allow=False),
    _entry(100, True, "-1", "0.0.0.0/0", None),
    _entry(32767, True, "-1", "0.0.0.0/0", None, allow=False),
]


def _tcp(port: int, cidrs: tuple[str, ...] = (), groups: tuple[str, ...] = ()) -> dict[str, Any]:
    return {
        "IpProtocol": "tcp",
        "FromPort": port,
        "ToPort": port,
        "IpRanges": [{"CidrIp": c} for c in cidrs],
        "UserIdGroupPairs": [{"GroupId": g, "UserId": "123456789012"} for g in groups],
    }


ALL_OUT = [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}], "UserIdGroupPairs": []}]


def _eni(eni: str, subnet: str, ip: str, groups: tuple[str, ...], **extra: Any) -> dict[str, Any]:
    return {
        "NetworkInterfaceId": eni,
        "SubnetId": subnet,
        "VpcId": "vpc-0a1",
        "PrivateIpAddress": ip,
        "PrivateIpAddresses": [{"PrivateIpAddress": ip, "Primary": True}],
        "Groups": [{"GroupId": g, "GroupName": g} for g in groups],
        "InterfaceType": "interface",
        **extra,
    }


def web_and_db() -> dict[str, Any]:
    """The two-tier example as one describe-* document per section (a fresh copy: tests change it)."""
    return copy.deepcopy(
        {
            "Vpcs": [
                {"VpcId": "vpc-0a1", "CidrBlock": "10.0.0.0/16", "Tags": [{"Key": "Name", "Value": "shop"}]}
            ],
            "Subnets": [
                {"SubnetId": "subnet-0pub", "VpcId": "vpc-0a1", "CidrBlock": "10.0.1.0/24"},
                {"SubnetId": "subnet-0db", "VpcId": "vpc-0a1", "CidrBlock": "10.0.2.0/24"},
            ],
            "InternetGateways": [
                {"InternetGatewayId": "igw-0c3", "Attachments": [{"VpcId": "vpc-0a1", "State": "available"}]}
            ],
            "SecurityGroups": [
                {
                    "GroupId": "sg-0web",
                    "GroupName": "WebServerSG",
                    "VpcId": "vpc-0a1",
                    "IpPermissions": [
                        _tcp(80, ("0.0.0.0/0",)),
                        _tcp(443, ("0.0.0.0/0",)),
                        _tcp(22, (ADMIN,)),
                    ],
                    "IpPermissionsEgress": ALL_OUT,
                },
                {
                    "GroupId": "sg-0db",
                    "GroupName": "DBServerSG",
                    "VpcId": "vpc-0a1",
                    "IpPermissions": [_tcp(3306, groups=("sg-0web",)), _tcp(22, (ADMIN,))],
                    "IpPermissionsEgress": ALL_OUT,
                },
            ],
            "NetworkAcls": [
                {
                    "NetworkAclId": "acl-0pub",
                    "VpcId": "vpc-0a1",
                    "IsDefault": False,
                    "Associations": [{"NetworkAclId": "acl-0pub", "SubnetId": "subnet-0pub"}],
                    "Entries": PUBLIC_ACL,
                },
                {
                    "NetworkAclId": "acl-0def",
                    "VpcId": "vpc-0a1",
                    "IsDefault": True,
                    "Associations": [{"NetworkAclId": "acl-0def", "SubnetId": "subnet-0db"}],
                    "Entries": DEFAULT_ACL,
                },
            ],
            "NetworkInterfaces": [
                _eni("eni-0web1", "subnet-0pub", "10.0.1.10", ("sg-0web",)),
                _eni("eni-0web2", "subnet-0pub", "10.0.1.11", ("sg-0web",)),
                _eni("eni-0db1", "subnet-0db", "10.0.2.20", ("sg-0db",)),
                _eni(
                    "eni-0nat",
                    "subnet-0pub",
                    "10.0.1.5",
                    (),
                    InterfaceType="nat_gateway",
                    RequesterManaged=True,
                ),
            ],
        }
    )
