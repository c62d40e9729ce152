"""Model stage: the immutable intermediate representation every later stage reads.

Every entity a user wrote carries its Span beside the value. Address and port sets are
resolved once at build time (IntervalSet), names stay names; references (`from`, `to`,
`manages`, ...) stay as written and are resolved by refs.Resolver.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from segverify.diagnostics import NO_SPAN, Span
from segverify.model.intervals import IntervalSet

Action = Literal["allow", "deny"]
Severity = Literal["critical", "high", "medium", "low"]
Exploits = Literal["declared", "exposed", "none"]
PrincipalKind = Literal["account", "group"]
PolicyKind = Literal[
    "isolated", "only_via", "reachable", "no_flow", "matrix", "separate_accounts", "blast_radius"
]
SEVERITIES: tuple[Severity, ...] = ("critical", "high", "medium", "low")


@dataclass(frozen=True, slots=True)
class Ref:
    """A reference as written: a zone or host name, a CIDR, `any`, or `tag:NAME`."""

    text: str
    span: Span = NO_SPAN


@dataclass(frozen=True, slots=True)
class Zone:
    name: str
    networks: tuple[str, ...]  # canonical CIDR text, as given
    addresses: IntervalSet  # union of `networks` (membership: see refs.Resolver.zone_set)
    external: bool = False
    tags: tuple[str, ...] = ()
    description: str = ""
    span: Span = NO_SPAN


@dataclass(frozen=True, slots=True)
class Service:
    name: str
    ports: IntervalSet  # svc integers, see ports.py
    specs: tuple[str, ...]  # the port specs as written
    login: bool = False
    builtin: bool = False
    span: Span = NO_SPAN


@dataclass(frozen=True, slots=True)
class Host:
    name: str
    zone: str
    address: str  # canonical: "10.20.0.5" for one host, "10.10.0.0/20" for a fleet
    addresses: IntervalSet
    fleet: bool  # a CIDR: many identical hosts analysed as one node (an over-approximation)
    services: tuple[str, ...] = ()  # service names (inline port specs become anonymous services)
    logins: tuple[str, ...] = ()  # principals that may log in through a login service
    sessions: tuple[str, ...] = ()  # principals whose credentials a controlling attacker takes
    manages: tuple[Ref, ...] = ()  # controlling this host means controlling those
    vulnerable: tuple[str, ...] = ()  # offered services exploitable without credentials
    tags: tuple[str, ...] = ()
    description: str = ""
    span: Span = NO_SPAN


@dataclass(frozen=True, slots=True)
class Principal:
    """An account or a group: one namespace. Groups may exist only through `member_of`."""

    name: str
    kind: PrincipalKind
    member_of: tuple[str, ...] = ()  # groups only
    mfa: bool = False  # accounts only
    description: str = ""
    span: Span = NO_SPAN


@dataclass(frozen=True, slots=True)
class Flow:
    """One ordered rule; `index` is its position in the merged list (0-based)."""

    index: int
    name: str
    sources: tuple[Ref, ...]
    destinations: tuple[Ref, ...]
    services: tuple[str, ...]  # as written: names, inline port specs or `any`
    ports: IntervalSet  # the union of `services` as svc integers
    action: Action = "allow"
    description: str = ""
    owner: str = ""
    ticket: str = ""
    span: Span = NO_SPAN
    layer: str = ""  # the enforcement layer it belongs to; "" is the implicit (top-level) one


@dataclass(frozen=True, slots=True)
class AttackerProfile:
    exploits: Exploits = "declared"
    mfa_bypass: bool = False
    credential_theft: bool = True


@dataclass(frozen=True, slots=True)
class Defaults:
    intra_zone: Action = "allow"
    inter_zone: Action = "deny"
    attacker: AttackerProfile = AttackerProfile()
    span: Span = NO_SPAN


@dataclass(frozen=True, slots=True)
class Layer:
    """One enforcement point: its own ordered flows (first match) and defaults.

    A packet outside `applies_from` x `applies_to` (None: every address) passes it untouched;
    a packet is allowed iff every layer that applies allows it. The top-level `flows` and
    `defaults` are the implicit layer, which applies to every packet.
    """

    name: str
    flows: tuple[Flow, ...] = ()
    intra_zone: Action = "allow"
    inter_zone: Action = "deny"
    applies_from: tuple[Ref, ...] | None = None
    applies_to: tuple[Ref, ...] | None = None
    description: str = ""
    span: Span = NO_SPAN


@dataclass(frozen=True, slots=True)
class RefFoothold:
    """Controls every referenced host and sends from every address the reference covers."""

    ref: Ref


@dataclass(frozen=True, slots=True)
class AccountFoothold:
    """Holds the account's credentials and sends from any address of `at`; controls no host."""

    account: str
    at: Ref
    span: Span = NO_SPAN


Foothold = RefFoothold | AccountFoothold


@dataclass(frozen=True, slots=True)
class IsolatedSpec:
    footholds: tuple[Foothold, ...]
    to: tuple[Ref, ...]


@dataclass(frozen=True, slots=True)
class OnlyViaSpec:
    footholds: tuple[Foothold, ...]
    to: tuple[Ref, ...]
    via: tuple[Ref, ...]


@dataclass(frozen=True, slots=True)
class ReachableSpec:
    sources: tuple[Ref, ...]
    destinations: tuple[Ref, ...]
    services: tuple[str, ...]
    ports: IntervalSet


@dataclass(frozen=True, slots=True)
class NoFlowSpec:
    sources: tuple[Ref, ...]
    destinations: tuple[Ref, ...]
    except_services: tuple[str, ...] = ()
    except_ports: IntervalSet = IntervalSet()


@dataclass(frozen=True, slots=True)
class MatrixCell:
    """`src -> dst: [services]` in a matrix `allow`: what the first zone may open in the second."""

    source: str
    destination: str
    services: tuple[str, ...]
    ports: IntervalSet
    span: Span = NO_SPAN


@dataclass(frozen=True, slots=True)
class MatrixSpec:
    zones: tuple[str, ...]
    allow: tuple[MatrixCell, ...] = ()

    def allowed_ports(self, source: str, destination: str) -> IntervalSet:
        out = IntervalSet()
        for cell in self.allow:
            if cell.source == source and cell.destination == destination:
                out = out.union(cell.ports)
        return out


@dataclass(frozen=True, slots=True)
class SeparateAccountsSpec:
    zones: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class BlastRadiusSpec:
    footholds: tuple[Foothold, ...]
    max_hosts: int


PolicySpec = (
    IsolatedSpec
    | OnlyViaSpec
    | ReachableSpec
    | NoFlowSpec
    | MatrixSpec
    | SeparateAccountsSpec
    | BlastRadiusSpec
)


@dataclass(frozen=True, slots=True)
class Resilience:
    """`resilient` on an attack policy: it must hold even when any `controls` controls fail
    (deny rules, default denies per zone pair, MFA) and, with `accounts: 1`, whichever single
    account is stolen (docs/policies.md). Each requirement is checked on its own."""

    controls: int | None = None
    accounts: int | None = None


@dataclass(frozen=True, slots=True)
class Policy:
    id: str
    kind: PolicyKind
    spec: PolicySpec
    title: str = ""
    severity: Severity = "high"
    attacker: AttackerProfile | None = None  # None: the model's defaults.attacker
    description: str = ""
    span: Span = NO_SPAN
    resilient: Resilience | None = None  # isolated, only_via, blast_radius only


@dataclass(frozen=True, slots=True)
class Waiver:
    policy: str
    reason: str
    expires: date
    owner: str = ""
    span: Span = NO_SPAN


@dataclass(frozen=True, slots=True)
class Model:
    """A whole, validated model. Mappings are keyed by name and iterate in sorted order."""

    zones: Mapping[str, Zone] = field(default_factory=dict)
    services: Mapping[str, Service] = field(default_factory=dict)
    hosts: Mapping[str, Host] = field(default_factory=dict)
    principals: Mapping[str, Principal] = field(default_factory=dict)
    flows: tuple[Flow, ...] = ()  # the implicit layer's rules
    defaults: Defaults = Defaults()
    layers: tuple[Layer, ...] = ()  # further enforcement layers, in the order written
    policies: tuple[Policy, ...] = ()
    waivers: tuple[Waiver, ...] = ()
    files: tuple[str, ...] = ()

    def attacker_for(self, policy: Policy) -> AttackerProfile:
        return policy.attacker if policy.attacker is not None else self.defaults.attacker

    def all_flows(self) -> tuple[Flow, ...]:
        """Every rule of every layer, implicit layer first; `Flow.index` is the position here."""
        return self.flows + tuple(f for layer in self.layers for f in layer.flows)

    def accounts(self) -> list[Principal]:
        return [p for p in self.principals.values() if p.kind == "account"]
