"""AWS importer: one describe-* item (a located JSON object) to an inventory object."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TypeVar

from segverify.diagnostics import Diagnostic, Span
from segverify.importers.aws.inventory import (
    AclEntry,
    Gateway,
    Interface,
    Inventory,
    NetworkAcl,
    Peer,
    Permission,
    SecurityGroup,
    Subnet,
    Vpc,
    Warning,
)
from segverify.model.yamlio import YMap, YNode, YScalar, YSeq

T = TypeVar("T")


class Reader:
    """Typed field access on located objects; collects errors (diagnostics) and warnings."""

    def __init__(self, diags: list[Diagnostic]) -> None:
        self.diags = diags
        self.warnings: list[Warning] = []

    def problem(self, code: str, message: str, span: Span, hint: str = "") -> None:
        self.diags.append(Diagnostic(code, message, span, hint))

    def warn(self, span: Span, code: str, message: str, effect: str) -> None:
        self.warnings.append(Warning(span, code, message, effect))

    def text(self, obj: YMap, key: str, required: bool = True) -> str:
        node = obj.get(key)
        if node is None:
            if required:
                self.problem("aws-shape", f"the object has no '{key}'", obj.span)
            return ""
        if not isinstance(node, YScalar) or node.value is None or isinstance(node.value, bool):
            self.problem("aws-shape", f"'{key}' must be a string", node.span)
            return ""
        return str(node.value)

    def number(self, obj: YMap, key: str) -> int | None:
        node = obj.get(key)
        if node is None:
            return None
        if not isinstance(node, YScalar) or isinstance(node.value, bool) or not isinstance(node.value, int):
            self.problem("aws-shape", f"'{key}' must be an integer", node.span)
            return None
        return node.value

    def flag(self, obj: YMap, key: str) -> bool:
        node = obj.get(key)
        return isinstance(node, YScalar) and node.value is True

    def items(self, obj: YMap, key: str) -> Iterator[YMap]:
        node = obj.get(key)
        if node is None:
            return
        if not isinstance(node, YSeq):
            self.problem("aws-shape", f"'{key}' must be a list", node.span)
            return
        for item in node.items:
            if isinstance(item, YMap):
                yield item
            else:
                self.problem("aws-shape", f"an item of '{key}' must be an object", item.span)

    def child(self, obj: YMap, key: str) -> YMap | None:
        node: YNode | None = obj.get(key)
        return node if isinstance(node, YMap) else None

    def name_tag(self, obj: YMap) -> str:
        return next(
            (self.text(t, "Value", False) for t in self.items(obj, "Tags") if self.text(t, "Key") == "Name"),
            "",
        )


def _store(reader: Reader, table: dict[str, T], key: str, value: T, span: Span) -> None:
    """Keep an object by id; the same object twice (two exports overlapping) is read once."""
    if not key:
        return
    old = table.get(key)
    if old is not None and old != value:
        reader.problem("duplicate-name", f"'{key}' is described twice, differently", span)
        return
    table.setdefault(key, value)


def _v6(reader: Reader, obj: YMap) -> tuple[str, ...]:
    return tuple(reader.text(a, "Ipv6CidrBlock") for a in reader.items(obj, "Ipv6CidrBlockAssociationSet"))


def add_vpc(reader: Reader, obj: YMap, inv: Inventory) -> None:
    v4 = [reader.text(a, "CidrBlock") for a in reader.items(obj, "CidrBlockAssociationSet")]
    cidrs = tuple(dict.fromkeys([reader.text(obj, "CidrBlock"), *v4, *_v6(reader, obj)]))
    vpc = Vpc(reader.text(obj, "VpcId"), tuple(c for c in cidrs if c), reader.name_tag(obj), obj.span)
    _store(reader, inv.vpcs, vpc.vpc_id, vpc, obj.span)


def add_subnet(reader: Reader, obj: YMap, inv: Inventory) -> None:
    cidrs = (reader.text(obj, "CidrBlock", False), *_v6(reader, obj))
    subnet = Subnet(
        reader.text(obj, "SubnetId"),
        reader.text(obj, "VpcId"),
        tuple(c for c in cidrs if c),
        reader.name_tag(obj),
        obj.span,
    )
    _store(reader, inv.subnets, subnet.subnet_id, subnet, obj.span)


def _addresses(reader: Reader, obj: YMap) -> tuple[str, ...]:
    private = list(reader.items(obj, "PrivateIpAddresses"))
    private.sort(key=lambda a: not reader.flag(a, "Primary"))  # the primary address first
    v4 = [reader.text(a, "PrivateIpAddress") for a in private] or [
        reader.text(obj, "PrivateIpAddress", False)
    ]
    v6 = [reader.text(a, "Ipv6Address") for a in reader.items(obj, "Ipv6Addresses")]
    return tuple(dict.fromkeys(a for a in (*v4, *v6) if a))


def _public_ips(reader: Reader, obj: YMap) -> tuple[str, ...]:
    found = []
    for holder in (obj, *reader.items(obj, "PrivateIpAddresses")):
        association = reader.child(holder, "Association")
        if association is not None:
            found.append(reader.text(association, "PublicIp", False))
    return tuple(sorted({ip for ip in found if ip}))


def _is_false(node: YNode | None) -> bool:
    return isinstance(node, YScalar) and node.value is False


def add_interface(reader: Reader, obj: YMap, inv: Inventory) -> None:
    for key in ("Ipv4Prefixes", "Ipv6Prefixes"):
        if obj.get(key) is not None and any(True for _ in reader.items(obj, key)):
            message = f"'{key}' (prefix delegation) is not imported: those addresses are no host"
            reader.warn(obj.key_span(key), "aws-prefix-delegation", message, "may narrow")
    eni = Interface(
        eni_id=reader.text(obj, "NetworkInterfaceId"),
        subnet_id=reader.text(obj, "SubnetId"),
        vpc_id=reader.text(obj, "VpcId", False),
        addresses=_addresses(reader, obj),
        groups=tuple(sorted({reader.text(g, "GroupId") for g in reader.items(obj, "Groups")})),
        kind=reader.text(obj, "InterfaceType", False) or "interface",
        requester_managed=reader.flag(obj, "RequesterManaged"),
        source_dest_check=not _is_false(obj.get("SourceDestCheck")),
        description=reader.text(obj, "Description", False),
        public_ips=_public_ips(reader, obj),
        span=obj.span,
    )
    if not eni.addresses:
        reader.problem("aws-shape", f"network interface '{eni.eni_id}' has no private address", obj.span)
    _store(reader, inv.interfaces, eni.eni_id, eni, obj.span)


def _peers(reader: Reader, obj: YMap) -> tuple[Peer, ...]:
    peers = [Peer("cidr", reader.text(r, "CidrIp"), r.span) for r in reader.items(obj, "IpRanges")]
    peers += [Peer("cidr", reader.text(r, "CidrIpv6"), r.span) for r in reader.items(obj, "Ipv6Ranges")]
    peers += [
        Peer("prefix-list", reader.text(r, "PrefixListId"), r.span)
        for r in reader.items(obj, "PrefixListIds")
    ]
    peers += [Peer("group", reader.text(r, "GroupId"), r.span) for r in reader.items(obj, "UserIdGroupPairs")]
    return tuple(peers)


def _permissions(reader: Reader, obj: YMap, key: str) -> tuple[Permission, ...]:
    return tuple(
        Permission(
            protocol=reader.text(p, "IpProtocol").lower(),
            from_port=reader.number(p, "FromPort"),
            to_port=reader.number(p, "ToPort"),
            peers=_peers(reader, p),
            span=p.span,
        )
        for p in reader.items(obj, key)
    )


def add_group(reader: Reader, obj: YMap, inv: Inventory) -> None:
    group = SecurityGroup(
        group_id=reader.text(obj, "GroupId"),
        name=reader.text(obj, "GroupName", False),
        vpc_id=reader.text(obj, "VpcId", False),
        ingress=_permissions(reader, obj, "IpPermissions"),
        egress=_permissions(reader, obj, "IpPermissionsEgress"),
        span=obj.span,
    )
    _store(reader, inv.groups, group.group_id, group, obj.span)


def _entry(reader: Reader, obj: YMap) -> AclEntry:
    ports = reader.child(obj, "PortRange")
    icmp = reader.child(obj, "IcmpTypeCode")
    action = reader.text(obj, "RuleAction").lower()
    if action not in ("allow", "deny"):
        reader.problem(
            "aws-shape", f"'RuleAction' is '{action}', not allow or deny", obj.key_span("RuleAction")
        )
    return AclEntry(
        number=reader.number(obj, "RuleNumber") or 0,
        egress=reader.flag(obj, "Egress"),
        allow=action == "allow",
        protocol=reader.text(obj, "Protocol").lower(),
        cidr=reader.text(obj, "CidrBlock", False) or reader.text(obj, "Ipv6CidrBlock", False),
        port_from=reader.number(ports, "From") if ports else None,
        port_to=reader.number(ports, "To") if ports else None,
        icmp_type=reader.number(icmp, "Type") if icmp else None,
        span=obj.span,
    )


def add_acl(reader: Reader, obj: YMap, inv: Inventory) -> None:
    acl = NetworkAcl(
        acl_id=reader.text(obj, "NetworkAclId"),
        vpc_id=reader.text(obj, "VpcId", False),
        subnets=tuple(sorted({reader.text(a, "SubnetId") for a in reader.items(obj, "Associations")})),
        entries=tuple(_entry(reader, e) for e in reader.items(obj, "Entries")),
        span=obj.span,
    )
    _store(reader, inv.acls, acl.acl_id, acl, obj.span)


def add_gateway(reader: Reader, obj: YMap, inv: Inventory) -> None:
    vpcs = tuple(sorted({reader.text(a, "VpcId") for a in reader.items(obj, "Attachments")}))
    gateway = Gateway(reader.text(obj, "InternetGatewayId"), vpcs, obj.span)
    _store(reader, inv.gateways, gateway.gateway_id, gateway, obj.span)
