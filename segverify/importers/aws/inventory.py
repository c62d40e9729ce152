"""AWS importer: the EC2 objects read from describe-* JSON, each with the span it was written at."""

from __future__ import annotations

from dataclasses import dataclass, field

from segverify.diagnostics import Span


@dataclass(frozen=True, slots=True)
class Peer:
    """One source (ingress) or destination (egress) of a security group rule."""

    kind: str  # "cidr" | "group" | "prefix-list"
    value: str
    span: Span


@dataclass(frozen=True, slots=True)
class Permission:
    """One IpPermissions entry: a protocol, a port range and its peers."""

    protocol: str
    from_port: int | None
    to_port: int | None
    peers: tuple[Peer, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class SecurityGroup:
    group_id: str
    name: str
    vpc_id: str
    ingress: tuple[Permission, ...]
    egress: tuple[Permission, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class AclEntry:
    """One network ACL entry; `cidr` is its CidrBlock or Ipv6CidrBlock."""

    number: int
    egress: bool
    allow: bool
    protocol: str
    cidr: str
    port_from: int | None
    port_to: int | None
    icmp_type: int | None
    span: Span


@dataclass(frozen=True, slots=True)
class NetworkAcl:
    acl_id: str
    vpc_id: str
    subnets: tuple[str, ...]
    entries: tuple[AclEntry, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class Subnet:
    subnet_id: str
    vpc_id: str
    cidrs: tuple[str, ...]
    name: str
    span: Span


@dataclass(frozen=True, slots=True)
class Vpc:
    vpc_id: str
    cidrs: tuple[str, ...]
    name: str
    span: Span


@dataclass(frozen=True, slots=True)
class Interface:
    """An ENI: its private addresses (primary first), subnet, groups and kind."""

    eni_id: str
    subnet_id: str
    vpc_id: str
    addresses: tuple[str, ...]
    groups: tuple[str, ...]
    kind: str
    requester_managed: bool
    source_dest_check: bool  # False: it forwards packets not addressed to it (NAT instance, appliance)
    description: str
    public_ips: tuple[str, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class Gateway:
    gateway_id: str
    vpcs: tuple[str, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class Warning:
    """Something the model cannot say exactly; `effect` tells whether leaving it out widens."""

    span: Span
    code: str
    message: str
    effect: str  # "widens" | "may narrow"

    def render(self) -> str:
        return f"{self.span}: warning[{self.code}]: {self.message} ({self.effect})"


@dataclass(slots=True)
class Inventory:
    vpcs: dict[str, Vpc] = field(default_factory=dict)
    subnets: dict[str, Subnet] = field(default_factory=dict)
    interfaces: dict[str, Interface] = field(default_factory=dict)
    groups: dict[str, SecurityGroup] = field(default_factory=dict)
    acls: dict[str, NetworkAcl] = field(default_factory=dict)
    gateways: dict[str, Gateway] = field(default_factory=dict)
