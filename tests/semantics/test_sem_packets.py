"""First match on concrete packets: rule order, defaults, zones (internal, external, none), IPv6."""

from __future__ import annotations

from segverify.model.addresses import cidr_set
from segverify.model.ir import Defaults
from segverify.model.ports import parse_port_spec
from segverify.model.refs import Resolver
from segverify.results import Packet
from segverify.semantics.packets import decide, format_packet
from tests.strategies import flow, host, make_model, zone

ZONES = [
    zone("internet", "0.0.0.0/0", "::/0", external=True),
    zone("partners", "198.51.100.0/24", external=True),
    zone("corp", "10.10.0.0/24"),
    zone("prod", "10.20.0.0/24", "fd00:20::/64"),
]
HOSTS = [host("web", "prod", "10.20.0.5", services=["https"]), host("web6", "prod", "fd00:20::5")]


def addr(text: str) -> int:
    return cidr_set(text).first()


def pkt(src: str, dst: str, port: str = "tcp/443") -> Packet:
    return Packet(addr(src), addr(dst), parse_port_spec(port).first())


def names(flows, packets, defaults=Defaults()):  # type: ignore[no-untyped-def]
    model = make_model(ZONES, HOSTS, flows=flows, defaults=defaults)
    resolver = Resolver(model)
    return [decide(model, resolver, p).name for p in packets]


def test_the_first_matching_rule_decides_deny_before_allow_and_the_reverse() -> None:
    deny = flow("deny-corp", "corp", "web", "https", "deny")
    allow = flow("allow-corp", "corp", "prod", "any")
    p = pkt("10.10.0.7", "10.20.0.5")
    model = make_model(ZONES, HOSTS, flows=[deny, allow])
    rule = decide(model, Resolver(model), p)
    assert (rule.name, rule.action, rule.index) == ("deny-corp", "deny", 0)
    model = make_model(ZONES, HOSTS, flows=[allow, deny])
    rule = decide(model, Resolver(model), p)
    assert (rule.name, rule.action, rule.index) == ("allow-corp", "allow", 0)
    # A packet the first rule does not match falls through to the next.
    assert names([deny, allow], [pkt("10.10.0.7", "10.20.0.6")]) == ["allow-corp"]


def test_all_three_fields_must_match() -> None:
    rule = flow("r", "corp", "web", "https")
    got = names(
        [rule],
        [
            pkt("10.10.0.7", "10.20.0.5"),
            pkt("10.10.0.7", "10.20.0.5", "tcp/80"),
            pkt("10.10.0.7", "10.20.0.6"),
            pkt("10.30.0.1", "10.20.0.5"),
        ],
    )
    assert got == ["r", "default:inter_zone", "default:inter_zone", "default:inter_zone"]


def test_defaults_intra_and_inter_zone() -> None:
    defaults = Defaults(intra_zone="deny", inter_zone="allow")
    model = make_model(ZONES, HOSTS, defaults=defaults)
    resolver = Resolver(model)
    intra = decide(model, resolver, pkt("10.20.0.5", "10.20.0.9"))
    inter = decide(model, resolver, pkt("10.10.0.5", "10.20.0.9"))
    assert (intra.name, intra.action, intra.index) == ("default:intra_zone", "deny", None)
    assert (inter.name, inter.action) == ("default:inter_zone", "allow")


def test_an_address_in_no_zone_gets_inter_zone_even_to_itself() -> None:
    zones = [zone("corp", "10.10.0.0/24")]
    model = make_model(zones, [], defaults=Defaults(intra_zone="allow", inter_zone="deny"))
    resolver = Resolver(model)
    assert decide(model, resolver, pkt("192.168.1.1", "192.168.1.2")).name == "default:inter_zone"
    assert decide(model, resolver, pkt("10.10.0.1", "10.10.0.2")).name == "default:intra_zone"


def test_internet_means_every_address_in_no_other_zone() -> None:
    rule = flow("from-internet", "internet", "web", "https")
    got = names(
        [rule],
        [pkt("203.0.113.9", "10.20.0.5"), pkt("10.10.0.7", "10.20.0.5"), pkt("198.51.100.7", "10.20.0.5")],
    )
    # corp is internal, partners is a more specific external zone: neither is "internet".
    assert got == ["from-internet", "default:inter_zone", "default:inter_zone"]
    # Two internet addresses share the internet zone: intra_zone.
    assert names([], [pkt("203.0.113.9", "8.8.8.8")]) == ["default:intra_zone"]


def test_ipv6_addresses_and_zones() -> None:
    rule = flow("v6", "internet", "web6", "https")
    got = names([rule], [pkt("2001:db8::1", "fd00:20::5"), pkt("2001:db8::1", "10.20.0.5")])
    assert got == ["v6", "default:inter_zone"]
    assert names([], [pkt("fd00:20::5", "10.20.0.5")]) == ["default:intra_zone"]  # one zone, two families


def test_any_and_icmp_port_specs() -> None:
    rules = [flow("ping", "corp", "prod", "icmp"), flow("all", "corp", "prod", "any", "deny")]
    got = names(rules, [pkt("10.10.0.1", "10.20.0.5", "icmp"), pkt("10.10.0.1", "10.20.0.5", "udp/53")])
    assert got == ["ping", "all"]


def test_format_packet() -> None:
    assert format_packet(pkt("10.10.0.1", "fd00:20::5", "udp/53")) == "10.10.0.1 -> fd00:20::5 udp/53"
