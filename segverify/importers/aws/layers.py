"""AWS importer: security groups and network ACLs as four enforcement layers.

Security groups are stateful allow-unions: a packet leaves an ENI if any egress rule of any of its
groups allows it, and enters one if any ingress rule does. As first-match flows: every group's
allows (`from`/`to: tag:<group id>`, the tag every host of its ENIs carries), then one deny for
every host that has a group. Hosts without groups (NAT gateways) and outside addresses pass.

Network ACLs are ordered by rule number, first match, with a final deny (written as a rule only
where the ACL's own `*` entries leave packets undecided); they filter what leaves
and enters a subnet, never traffic within one. They are stateless, but segverify's flows are
connection initiations whose replies are implied: the entries are applied to the initiating
packet only, and the reply (usually on ephemeral ports, in the other direction) is assumed to
pass. That can only allow more than AWS does, so isolation proofs stay sound; see
docs/importers.md for what it means for `reachable`.
"""

from __future__ import annotations

from collections.abc import Iterator

from segverify.importers.aws.document import FlowOut, HostOut, LayerOut
from segverify.importers.aws.inventory import Inventory, NetworkAcl, Permission, SecurityGroup
from segverify.importers.aws.network import GOVERNED, valid_network
from segverify.importers.aws.objects import Reader
from segverify.importers.aws.ports import map_protocol
from segverify.model.addresses import IPV4_ALL, IPV6_ALL, cidr_set
from segverify.model.intervals import IntervalSet

ANYWHERE = ("0.0.0.0/0", "::/0")


def _peers(reader: Reader, perm: Permission, modelled: set[str]) -> tuple[str, ...]:
    out: list[str] = []
    for peer in perm.peers:
        if peer.kind == "cidr":
            if valid_network(reader, peer.value, peer.span):
                out.append(peer.value)
        elif peer.kind == "prefix-list":
            reader.warn(
                peer.span,
                "aws-prefix-list",
                f"prefix list '{peer.value}' is not resolved: imported as any address",
                "widens",
            )
            out.extend(ANYWHERE)
        elif peer.value in modelled:
            out.append(f"tag:{peer.value}")
        else:
            message = (
                f"security group '{peer.value}' has no network interface in the input: this peer is left out"
            )
            reader.warn(peer.span, "aws-group-without-interfaces", message, "may narrow")
    return tuple(dict.fromkeys(out))


def _group_flows(reader: Reader, group: SecurityGroup, egress: bool, modelled: set[str]) -> Iterator[FlowOut]:
    direction = "egress" if egress else "ingress"
    for index, perm in enumerate(group.egress if egress else group.ingress, 1):
        mapped = map_protocol(perm.protocol, perm.from_port, perm.to_port, perm.from_port, allow=True)
        if mapped.inexact:
            reader.warn(perm.span, "aws-protocol", mapped.inexact, "widens")
        peers = _peers(reader, perm, modelled)
        if not peers:
            continue
        own = (f"tag:{group.group_id}",)
        sources, destinations = (own, peers) if egress else (peers, own)
        name = f"{group.group_id}:{direction}:{index}"
        yield FlowOut(name, sources, destinations, mapped.services, True, perm.span, group.name)


def group_layer(reader: Reader, inv: Inventory, hosts: list[HostOut], egress: bool) -> LayerOut:
    modelled = {t for h in hosts for t in h.tags if t != GOVERNED}
    flows = [
        flow
        for group in sorted(inv.groups.values(), key=lambda g: g.group_id)
        if group.group_id in modelled
        for flow in _group_flows(reader, group, egress, modelled)
    ]
    direction = "egress" if egress else "ingress"
    if any(GOVERNED in h.tags for h in hosts):
        ends = (f"tag:{GOVERNED}", "any") if egress else ("any", f"tag:{GOVERNED}")
        note = "what no rule of its groups allows"
        flows.append(
            FlowOut(f"security-groups:{direction}:deny", (ends[0],), (ends[1],), ("any",), False, None, note)
        )
    summary = f"security groups, {direction} of the {'source' if egress else 'destination'} ENI (allow-union)"
    return LayerOut(f"security-groups-{direction}", summary, tuple(flows))


def _families(inv: Inventory, subnets: tuple[str, ...]) -> IntervalSet:
    """Every address of each IP family the subnets have networks in (a packet stays in one family)."""
    out = IntervalSet.of(())
    for cidr in (c for s in subnets for c in inv.subnets[s].cidrs):
        out = out.union(IPV6_ALL if ":" in cidr else IPV4_ALL)
    return out


def _acl_flows(
    reader: Reader, acl: NetworkAcl, subnets: tuple[str, ...], families: IntervalSet, egress: bool
) -> Iterator[FlowOut]:
    """The ACL's entries by rule number, then its final deny unless the entries already decide every
    packet it would match (AWS lists its own `*` entries, rule 32767 for IPv4 and 32768 for IPv6:
    an explicit catch-all after them would decide nothing, and lint would rightly call it shadowed)."""
    direction = "outbound" if egress else "inbound"
    decided = IntervalSet.of(())  # far ends every protocol and port of which an entry decides
    for entry in sorted((e for e in acl.entries if e.egress == egress), key=lambda e: e.number):
        lo, hi = entry.port_from, entry.port_to
        mapped = map_protocol(entry.protocol, lo, hi, entry.icmp_type, entry.allow)
        if mapped.inexact:
            reader.warn(entry.span, "aws-protocol", mapped.inexact, "widens")
        if not mapped.services or not valid_network(reader, entry.cidr, entry.span):
            continue
        if mapped.services == ("any",):
            decided = decided.union(cidr_set(entry.cidr))
        ends = (subnets, (entry.cidr,)) if egress else ((entry.cidr,), subnets)
        name = f"{acl.acl_id}:{direction}:{entry.number}"
        yield FlowOut(name, ends[0], ends[1], mapped.services, entry.allow, entry.span)
    if not families.issubset(decided):
        ends = (subnets, ("any",)) if egress else (("any",), subnets)
        yield FlowOut(
            f"{acl.acl_id}:{direction}:*", ends[0], ends[1], ("any",), False, acl.span, "the final deny"
        )


def acl_layer(reader: Reader, inv: Inventory, egress: bool) -> LayerOut:
    direction = "outbound" if egress else "inbound"
    flows: list[FlowOut] = []
    blocks: list[FlowOut] = []
    for acl in sorted(inv.acls.values(), key=lambda a: a.acl_id):
        subnets = tuple(s for s in acl.subnets if s in inv.subnets)
        if subnets:
            # An ACL filters what crosses its subnet's edge: traffic within a subnet never meets it.
            flows += [
                FlowOut(f"{s}:{direction}:within-subnet", (s,), (s,), ("any",), True, acl.span)
                for s in subnets
            ]
            blocks += _acl_flows(reader, acl, subnets, _families(inv, subnets), egress)
    return LayerOut(
        f"network-acls-{direction}",
        f"network ACLs, {direction} of the subnet (first match)",
        tuple(flows + blocks),
    )


def warn_unfiltered_subnets(reader: Reader, inv: Inventory) -> None:
    associated = {s for acl in inv.acls.values() for s in acl.subnets}
    for subnet in sorted(inv.subnets.values(), key=lambda s: s.subnet_id):
        if subnet.subnet_id not in associated:
            name = subnet.subnet_id
            message = f"no network ACL in the input is associated with '{name}': no ACL filters its traffic"
            reader.warn(subnet.span, "aws-subnet-without-acl", message, "widens")


def warn_stateless(reader: Reader, inv: Inventory) -> None:
    for acl in sorted(inv.acls.values(), key=lambda a: a.acl_id):
        if acl.subnets:
            message = f"'{acl.acl_id}' is stateless: applied to initiations, replies assumed to pass"
            reader.warn(acl.span, "aws-acl-replies", message, "widens")


def build_layers(reader: Reader, inv: Inventory, hosts: list[HostOut]) -> list[LayerOut]:
    warn_unfiltered_subnets(reader, inv)
    warn_stateless(reader, inv)
    return [
        group_layer(reader, inv, hosts, egress=True),
        acl_layer(reader, inv, egress=True),
        acl_layer(reader, inv, egress=False),
        group_layer(reader, inv, hosts, egress=False),
    ]
