"""Test support: IR builders for hand-written models, and Hypothesis strategies for small random valid ones.

Models are built as IR directly (no YAML), valid by construction: internal zones are disjoint
/28s (and /29s) inside 10.0.0.0/8, hosts are disjoint blocks inside their zone, tags that are
referenced exist, group membership is acyclic, `vulnerable` names offered services only.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import TypeVar

from hypothesis import strategies as st

from segverify.model.addresses import network_set, parse_network
from segverify.model.catalog import builtin_services
from segverify.model.intervals import IntervalSet, union_all
from segverify.model.ir import (
    AccountFoothold,
    Action,
    AttackerProfile,
    BlastRadiusSpec,
    Defaults,
    Flow,
    Foothold,
    Host,
    IsolatedSpec,
    Layer,
    MatrixCell,
    MatrixSpec,
    Model,
    NoFlowSpec,
    OnlyViaSpec,
    Policy,
    PolicySpec,
    Principal,
    ReachableSpec,
    Ref,
    RefFoothold,
    SeparateAccountsSpec,
    Service,
    Zone,
)
from segverify.model.ports import looks_like_port_spec, parse_port_spec

T = TypeVar("T")


def examples(default: int) -> int:
    """How many examples a property test runs; SEGVERIFY_EXAMPLES raises it for long hunts."""
    return int(os.environ.get("SEGVERIFY_EXAMPLES", default))


# ---- builders ----------------------------------------------------------------------------------

EXTRA_SERVICES = {
    "relay": Service("relay", parse_port_spec("tcp/5938"), ("tcp/5938",)),
    "jump": Service("jump", parse_port_spec("tcp/2222"), ("tcp/2222",), login=True),
}


def services_catalog(extra: Iterable[Service] = ()) -> dict[str, Service]:
    out = builtin_services()
    out.update(EXTRA_SERVICES)
    out.update({s.name: s for s in extra})
    return out


def zone(name: str, *networks: str, external: bool = False, tags: Sequence[str] = ()) -> Zone:
    nets = tuple(str(parse_network(n)) for n in networks)
    addrs = union_all(IntervalSet.span(*_span(n)) for n in nets)
    return Zone(name, nets, addrs, external=external, tags=tuple(tags))


def _span(cidr: str) -> tuple[int, int]:
    return network_set(parse_network(cidr)).intervals[0]


def host(
    name: str,
    zone_name: str,
    address: str,
    services: Sequence[str] = (),
    logins: Sequence[str] = (),
    sessions: Sequence[str] = (),
    manages: Sequence[str] = (),
    vulnerable: Sequence[str] = (),
    tags: Sequence[str] = (),
) -> Host:
    net = parse_network(address)
    fleet = net.num_addresses > 1
    return Host(
        name=name,
        zone=zone_name,
        address=str(net) if fleet else str(net.network_address),
        addresses=IntervalSet.span(*_span(address)),
        fleet=fleet,
        services=tuple(services),
        logins=tuple(logins),
        sessions=tuple(sessions),
        manages=tuple(Ref(m) for m in manages),
        vulnerable=tuple(vulnerable),
        tags=tuple(tags),
    )


def account(name: str, *groups: str, mfa: bool = False) -> Principal:
    return Principal(name, "account", member_of=tuple(groups), mfa=mfa)


def group(name: str, *groups: str) -> Principal:
    return Principal(name, "group", member_of=tuple(groups))


@dataclass(frozen=True, slots=True)
class FlowDraft:
    """A flow before the model numbers it and resolves its services."""

    name: str
    sources: tuple[str, ...]
    destinations: tuple[str, ...]
    services: tuple[str, ...]
    action: Action = "allow"
    description: str = ""


def flow(
    name: str,
    sources: str | Sequence[str],
    destinations: str | Sequence[str],
    services: str | Sequence[str],
    action: Action = "allow",
) -> FlowDraft:
    return FlowDraft(name, _tuple(sources), _tuple(destinations), _tuple(services), action)


def _tuple(value: str | Sequence[str]) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)


def ports_of(services: dict[str, Service], names: Iterable[str]) -> IntervalSet:
    """Service names, inline port specs or `any` as svc integers."""
    return union_all(parse_port_spec(n) if looks_like_port_spec(n) else services[n].ports for n in names)


def make_model(
    zones: Iterable[Zone],
    hosts: Iterable[Host],
    principals: Iterable[Principal] = (),
    flows: Iterable[FlowDraft] = (),
    defaults: Defaults = Defaults(),
    extra_services: Iterable[Service] = (),
) -> Model:
    services = services_catalog(extra_services)
    prins = {p.name: p for p in principals}
    for p in list(prins.values()):
        for g in p.member_of:
            prins.setdefault(g, group(g))  # a group exists once some member_of names it
    built = tuple(
        Flow(
            index=i,
            name=f.name,
            sources=tuple(Ref(r) for r in f.sources),
            destinations=tuple(Ref(r) for r in f.destinations),
            services=f.services,
            ports=ports_of(services, f.services),
            action=f.action,
            description=f.description,
        )
        for i, f in enumerate(flows)
    )
    return Model(
        zones=_sorted({z.name: z for z in zones}),
        services=_sorted(services),
        hosts=_sorted({h.name: h for h in hosts}),
        principals=_sorted(prins),
        flows=built,
        defaults=defaults,
    )


def _sorted(d: dict[str, object]) -> dict[str, object]:
    return {k: d[k] for k in sorted(d)}


def at(account_name: str, ref: str) -> AccountFoothold:
    return AccountFoothold(account_name, Ref(ref))


def footholds(*items: str | AccountFoothold) -> tuple[Foothold, ...]:
    return tuple(RefFoothold(Ref(i)) if isinstance(i, str) else i for i in items)


def refs(*texts: str) -> tuple[Ref, ...]:
    return tuple(Ref(t) for t in texts)


def policy(spec: PolicySpec, pid: str = "P-1", attacker: AttackerProfile | None = None) -> Policy:
    kinds = {
        IsolatedSpec: "isolated",
        OnlyViaSpec: "only_via",
        ReachableSpec: "reachable",
        NoFlowSpec: "no_flow",
        MatrixSpec: "matrix",
        SeparateAccountsSpec: "separate_accounts",
        BlastRadiusSpec: "blast_radius",
    }
    return Policy(id=pid, kind=kinds[type(spec)], spec=spec, attacker=attacker)  # type: ignore[arg-type]


def reachable(
    model: Model, sources: Sequence[str], destinations: Sequence[str], services: Sequence[str]
) -> Policy:
    ports = ports_of(dict(model.services), services)
    return policy(ReachableSpec(refs(*sources), refs(*destinations), tuple(services), ports))


def no_flow(
    model: Model, sources: Sequence[str], destinations: Sequence[str], except_: Sequence[str] = ()
) -> Policy:
    ports = ports_of(dict(model.services), except_)
    return policy(NoFlowSpec(refs(*sources), refs(*destinations), tuple(except_), ports))


def matrix(
    model: Model, zones: Sequence[str], allow: dict[tuple[str, str], Sequence[str]] | None = None
) -> Policy:
    cells = tuple(
        MatrixCell(a, b, tuple(s), ports_of(dict(model.services), s))
        for (a, b), s in sorted((allow or {}).items())
    )
    return policy(MatrixSpec(tuple(zones), cells))


# ---- strategies --------------------------------------------------------------------------------

HOST_SERVICES = ("ssh", "rdp", "https", "postgres", "relay", "jump")
FLOW_SERVICES = HOST_SERVICES + ("tcp/22", "tcp/20-25", "tcp/2200-2300", "any", "icmp", "udp/53", "tcp/443")
TAGS = ("red", "blue", "green")
PROFILES = st.builds(
    AttackerProfile,
    exploits=st.sampled_from(("declared", "exposed", "none")),
    mfa_bypass=st.booleans(),
    credential_theft=st.booleans(),
)


def pick(draw: st.DrawFn, items: Sequence[T]) -> T:
    """One item, drawn by index: integer strategies are cached, so this stays cheap in loops."""
    return items[draw(st.integers(0, len(items) - 1))]


def some(draw: st.DrawFn, items: Sequence[T], max_size: int, min_size: int = 0) -> list[T]:
    """A few distinct items in the order drawn (shrinks towards fewer, earlier items)."""
    if not items:
        return []
    out: list[T] = []
    for _ in range(draw(st.integers(min_size, max_size))):
        item = pick(draw, items)
        if item not in out:
            out.append(item)
    return out


def _zone_nets(draw: st.DrawFn, i: int) -> tuple[str, ...]:
    nets = [f"10.{i}.0.0/28"]
    if draw(st.booleans()):
        nets.append(f"10.{i}.1.0/29")
    return tuple(nets)


@st.composite
def _zones(draw: st.DrawFn) -> list[Zone]:
    n = draw(st.integers(2, 4))
    out = [zone(f"z{i}", *_zone_nets(draw, i), tags=some(draw, TAGS, 1)) for i in range(n)]
    if draw(st.booleans()):
        out.append(zone("v6", "fd00::/124", tags=some(draw, TAGS, 1)))
    if draw(st.booleans()):
        out.append(zone("internet", "0.0.0.0/0", "::/0", external=True, tags=some(draw, TAGS, 1)))
    return out


def _host_address(draw: st.DrawFn, z: Zone, used: set[str]) -> str | None:
    if z.external:
        base = "203.0.113." if draw(st.booleans()) else None
        cands = [f"203.0.113.{k}" for k in range(1, 8)] if base else ["2001:db8::5"]
        free = [c for c in cands if c not in used]
        return pick(draw, free) if free else None
    net = ipaddress.ip_network(z.networks[draw(st.integers(0, len(z.networks) - 1))])
    subnets = list(net.subnets(new_prefix=net.max_prefixlen - 2))  # /30 (v4) or /126 (v6) blocks
    free = [s for s in subnets if str(s) not in used]
    if not free:
        return None
    block = free[draw(st.integers(0, len(free) - 1))]
    used.add(str(block))
    if draw(st.integers(0, 2)) == 0:
        return str(block)
    return str(block.network_address + draw(st.integers(0, 3)))


@st.composite
def _principals(draw: st.DrawFn) -> list[Principal]:
    groups = [f"g{i}" for i in range(draw(st.integers(0, 3)))]
    out = []
    for i, g in enumerate(groups):
        out.append(group(g, *some(draw, groups[i + 1 :], 1)))
    for i in range(draw(st.integers(1, 4))):
        out.append(account(f"a{i}", *some(draw, groups, 2), mfa=draw(st.integers(0, 3)) == 0))
    return out


@st.composite
def _hosts(
    draw: st.DrawFn, zones: list[Zone], principals: list[Principal], max_hosts: int = 12
) -> list[Host]:
    names = [p.name for p in principals]
    used: set[str] = set()
    out: list[Host] = []
    for i in range(draw(st.integers(2, max_hosts))):
        z = pick(draw, zones)
        address = _host_address(draw, z, used)
        if address is None:
            continue
        used.add(address)
        offered = some(draw, HOST_SERVICES, 3, 1)
        out.append(
            host(
                f"h{i}",
                z.name,
                address,
                services=offered,
                logins=some(draw, names, 2, 1),
                sessions=some(draw, names, 2),
                vulnerable=some(draw, offered, 1),
                tags=some(draw, TAGS, 1),
            )
        )
    return _add_manages(draw, out, [z.name for z in zones])


def _add_manages(draw: st.DrawFn, hosts: list[Host], zones: list[str]) -> list[Host]:
    targets = [h.name for h in hosts] + zones
    return [
        replace(h, manages=tuple(Ref(t) for t in some(draw, targets, 1)))
        if draw(st.integers(0, 2)) == 0
        else h
        for h in hosts
    ]


def ref_pool(zones: Iterable[Zone], hosts: Iterable[Host]) -> list[str]:
    """Every kind of reference: zones, hosts, tags in use, CIDRs that cut zones and fleets, `any`."""
    zones, hosts = list(zones), list(hosts)
    tags = sorted({t for z in zones for t in z.tags} | {t for h in hosts for t in h.tags})
    cidrs = ["10.0.0.0/8", "10.0.0.0/30", "10.1.0.4/31", "10.0.0.8/29", "10.2.0.6", "fd00::/126"]
    return [z.name for z in zones] + [h.name for h in hosts] + [f"tag:{t}" for t in tags] + cidrs + ["any"]


@st.composite
def _flows(draw: st.DrawFn, pool: list[str], max_flows: int = 12) -> list[FlowDraft]:
    return [
        flow(
            f"f{i}",
            some(draw, pool, 2, 1),
            some(draw, pool, 2, 1),
            some(draw, FLOW_SERVICES, 2, 1),
            pick(draw, ("allow", "allow", "deny")),
        )
        for i in range(draw(st.integers(0, max_flows)))
    ]


@st.composite
def models(draw: st.DrawFn, max_hosts: int = 12, max_flows: int = 12) -> Model:
    """A small random valid model: 2-4 zones, 2-12 hosts, 0-12 flows, accounts, groups, profiles."""
    zones = draw(_zones())
    principals = draw(_principals())
    hosts = draw(_hosts(zones, principals, max_hosts))
    defaults = Defaults(
        intra_zone=pick(draw, ("allow", "deny")),
        inter_zone=pick(draw, ("deny", "allow")),
        attacker=draw(PROFILES),
    )
    return make_model(zones, hosts, principals, draw(_flows(ref_pool(zones, hosts), max_flows)), defaults)


# ---- policies ----------------------------------------------------------------------------------


def _pool(model: Model) -> list[str]:
    return ref_pool(model.zones.values(), model.hosts.values())


def _footholds(model: Model) -> st.SearchStrategy[tuple[Foothold, ...]]:
    pool = _pool(model)
    accounts = [p.name for p in model.accounts()]
    ref_fh = st.sampled_from(pool).map(lambda t: RefFoothold(Ref(t)))
    options: list[st.SearchStrategy[Foothold]] = [ref_fh]
    if accounts:
        options.append(st.builds(AccountFoothold, st.sampled_from(accounts), st.sampled_from(pool).map(Ref)))
    return st.lists(st.one_of(options), min_size=1, max_size=2).map(tuple)


def _refs(model: Model, max_size: int = 2) -> st.SearchStrategy[tuple[Ref, ...]]:
    return st.lists(st.sampled_from(_pool(model)), min_size=1, max_size=max_size, unique=True).map(refs_of)


def refs_of(texts: Iterable[str]) -> tuple[Ref, ...]:
    return tuple(Ref(t) for t in texts)


def _services(model: Model, min_size: int) -> st.SearchStrategy[tuple[str, ...]]:
    return st.lists(st.sampled_from(FLOW_SERVICES), min_size=min_size, max_size=2, unique=True).map(tuple)


@st.composite
def _packet_spec(draw: st.DrawFn, model: Model) -> PolicySpec:
    svc = dict(model.services)
    if draw(st.booleans()):
        names = draw(_services(model, 1))
        return ReachableSpec(draw(_refs(model)), draw(_refs(model)), names, ports_of(svc, names))
    names = draw(_services(model, 0))
    return NoFlowSpec(draw(_refs(model)), draw(_refs(model)), names, ports_of(svc, names))


@st.composite
def _zone_spec(draw: st.DrawFn, model: Model) -> PolicySpec:
    zones = draw(st.lists(st.sampled_from(sorted(model.zones)), min_size=2, max_size=4, unique=True))
    if draw(st.booleans()):
        return SeparateAccountsSpec(tuple(zones))
    pairs = [(a, b) for a in zones for b in zones if a != b]
    chosen = draw(st.lists(st.sampled_from(pairs), max_size=3, unique=True))
    cells = []
    for a, b in sorted(chosen):
        names = draw(_services(model, 1))
        cells.append(MatrixCell(a, b, names, ports_of(dict(model.services), names)))
    return MatrixSpec(tuple(zones), tuple(cells))


@st.composite
def _attack_spec(draw: st.DrawFn, model: Model) -> PolicySpec:
    kind = draw(st.sampled_from(("isolated", "only_via", "blast_radius")))
    fh = draw(_footholds(model))
    if kind == "isolated":
        return IsolatedSpec(fh, draw(_refs(model)))
    if kind == "only_via":
        via = st.lists(st.sampled_from(sorted(model.hosts)), min_size=1, max_size=2, unique=True).map(refs_of)
        return OnlyViaSpec(fh, draw(_refs(model)), draw(via))
    return BlastRadiusSpec(fh, draw(st.integers(0, 6)))


@st.composite
def policies_for(draw: st.DrawFn, model: Model) -> Policy:
    """A random policy of any kind over the model's own names, with or without its own attacker."""
    spec = draw(st.one_of(_packet_spec(model), _zone_spec(model), _attack_spec(model)))
    attacker = draw(st.none() | PROFILES)
    return policy(spec, "P-rand", attacker)


@st.composite
def attack_policies_for(draw: st.DrawFn, model: Model) -> Policy:
    """A random isolated, only_via or blast_radius policy (footholds of both forms)."""
    return policy(draw(_attack_spec(model)), "P-attack", draw(st.none() | PROFILES))


@st.composite
def model_and_policy(draw: st.DrawFn) -> tuple[Model, Policy]:
    model = draw(models())
    return model, draw(policies_for(model))


@st.composite
def model_and_attack(draw: st.DrawFn) -> tuple[Model, Policy]:
    model = draw(models())
    return model, draw(attack_policies_for(model))


# ---- enforcement layers ------------------------------------------------------------------------


@st.composite
def layered_models(draw: st.DrawFn, max_hosts: int = 10, max_flows: int = 8) -> Model:
    """A random model with 1-2 further enforcement layers, each with its own rules, defaults and
    (sometimes) an `applies_to` on either side; rules numbered after the implicit layer's."""
    base = draw(models(max_hosts, max_flows))
    pool = ref_pool(base.zones.values(), base.hosts.values())
    start, layers = len(base.flows), []
    for j in range(draw(st.integers(1, 2))):
        drafts = draw(_flows(pool, max_flows))
        flows = tuple(
            Flow(
                index=start + i,
                name=f"L{j}{f.name}",
                sources=refs_of(f.sources),
                destinations=refs_of(f.destinations),
                services=f.services,
                ports=ports_of(dict(base.services), f.services),
                action=f.action,
                layer=f"L{j}",
            )
            for i, f in enumerate(drafts)
        )
        start += len(flows)
        applies = [None if draw(st.booleans()) else refs_of(some(draw, pool, 2, 1)) for _ in range(2)]
        layers.append(
            Layer(
                name=f"L{j}",
                flows=flows,
                intra_zone=pick(draw, ("allow", "deny")),
                inter_zone=pick(draw, ("allow", "deny")),
                applies_from=applies[0],
                applies_to=applies[1],
            )
        )
    return replace(base, layers=tuple(layers))
