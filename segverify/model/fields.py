"""Model stage: the one declarative table of sections and fields (read by the builder and schema.py).

Every key a model file may hold is named here once, with its kind, whether it is required,
its allowed values and a description. The reader checks user input against it and the JSON
Schema is generated from it, so the two cannot drift apart.
"""

from __future__ import annotations

from segverify.kinds import KINDS, policy_kinds
from segverify.model.ir import SEVERITIES
from segverify.model.shapes import Field, Shape

ACTIONS = ("allow", "deny")
EXPLOITS = ("declared", "exposed", "none")


def _text(name: str, doc: str) -> Field:
    return Field(name, "text", doc)


DESCRIPTION = _text("description", "free text shown in reports")
TAGS = Field("tags", "list", "labels that `tag:NAME` references select")

ATTACKER = Shape(
    "attacker",
    (
        Field(
            "exploits",
            "choice",
            "which services count as exploitable: those in `vulnerable` (declared), "
            "every offered service (exposed) or none",
            choices=EXPLOITS,
        ),
        Field("mfa_bypass", "flag", "credentials of `mfa: true` accounts can be replayed"),
        Field(
            "credential_theft", "flag", "the harvest move is on (credentials are taken from controlled hosts)"
        ),
    ),
)

ZONE = Shape(
    "zone",
    (
        Field("networks", "list", "CIDRs or addresses (IPv4 or IPv6) of the zone", required=True),
        Field("external", "flag", "an outside zone: it gets only addresses that no internal zone holds"),
        TAGS,
        DESCRIPTION,
    ),
)

SERVICE = Shape(
    "service",
    (
        Field("ports", "list", "port specs: tcp/22, tcp/8000-8100, udp/53, icmp or any", required=True),
        Field("login", "flag", "credential-based remote access (whoever may log in runs code)"),
        DESCRIPTION,
    ),
)

HOST = Shape(
    "host",
    (
        Field("zone", "name", "the zone the host is in", required=True),
        Field("address", "name", "one IP, or a CIDR for a fleet of identical hosts", required=True),
        Field("services", "list", "services offered: names or inline port specs"),
        Field("logins", "list", "principals that may log in through a login service"),
        Field("sessions", "list", "principals whose credentials an attacker controlling the host takes"),
        Field("manages", "list", "references to hosts or zones this host controls (no network flow needed)"),
        Field("vulnerable", "list", "offered services exploitable without credentials"),
        TAGS,
        DESCRIPTION,
    ),
)

ACCOUNT = Shape(
    "account",
    (
        Field("member_of", "list", "groups the account is in"),
        Field("mfa", "flag", "its credentials cannot be replayed without mfa_bypass"),
        DESCRIPTION,
    ),
)

GROUP = Shape(
    "group",
    (
        Field("member_of", "list", "groups this group is in"),
        DESCRIPTION,
    ),
)

FLOW = Shape(
    "flow",
    (
        Field("name", "name", "the rule's name in reports (default rule-N)"),
        Field("from", "list", "source references", required=True),
        Field("to", "list", "destination references", required=True),
        Field("services", "list", "service names, inline port specs or any", required=True),
        Field("action", "choice", "allow (default) or deny", choices=ACTIONS),
        DESCRIPTION,
        _text("owner", "who owns the rule"),
        _text("ticket", "the change ticket behind the rule"),
    ),
)

DEFAULTS = Shape(
    "defaults",
    (
        Field(
            "intra_zone", "choice", "packets no rule matches inside one zone (default allow)", choices=ACTIONS
        ),
        Field(
            "inter_zone", "choice", "packets no rule matches between zones (default deny)", choices=ACTIONS
        ),
        Field("attacker", "object", "the attacker profile of every policy", shape=ATTACKER),
    ),
)

LAYER_DEFAULTS = Shape(
    "layer defaults",
    (
        Field(
            "intra_zone",
            "choice",
            "packets no rule of the layer matches inside one zone (default allow)",
            choices=ACTIONS,
        ),
        Field(
            "inter_zone",
            "choice",
            "packets no rule of the layer matches between zones (default deny)",
            choices=ACTIONS,
        ),
    ),
)

APPLIES_TO = Shape(
    "applies_to",
    (
        Field("from", "list", "source references the layer applies to (default any)"),
        Field("to", "list", "destination references the layer applies to (default any)"),
    ),
)

LAYER = Shape(
    "layer",
    (
        Field("name", "name", "the layer's name in reports", required=True),
        Field("flows", "items", "the layer's ordered flow rules: the first match decides", shape=FLOW),
        Field("defaults", "object", "what packets no rule of the layer matches get", shape=LAYER_DEFAULTS),
        Field(
            "applies_to",
            "object",
            "the packets the layer sees (default all); others pass it untouched",
            shape=APPLIES_TO,
        ),
        DESCRIPTION,
    ),
)

FOOTHOLD = Shape(
    "account foothold",
    (
        Field("account", "name", "an account whose credentials the attacker holds", required=True),
        Field("at", "name", "a reference to the addresses the attacker sends from", required=True),
    ),
)

POLICY = Shape(
    "policy",
    (
        Field("id", "name", "a stable identifier, e.g. SEG-001", required=True),
        _text("title", "one line shown in reports"),
        DESCRIPTION,
        Field("severity", "choice", "critical, high (default), medium or low", choices=SEVERITIES),
        Field("attacker", "object", "overrides keys of defaults.attacker for this policy", shape=ATTACKER),
        *(Field(k.name, "object", f"a {k.name} policy", shape=k.shape()) for k in KINDS.values()),
    ),
    one_of=policy_kinds(),
)

WAIVER = Shape(
    "waiver",
    (
        Field("policy", "name", "the id of the waived policy", required=True),
        Field("reason", "text", "why the violation is accepted", required=True),
        Field("expires", "date", "last day (inclusive) the waiver holds, YYYY-MM-DD", required=True),
        _text("owner", "who answers for the waiver"),
    ),
)

VERSION = "segverify"
FILE = Shape(
    "segverify model file",
    (
        Field(VERSION, "version", "the format version: 1", required=True),
        Field("zones", "named", "zones by name", shape=ZONE),
        Field("services", "named", "services by name (override built-ins of the same name)", shape=SERVICE),
        Field("hosts", "named", "hosts and fleets by name", shape=HOST),
        Field("accounts", "named", "accounts by name", shape=ACCOUNT),
        Field(
            "groups", "named", "groups by name (a group also exists once a member_of names it)", shape=GROUP
        ),
        Field("flows", "items", "ordered flow rules: the first match decides", shape=FLOW),
        Field(
            "defaults", "object", "what packets no rule matches get, and the attacker profile", shape=DEFAULTS
        ),
        Field(
            "layers",
            "items",
            "further enforcement layers: a packet is allowed iff every layer that applies allows it",
            shape=LAYER,
        ),
        Field("policies", "items", "what must hold", shape=POLICY),
        Field("waivers", "items", "accepted violations, each until a date", shape=WAIVER),
    ),
)
