"""Test oracle: AWS's documented packet filtering, in plain Python, straight from describe-* JSON.

Written from the EC2 user guide, independently of the importer: a packet from A to B is delivered
iff A's security groups allow it out (any egress rule of any group; a group as peer means the
private addresses of the ENIs in it), A's subnet's network ACL allows it out (entries by rule
number, first match, final deny; only when it leaves the subnet), B's subnet's ACL lets it in, and
B's groups let it in. Addresses without an ENI have no groups; addresses in no subnet meet no ACL.
Replies are not checked here: segverify's flows are initiations (see docs/importers.md).
"""

from __future__ import annotations

import ipaddress
from typing import Any

PROTO = {"-1": None, "tcp": 6, "6": 6, "udp": 17, "17": 17, "icmp": 1, "1": 1, "sctp": 132, "132": 132}


class Aws:
    def __init__(self, *docs: dict[str, Any]) -> None:
        merged: dict[str, list[Any]] = {}
        for doc in docs:
            for key, items in doc.items():
                merged.setdefault(key, []).extend(items)
        self.subnets = merged.get("Subnets", [])
        self.enis = merged.get("NetworkInterfaces", [])
        self.groups = {g["GroupId"]: g for g in merged.get("SecurityGroups", [])}
        self.acl_of = {
            a["SubnetId"]: acl for acl in merged.get("NetworkAcls", []) for a in acl["Associations"]
        }

    def eni_ips(self, eni: dict[str, Any]) -> list[str]:
        ips = [p["PrivateIpAddress"] for p in eni.get("PrivateIpAddresses", [])] or [eni["PrivateIpAddress"]]
        return ips + [a["Ipv6Address"] for a in eni.get("Ipv6Addresses", [])]

    def eni_at(self, ip: str) -> dict[str, Any] | None:
        return next((e for e in self.enis if ip in self.eni_ips(e)), None)

    def subnet_at(self, ip: str) -> str | None:
        addr = ipaddress.ip_address(ip)
        for s in self.subnets:
            if addr in ipaddress.ip_network(s["CidrBlock"]):
                return str(s["SubnetId"])
        return None

    def _peer_matches(self, perm: dict[str, Any], ip: str) -> bool:
        addr = ipaddress.ip_address(ip)
        cidrs = [r["CidrIp"] for r in perm.get("IpRanges", [])] + [
            r["CidrIpv6"] for r in perm.get("Ipv6Ranges", [])
        ]
        if any(
            addr.version == ipaddress.ip_network(c).version and addr in ipaddress.ip_network(c) for c in cidrs
        ):
            return True
        members = {p["GroupId"] for p in perm.get("UserIdGroupPairs", [])}
        return any(ip in self.eni_ips(e) for e in self.enis if members & {g["GroupId"] for g in e["Groups"]})

    @staticmethod
    def _proto_matches(protocol: str, lo: int | None, hi: int | None, proto: int, port: int) -> bool:
        wanted = PROTO[protocol]
        if wanted is None:
            return True
        if wanted != proto:
            return False
        if proto not in (6, 17) or lo is None or hi is None or lo < 0:
            return True
        return lo <= port <= hi

    def _groups_allow(self, eni: dict[str, Any] | None, key: str, peer: str, proto: int, port: int) -> bool:
        if eni is None or not eni["Groups"]:
            return True  # no security group (NAT gateway, or not an ENI): nothing to pass
        perms = [p for g in eni["Groups"] for p in self.groups[g["GroupId"]][key]]
        return any(
            self._proto_matches(p["IpProtocol"], p.get("FromPort"), p.get("ToPort"), proto, port)
            and self._peer_matches(p, peer)
            for p in perms
        )

    def _acl_allows(self, subnet: str | None, egress: bool, peer: str, proto: int, port: int) -> bool:
        if subnet is None or subnet not in self.acl_of:
            return True
        addr = ipaddress.ip_address(peer)
        entries = sorted(
            (e for e in self.acl_of[subnet]["Entries"] if e["Egress"] == egress),
            key=lambda e: e["RuleNumber"],
        )
        for e in entries:
            net = ipaddress.ip_network(e.get("CidrBlock") or e["Ipv6CidrBlock"])
            ports = e.get("PortRange", {})
            if (
                addr.version == net.version
                and addr in net
                and self._proto_matches(e["Protocol"], ports.get("From"), ports.get("To"), proto, port)
            ):
                return bool(e["RuleAction"] == "allow")
        return False  # the final `*` entry

    def allowed(self, src: str, dst: str, proto: int, port: int) -> bool:
        s_sub, d_sub = self.subnet_at(src), self.subnet_at(dst)
        crossing = s_sub != d_sub
        return (
            self._groups_allow(self.eni_at(src), "IpPermissionsEgress", dst, proto, port)
            and (not crossing or self._acl_allows(s_sub, True, dst, proto, port))
            and (not crossing or self._acl_allows(d_sub, False, src, proto, port))
            and self._groups_allow(self.eni_at(dst), "IpPermissions", src, proto, port)
        )
