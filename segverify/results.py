"""Results stage: verdicts, witnesses and certificates, and the exit code of a report.

These are plain values. The engine produces them, semantics/verify.py checks them without
z3, and render/ turns them into text, JSON, SARIF, JUnit and diagrams.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Literal

from segverify.diagnostics import Span
from segverify.errors import EXIT_OK, EXIT_UNKNOWN, EXIT_VIOLATED
from segverify.model.controls import Control
from segverify.model.ir import SEVERITIES, Defaults, Flow, PolicyKind, Severity, Waiver

if TYPE_CHECKING:
    from segverify.explain.explain import Explanation


class Status(str, Enum):
    PROVED = "proved"
    VIOLATED = "violated"
    WAIVED = "waived"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class RuleRef:
    """The rule (or default) that decided a packet. Defaults are `default:intra_zone|inter_zone`."""

    name: str
    action: Literal["allow", "deny"]
    index: int | None = None  # position in the merged flow list; None for defaults
    span: Span | None = None
    description: str = ""
    owner: str = ""
    ticket: str = ""

    def __hash__(self) -> int:
        # Certificates put rules in sets by the hundred thousand; hashing the source span and
        # the metadata too cost more than the rest of the check. Equal refs have equal names
        # and indexes, so this agrees with the generated __eq__.
        return hash((self.name, self.index))

    @property
    def is_default(self) -> bool:
        return self.index is None


@dataclass(frozen=True, slots=True, order=True)
class Packet:
    """A concrete packet: addresses in the 129-bit space (addresses.py), svc = proto*65536+port."""

    src: int
    dst: int
    svc: int


# ---- witnesses -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PacketWitness:
    """reachable: a denied packet; no_flow: an allowed packet; with the deciding rule."""

    packet: Packet
    rule: RuleRef
    rules: tuple[RuleRef, ...] = ()  # with `layers:`, the deciding rule of every layer that applies


@dataclass(frozen=True, slots=True)
class PairWitness:
    source: str  # zone
    destination: str  # zone
    packet: Packet
    rule: RuleRef
    rules: tuple[RuleRef, ...] = ()  # with `layers:`, as in PacketWitness


@dataclass(frozen=True, slots=True)
class MatrixWitness:
    pairs: tuple[PairWitness, ...]  # every failing ordered pair, sorted


Move = Literal["foothold", "login", "exploit", "manage", "harvest"]


@dataclass(frozen=True, slots=True)
class Hop:
    """One step of an attack path, in the order the attacker takes them.

    foothold: `to` (a host) or `at` (a reference the attacker sends from), `address`, and
              `credential` for an account foothold.
    login/exploit: `source` host (or foothold reference), `to`, `service`, `packet`, `rule`,
              and for login the `credential` used.
    manage:   `source` manages `to`.
    harvest:  `at` (the host) hands over `credential`.
    """

    move: Move
    to: str | None = None
    source: str | None = None
    at: str | None = None
    service: str | None = None
    packet: Packet | None = None
    rule: RuleRef | None = None
    credential: str | None = None
    address: int | None = None
    rules: tuple[RuleRef, ...] = ()  # with `layers:`, the deciding rule of every layer that applies


@dataclass(frozen=True, slots=True)
class ControlledHost:
    host: str
    path: tuple[Hop, ...]


@dataclass(frozen=True, slots=True)
class PathWitness:
    """isolated / only_via: the attack path to `target`, and every target the attacker controls."""

    target: str
    path: tuple[Hop, ...]  # fewest moves among the paths to any target
    reached: tuple[str, ...] = ()  # every target in the attacker's fixpoint, `target` among them, by name
    paths: tuple[ControlledHost, ...] = ()  # check --all-paths: the shortest path to each other one
    # The evidence for `reached`: moves that, replayed in order, control every one of them
    # (not rendered; the reference replays it before anything is printed).
    support: tuple[Hop, ...] = ()


@dataclass(frozen=True, slots=True)
class AccountsWitness:
    """separate_accounts: a principal that spans two zones and the two hosts that show it."""

    principal: str
    hosts: tuple[str, str]
    zones: tuple[str, str]
    reason: Literal["login", "session"]  # login in both, or session in one and login in the other


@dataclass(frozen=True, slots=True)
class BlastWitness:
    hosts: tuple[ControlledHost, ...]  # every controlled host, sorted by distance then name
    max_hosts: int


@dataclass(frozen=True, slots=True)
class ResilienceWitness:
    """A `resilient` policy broken: with the `failed` controls failed, or with `account` stolen
    and used from `places`, the policy is violated on that model, as `witness` shows."""

    witness: PathWitness | BlastWitness
    failed: tuple[Control, ...] = ()
    account: str | None = None
    places: tuple[str, ...] = ()
    alike: tuple[str, ...] = ()  # other accounts with the same logins: the same breach


Witness = PacketWitness | MatrixWitness | PathWitness | AccountsWitness | BlastWitness | ResilienceWitness


# ---- certificates ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RegionCertificate:
    """reachable / no_flow / matrix proved: the region queried and the rules deciding it.

    Checked by re-deriving, over the exact cells of the region, that every packet gets the
    required decision and that exactly these rules (or defaults) decide it.
    """

    deciding: tuple[RuleRef, ...]
    queries: int  # how many (source, destination, services) regions were proved


BlockedReason = Literal["no-allowed-packet", "no-usable-credential", "mfa"]


@dataclass(frozen=True, slots=True)
class Blocked:
    """Why one move out of the closed set does not happen."""

    move: Literal["login", "exploit"]
    to: str
    service: str
    reason: BlockedReason  # the first wall: the credential's for a login that has none, else the packet's
    rules: tuple[RuleRef, ...] = ()  # when no packet is allowed: the rules/defaults that deny it
    # Every wall, each true on its own: a login with no usable credential whose packets are
    # denied too lists both ("no-allowed-packet" first), so removing one still leaves it blocked.
    reasons: tuple[BlockedReason, ...] = ()

    @property
    def walls(self) -> tuple[BlockedReason, ...]:
        """`reasons`, or `reason` alone in an entry written without them."""
        return self.reasons or (self.reason,)

    def __reduce__(self) -> tuple[type[Blocked], tuple[object, ...]]:
        # Pickled to the self-check child by the hundred thousand (selfchecks.py): the class and
        # its fields in order, rebuilt by the constructor, not the dataclass's generic
        # __getstate__/__setstate__, which list the fields for every object.
        return (type(self), (self.move, self.to, self.service, self.reason, self.rules, self.reasons))


@dataclass(frozen=True, slots=True)
class ClosedSetCertificate:
    """isolated / only_via / blast_radius proved: the attacker's closed set and its boundary.

    `hosts` and `credentials` contain the foothold and are closed under all four moves; the
    targets lie outside. `senders` are the foothold references the attacker sends from.
    """

    hosts: tuple[str, ...]
    credentials: tuple[str, ...]
    senders: tuple[str, ...]
    boundary: tuple[Blocked, ...]
    excluded: tuple[str, ...] = ()  # only_via: the via hosts, unusable by assumption


@dataclass(frozen=True, slots=True)
class AccountsCertificate:
    """separate_accounts proved: per zone, the accounts that may log in or leave sessions there."""

    zones: tuple[tuple[str, tuple[str, ...]], ...]


Certificate = RegionCertificate | ClosedSetCertificate | AccountsCertificate


@dataclass(frozen=True, slots=True)
class Choice:
    """Evidence for some choices of a proved `resilient` policy (semantics/cover.py checks that
    the choices of a policy cover every choice).

    accounts: each of `accounts` stolen and used from `places` (the same for all of them): the
              certificate proves the policy with any one of them added as footholds.
    failed:   the certificate proves the policy on the model with these controls failed; with
              `every`, `failed` is empty and the model is the one with every control failed.
    """

    certificate: ClosedSetCertificate
    accounts: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    failed: tuple[Control, ...] = ()
    every: bool = False


# ---- results and report ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PolicyResult:
    id: str
    kind: PolicyKind
    status: Status
    title: str = ""
    severity: Severity = "high"
    source: Span | None = None
    witness: Witness | None = None
    certificate: Certificate | None = None
    waiver: Waiver | None = None
    reason: str = ""  # for unknown: the solver's reason
    stale_waiver: Waiver | None = None  # a waiver for a policy that now holds
    explanation: Explanation | None = None  # `check --explain`: what a proved attack policy rests on
    choices: tuple[Choice, ...] = ()  # a proved `resilient` policy: the evidence for every choice


# critical is the highest; a smaller rank is more severe.
SEVERITY_RANK: dict[Severity, int] = {s: i for i, s in enumerate(SEVERITIES)}


def at_or_above(severity: Severity, threshold: Severity | None) -> bool:
    """Whether `severity` reaches `threshold`; no threshold means every severity counts."""
    return threshold is None or SEVERITY_RANK[severity] <= SEVERITY_RANK[threshold]


@dataclass(frozen=True, slots=True)
class Gate:
    """The CI gate's knobs: --fail-on narrows which violations fail, --exit-zero never fails.

    Expired waivers already arrive as `violated` (analyses/waivers.py); stale waivers are
    reported by the renderers and never fail a run.
    """

    fail_on: Severity | None = None
    exit_zero: bool = False


@dataclass(frozen=True, slots=True)
class Report:
    results: tuple[PolicyResult, ...]
    files: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=())
    gate: Gate = Gate()  # the default gate is the spec's exit code

    def count(self, status: Status) -> int:
        return sum(1 for r in self.results if r.status == status)

    def summary(self) -> dict[str, int]:
        return {s.value: self.count(s) for s in Status}

    def failing(self) -> tuple[PolicyResult, ...]:
        """The violations that fail the run: those at or above the gate's --fail-on threshold."""
        fail_on = self.gate.fail_on
        return tuple(
            r for r in self.results if r.status == Status.VIOLATED and at_or_above(r.severity, fail_on)
        )

    def stale_waivers(self) -> tuple[PolicyResult, ...]:
        """Results whose waiver is no longer needed because the policy now holds."""
        return tuple(r for r in self.results if r.stale_waiver is not None)

    @property
    def exit_code(self) -> int:
        """The one place a report's exit code is decided (spec: 0 pass, 1 violated, 3 unknown).

        A violation below the --fail-on threshold is reported but passes. `unknown` is never a
        pass: it exits 3 at any severity, unless --exit-zero asks for a report that never fails.
        A violation outranks an unknown. (Exit 2, bad input, and 70, an internal error, are
        errors raised before a report exists: cli.exits maps them.)
        """
        if self.gate.exit_zero:
            return EXIT_OK
        if self.failing():
            return EXIT_VIOLATED
        if self.count(Status.UNKNOWN):
            return EXIT_UNKNOWN
        return EXIT_OK


def rule_ref(flow: Flow) -> RuleRef:
    """How a report cites a flow rule: name, action, position, file:line and its metadata."""
    return RuleRef(
        name=flow.name,
        action=flow.action,
        index=flow.index,
        span=flow.span,
        description=flow.description,
        owner=flow.owner,
        ticket=flow.ticket,
    )


def default_ref(defaults: Defaults, intra: bool) -> RuleRef:
    """A packet no rule matches: `default:intra_zone` when both ends share a zone."""
    if intra:
        return RuleRef(name="default:intra_zone", action=defaults.intra_zone)
    return RuleRef(name="default:inter_zone", action=defaults.inter_zone)


def layer_default_ref(layer: str, action: Literal["allow", "deny"], intra: bool) -> RuleRef:
    """No rule of an enforcement layer matches: `default:intra_zone@LAYER` or `default:inter_zone@LAYER`."""
    return RuleRef(name=f"default:{'intra_zone' if intra else 'inter_zone'}@{layer}", action=action)
