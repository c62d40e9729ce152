"""Test generator: small random VPCs as describe-* JSON (one dict), for the differential test."""

from __future__ import annotations

import random
from typing import Any

PROTOCOLS = ["-1", "tcp", "udp", "icmp", "sctp"]
ACL_PROTOCOLS = ["-1", "6", "17", "1", "132"]
PORTS = [22, 80, 443, 1024, 5432, 65535]


def _ports(rng: random.Random) -> tuple[int, int]:
    lo, hi = sorted(rng.sample(PORTS, 2))
    return (lo, lo) if rng.random() < 0.5 else (lo, hi)


def _cidr(rng: random.Random, subnets: list[str], ips: list[str]) -> str:
    return rng.choice(["0.0.0.0/0", "10.0.0.0/16", "8.8.0.0/16", *subnets, *(f"{ip}/32" for ip in ips)])


def _permission(rng: random.Random, groups: list[str], subnets: list[str], ips: list[str]) -> dict[str, Any]:
    proto = rng.choice(PROTOCOLS)
    perm: dict[str, Any] = {"IpProtocol": proto, "IpRanges": [], "UserIdGroupPairs": []}
    if proto in ("tcp", "udp", "sctp"):
        perm["FromPort"], perm["ToPort"] = _ports(rng)
    elif proto == "icmp":
        perm["FromPort"], perm["ToPort"] = -1, -1
    for _ in range(rng.randint(1, 2)):
        if rng.random() < 0.4:
            perm["UserIdGroupPairs"].append({"GroupId": rng.choice(groups)})
        else:
            perm["IpRanges"].append({"CidrIp": _cidr(rng, subnets, ips)})
    return perm


def _entry(
    rng: random.Random, number: int, egress: bool, subnets: list[str], ips: list[str]
) -> dict[str, Any]:
    proto = rng.choice(ACL_PROTOCOLS)
    entry: dict[str, Any] = {
        "RuleNumber": number,
        "Protocol": proto,
        "RuleAction": rng.choice(["allow", "allow", "deny"]),
        "Egress": egress,
        "CidrBlock": _cidr(rng, subnets, ips),
    }
    if proto in ("6", "17", "132"):
        lo, hi = _ports(rng)
        entry["PortRange"] = {"From": lo, "To": hi}
    if proto == "1":
        entry["IcmpTypeCode"] = {"Type": -1, "Code": -1}
    return entry


def random_vpc(seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    subnets = [f"10.0.{i}.0/24" for i in range(1, rng.randint(2, 4))]
    subnet_ids = [f"subnet-{i}" for i in range(len(subnets))]
    enis, ips = [], []
    groups = [f"sg-{i}" for i in range(rng.randint(1, 4))]
    for i in range(rng.randint(2, 6)):
        s = rng.randrange(len(subnets))
        ip = f"10.0.{s + 1}.{10 + i}"
        addresses = [{"PrivateIpAddress": ip, "Primary": True}]
        if rng.random() < 0.25:  # a secondary address: its own host, in every group of the ENI
            addresses.append({"PrivateIpAddress": f"10.0.{s + 1}.{100 + i}", "Primary": False})
        ips += [a["PrivateIpAddress"] for a in addresses]
        chosen = rng.sample(groups, rng.randint(0, min(2, len(groups))))
        enis.append(
            {
                "NetworkInterfaceId": f"eni-{i}",
                "SubnetId": subnet_ids[s],
                "VpcId": "vpc-1",
                "PrivateIpAddress": ip,
                "PrivateIpAddresses": addresses,
                "Groups": [{"GroupId": g} for g in chosen],
            }
        )
    sgs = [
        {
            "GroupId": g,
            "GroupName": g,
            "VpcId": "vpc-1",
            "IpPermissions": [_permission(rng, groups, subnets, ips) for _ in range(rng.randint(0, 3))],
            "IpPermissionsEgress": [_permission(rng, groups, subnets, ips) for _ in range(rng.randint(0, 2))],
        }
        for g in groups
    ]
    acls = []
    for a in range(rng.randint(1, 2)):
        entries = [
            _entry(rng, 10 * (n + 1), egress, subnets, ips)
            for egress in (True, False)
            for n in range(rng.randint(0, 4))
        ]
        acls.append({"NetworkAclId": f"acl-{a}", "VpcId": "vpc-1", "Associations": [], "Entries": entries})
    for s, sid in enumerate(subnet_ids):
        if rng.random() < 0.9:
            acls[s % len(acls)]["Associations"].append({"SubnetId": sid})
    return {
        "Vpcs": [{"VpcId": "vpc-1", "CidrBlock": "10.0.0.0/16"}],
        "Subnets": [
            {"SubnetId": sid, "VpcId": "vpc-1", "CidrBlock": c}
            for sid, c in zip(subnet_ids, subnets, strict=True)
        ],
        "NetworkInterfaces": enis,
        "SecurityGroups": sgs,
        "NetworkAcls": acls,
    }


def probe_addresses(doc: dict[str, Any]) -> list[str]:
    """ENI addresses, a spare address in each subnet, one in the VPC outside subnets, one outside the VPC."""
    ips = [a["PrivateIpAddress"] for e in doc["NetworkInterfaces"] for a in e["PrivateIpAddresses"]]
    spare = [s["CidrBlock"].replace(".0/24", ".200") for s in doc["Subnets"]]
    return ips + spare + ["10.0.99.1", "8.8.8.8"]


def probe_services() -> list[tuple[int, int]]:
    """(protocol, port): each port the generator writes, its neighbours, and a protocol only `any` names."""
    ports = sorted({q for p in PORTS for q in (p - 1, p, p + 1) if 0 <= q <= 65535} | {0})
    return (
        [(6, p) for p in ports]
        + [(17, p) for p in ports[::3]]
        + [(132, p) for p in ports[::4]]
        + [(1, 0), (50, 0)]
    )
