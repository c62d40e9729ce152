"""Test support: a small enterprise model (internet, corp, prod, platform) as IR, after the spec."""

from __future__ import annotations

from segverify.model.ir import AttackerProfile, Defaults, Model
from tests.strategies import FlowDraft, account, flow, group, host, make_model, zone

ZONES = [
    zone("internet", "0.0.0.0/0", "::/0", external=True),
    zone("corp", "10.10.0.0/24", tags=["corporate"]),
    zone("prod", "10.20.0.0/24", tags=["production"]),
    zone("platform", "10.30.0.0/24", "fd00:30::/64"),
]

HOSTS = [
    host(
        "laptops",
        "corp",
        "10.10.0.0/28",
        services=["rdp", "smb"],
        logins=["employees"],
        sessions=["employees"],
    ),
    host(
        "dc",
        "corp",
        "10.10.0.100",
        services=["ldap", "rdp"],
        logins=["domain-admins"],
        sessions=["domain-admins"],
        manages=["laptops"],
    ),
    host("ci", "corp", "10.10.0.50", services=["https"], manages=[]),
    host("jump", "prod", "10.20.0.5", services=["ssh"], logins=["employees", "ops"], sessions=["ops"]),
    host("db", "prod", "10.20.0.10", services=["ssh", "postgres"], logins=["ops"], tags=["crown-jewel"]),
    host(
        "relay",
        "platform",
        "10.30.0.10",
        services=["relay", "ssh"],
        logins=["platform-ops"],
        vulnerable=["relay"],
    ),
    host("relay6", "platform", "fd00:30::10", services=["relay"], vulnerable=["relay"]),
]

PRINCIPALS = [
    account("alice", "employees"),
    account("corp-admin", "domain-admins"),
    account("ops-1", "ops", mfa=True),
    account("ops-2", "ops"),
    account("pat", "platform-ops"),
    group("employees", "all-staff"),
]

FLOWS = [
    flow("internet-to-relay", "internet", ["relay", "relay6"], "relay"),
    flow("internet-to-laptops-rdp", "internet", "laptops", "rdp"),
    flow("corp-to-jump", "corp", "jump", "ssh"),
    flow("jump-to-prod", "jump", "prod", "ssh"),
]


def scenario(
    flows: list[FlowDraft] | None = None,
    hosts_extra: list | None = None,  # type: ignore[type-arg]
    profile: AttackerProfile = AttackerProfile(),
    replace_hosts: dict | None = None,  # type: ignore[type-arg]
    principals_extra: list | None = None,  # type: ignore[type-arg]
) -> Model:
    hosts = [(replace_hosts or {}).get(h.name, h) for h in HOSTS] + list(hosts_extra or [])
    return make_model(
        ZONES,
        hosts,
        PRINCIPALS + list(principals_extra or []),
        FLOWS if flows is None else flows,
        Defaults(intra_zone="allow", inter_zone="deny", attacker=profile),
    )
