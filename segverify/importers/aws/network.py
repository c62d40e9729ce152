"""AWS importer: subnets as zones (tagged with their VPC), ENIs as hosts, the internet as an external zone."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator

from segverify.diagnostics import Diagnostic, Span
from segverify.importers.aws.document import HostOut, ZoneOut
from segverify.importers.aws.inventory import Interface, Inventory
from segverify.importers.aws.objects import Reader

Net = ipaddress.IPv4Network | ipaddress.IPv6Network

GOVERNED = "security-group-member"
# ENIs that forward what they accept to other addresses (and those with the source/destination
# check off, which route packets not addressed to them): the connection on, from the ENI's own
# address, is a new packet the model cannot see. Marking every port of such an ENI vulnerable
# lets whoever reaches it send from it, which over-approximates any forwarding (sound).
RELAY_TYPES = frozenset(
    {"network_load_balancer", "gateway_load_balancer", "gateway_load_balancer_endpoint"}
)  # the tag of every host that has at least one security group


def _net(reader: Reader, text: str, span: Span) -> Net | None:
    try:
        return ipaddress.ip_network(text)
    except ValueError:
        reader.problem("bad-cidr", f"'{text}' is not a network", span)
        return None


def valid_network(reader: Reader, text: str, span: Span) -> bool:
    """A rule's CIDR as segverify reads it (no host bits), or an error at the rule."""
    try:
        ipaddress.ip_network(text)
    except ValueError:
        reader.problem("bad-cidr", f"'{text}' is not a network (or has host bits set)", span)
        return False
    return True


def check_overlaps(reader: Reader, inv: Inventory) -> None:
    """Subnets of different VPCs may reuse addresses; segverify has one address space, so refuse."""
    nets = sorted(
        (
            (net, s)
            for s in inv.subnets.values()
            for c in s.cidrs
            if (net := _net(reader, c, s.span)) is not None
        ),
        key=lambda item: (item[0].version, int(item[0].network_address), item[1].subnet_id),
    )
    for (a, sa), (b, sb) in zip(nets, nets[1:], strict=False):
        if a.version == b.version and a.overlaps(b):
            message = f"subnets '{sa.subnet_id}' ({sa.vpc_id}) and '{sb.subnet_id}' ({sb.vpc_id}) share {b}"
            hint = "import VPCs whose addresses overlap separately"
            reader.diags.append(Diagnostic("zones-overlap", message, sb.span, hint, sa.span))


def build_zones(inv: Inventory) -> list[ZoneOut]:
    zones = []
    for subnet in sorted(inv.subnets.values(), key=lambda s: s.subnet_id):
        vpc = inv.vpcs.get(subnet.vpc_id)
        vpc_text = f"{subnet.vpc_id} ({vpc.name})" if vpc and vpc.name else subnet.vpc_id
        label = f"subnet {subnet.name} " if subnet.name else "subnet "
        zones.append(
            ZoneOut(
                subnet.subnet_id, subnet.cidrs, f"{label}in VPC {vpc_text}", subnet.span, (subnet.vpc_id,)
            )
        )
    gateways = ", ".join(
        f"{g.gateway_id} ({', '.join(g.vpcs)})"
        for g in sorted(inv.gateways.values(), key=lambda g: g.gateway_id)
    )
    text = "every address outside the subnets" + (f"; internet gateways: {gateways}" if gateways else "")
    zones.append(ZoneOut("internet", ("0.0.0.0/0", "::/0"), text, None, external=True))
    return zones


def host_names(eni: Interface) -> Iterator[tuple[str, str]]:
    """(host name, address): the ENI's id for its primary address, id-address for the others."""
    for index, address in enumerate(eni.addresses):
        yield (
            (eni.eni_id if index == 0 else f"{eni.eni_id}-{address.replace(':', '-').replace('.', '-')}"),
            address,
        )


def check_interface(reader: Reader, inv: Inventory, eni: Interface, nets_of: dict[str, list[Net]]) -> bool:
    subnet = inv.subnets.get(eni.subnet_id)
    if subnet is None:
        reader.problem(
            "aws-unknown-ref",
            f"'{eni.eni_id}' is in subnet '{eni.subnet_id}', which no input describes",
            eni.span,
        )
        return False
    for group in eni.groups:
        if group not in inv.groups:
            reader.problem(
                "aws-unknown-ref",
                f"'{eni.eni_id}' has security group '{group}', which no input describes",
                eni.span,
            )
    if subnet.subnet_id not in nets_of:
        nets_of[subnet.subnet_id] = [
            n for c in subnet.cidrs if (n := _net(reader, c, subnet.span)) is not None
        ]
    nets = nets_of[subnet.subnet_id]
    for address in eni.addresses:
        ip = ipaddress.ip_address(address) if _is_ip(address) else None
        if ip is None or not any(ip.version == n.version and ip in n for n in nets):
            reader.problem(
                "aws-shape",
                f"'{eni.eni_id}' address '{address}' is not in subnet '{subnet.subnet_id}'",
                eni.span,
            )
            return False
    return True


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _description(eni: Interface) -> str:
    parts = [eni.kind + (", requester-managed" if eni.requester_managed else "")]
    if not eni.source_dest_check:
        parts.append("source/destination check off")
    if eni.description:
        parts.append(eni.description)
    if eni.public_ips:
        parts.append("public " + ", ".join(eni.public_ips))
    return "; ".join(parts)


def build_hosts(reader: Reader, inv: Inventory) -> list[HostOut]:
    """Every address of every ENI; an ENI's hosts manage each other (they are one machine)."""
    hosts = []
    nets_of: dict[str, list[Net]] = {}
    for eni in sorted(inv.interfaces.values(), key=lambda e: e.eni_id):
        if not check_interface(reader, inv, eni, nets_of):
            continue
        names = list(host_names(eni))
        tags = (*eni.groups, GOVERNED) if eni.groups else ()
        for name, address in names:
            others = tuple(n for n, _ in names if n != name)
            relay = eni.requester_managed or eni.kind in RELAY_TYPES or not eni.source_dest_check
            hosts.append(
                HostOut(name, eni.subnet_id, address, _description(eni), eni.span, tags, others, relay)
            )
    return hosts
