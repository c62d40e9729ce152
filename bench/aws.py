"""`python -m bench.aws`: time `segverify import aws` on a synthetic estate, and loading what it writes.

The estate: one VPC of 60 subnets, 30 security groups (each admitting three ports, one from
another group), four network ACLs of ten entries each, and N ENIs with one or two groups, every
tenth with a secondary address. Written as describe-* JSON, imported, the model loaded.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import tempfile
import time
from typing import Any

from segverify.importers.aws.command import MODEL_FILE, import_aws
from segverify.model.load import load_model

SUBNETS, GROUPS, ACLS = 60, 30, 4


def _group(rng: random.Random, i: int) -> dict[str, Any]:
    ingress = [
        {
            "IpProtocol": "tcp",
            "FromPort": p,
            "ToPort": p,
            "IpRanges": [{"CidrIp": f"10.0.{rng.randint(1, SUBNETS)}.0/24"}],
        }
        for p in rng.sample([22, 80, 443, 5432, 6379, 8080], 2)
    ]
    ingress.append(
        {
            "IpProtocol": "tcp",
            "FromPort": 8443,
            "ToPort": 8443,
            "UserIdGroupPairs": [{"GroupId": f"sg-{rng.randrange(GROUPS)}"}],
        }
    )
    egress = [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]
    return {
        "GroupId": f"sg-{i}",
        "GroupName": f"g{i}",
        "VpcId": "vpc-1",
        "IpPermissions": ingress,
        "IpPermissionsEgress": egress,
    }


def _acl(rng: random.Random, i: int) -> dict[str, Any]:
    entries = [
        {
            "RuleNumber": 10 * (n + 1),
            "Protocol": "6",
            "RuleAction": rng.choice(["allow", "allow", "deny"]),
            "Egress": n % 2 == 0,
            "CidrBlock": f"10.0.{rng.randint(1, SUBNETS)}.0/24",
            "PortRange": {"From": 1024, "To": 65535},
        }
        for n in range(10)
    ]
    subnets = [{"SubnetId": f"subnet-{s}"} for s in range(1, SUBNETS + 1) if s % ACLS == i]
    return {"NetworkAclId": f"acl-{i}", "VpcId": "vpc-1", "Associations": subnets, "Entries": entries}


def _eni(rng: random.Random, i: int) -> dict[str, Any]:
    subnet, host = i % SUBNETS + 1, i // SUBNETS + 4
    addresses = [{"PrivateIpAddress": f"10.0.{subnet}.{host}", "Primary": True}]
    if i % 10 == 0:
        addresses.append({"PrivateIpAddress": f"10.0.{subnet}.{host + 100}", "Primary": False})
    groups = [{"GroupId": f"sg-{g}"} for g in rng.sample(range(GROUPS), rng.randint(1, 2))]
    subnet_id = f"subnet-{subnet}"
    return {
        "NetworkInterfaceId": f"eni-{i:05d}",
        "SubnetId": subnet_id,
        "PrivateIpAddresses": addresses,
        "Groups": groups,
    }


def estate(enis: int, seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    cidrs = lambda s: {"CidrBlock": f"10.0.{s}.0/24", "Ipv6CidrBlockAssociationSet": []}  # noqa: E731
    return {
        "Vpcs": [{"VpcId": "vpc-1", "CidrBlock": "10.0.0.0/16"}],
        "Subnets": [{"SubnetId": f"subnet-{s}", "VpcId": "vpc-1", **cidrs(s)} for s in range(1, SUBNETS + 1)],
        "SecurityGroups": [_group(rng, i) for i in range(GROUPS)],
        "NetworkAcls": [_acl(rng, i) for i in range(ACLS)],
        "NetworkInterfaces": [_eni(rng, i) for i in range(enis)],
    }


def main() -> None:
    ap = argparse.ArgumentParser(prog="python -m bench.aws", description=__doc__)
    ap.add_argument("--enis", type=int, default=5000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        source = os.path.join(tmp, "describe.json")
        with open(source, "w") as fh:
            json.dump(estate(args.enis, args.seed), fh, indent=4)
        imports, loads = [], []
        for _ in range(args.runs):
            start = time.perf_counter()
            text, _ = import_aws([source])
            imports.append(time.perf_counter() - start)
            with open(os.path.join(tmp, MODEL_FILE), "w") as fh:
                fh.write(text)
            start = time.perf_counter()
            model = load_model([os.path.join(tmp, MODEL_FILE)])
            loads.append(time.perf_counter() - start)
        size = os.path.getsize(source) / 1e6
        out = os.path.getsize(os.path.join(tmp, MODEL_FILE)) / 1e6
    print(f"{args.enis} ENIs ({size:.1f} MB JSON): import best {min(imports):.2f} s, model {out:.1f} MB")
    print(f"  load best {min(loads):.2f} s: {len(model.hosts)} hosts, {len(model.layers)} layers")


if __name__ == "__main__":
    main()
