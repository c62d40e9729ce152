"""Synthesis stage: the ordered flow rules of a synthetic enterprise.

A global head (internet, partner, directory), one block of structural rules per site
(quarantine denies that cut a laptop fleet in half, jump-host access, monitoring, backup,
corp isolation in hardened sites, per-application database access), then *legacy* rules
scattered through the list up to the planned rule count: overlapping allows, fragmenting
denies on corp subnets, cross-site integrations. Legacy rules only carry data services (never
a login or node-exporter), so the designed polarity of every policy survives them.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from bench.synth.draft import Draft, v4_cidr
from bench.synth.layout import DB_SERVICES, Site
from segverify.model.ir import Flow

ADMIN_SERVICES = ("ssh", "rdp", "smb", "winrm", "telnet", "vnc", "jump-ssh")
DATA_SERVICES = ("http", "https", "dns", "ntp", "syslog", "tcp/9000-9100", "relay", "smtp", "imaps")


def quarantine_cidr(site: Site) -> str:
    """Half of laptops-0's block (10.s.0.64/26): it splits the fleet into denied and allowed parts."""
    return v4_cidr(site.at(0, 64), 26)


def add_flows(draft: Draft, sites: list[Site], target: int, rng: random.Random) -> None:
    add_head(draft, sites[0])
    for site in sites:
        add_site_rules(draft, site, sites[0])
    head = 5
    structural = len(draft.flows)
    for n in range(max(0, target - structural)):
        LEGACY[rng.randrange(len(LEGACY))](draft, sites, rng, f"legacy-{n + 1:05d}")
    # Scatter the legacy rules: each lands before a random structural rule (stable for ties).
    keys = [float(i) for i in range(structural)]
    keys += [rng.uniform(head, structural) for _ in range(len(draft.flows) - structural)]
    order = sorted(range(len(draft.flows)), key=lambda i: (keys[i], i))
    draft.flows = [draft.flows[i] for i in order]


def add_head(draft: Draft, hq: Site) -> None:
    internal = ("tag:corporate", "tag:production", "tag:platform")
    draft.flow("internet-no-admin", ["internet"], internal, ADMIN_SERVICES, "deny", owner="secops")
    draft.flow("internet-to-dmz", ["internet"], ["tag:dmz"], ["https", "http"], owner="web-team")
    draft.flow("partner-to-hq", ["partner"], [hq.zone("dmz")], ["tcp/8443"], ticket="NET-1001")
    draft.flow("directory", ["tag:corporate"], ["tag:directory"], ["ldap", "kerberos", "dns"])
    draft.flow("v6lab-egress", ["hq-v6lab"], ["internet"], ["https"])


def add_site_rules(draft: Draft, site: Site, hq: Site) -> None:
    s, z, n = site, site.zone, site.named
    crown = [a.db for a in site.apps if a.crown]
    draft.flow(n("quarantine"), [quarantine_cidr(s)], ["any"], ["any"], "deny", ticket=f"SEC-{s.index + 100}")
    draft.flow(n("corp-to-jump"), [z("corp")], [n("jump")], ["ssh", "jump-ssh"])
    draft.flow(n("corp-to-dashboards"), [z("corp")], [n("mon")], ["https"])
    draft.flow(n("corp-deny-mgmt"), [z("corp")], [z("mgmt")], ["any"], "deny")
    draft.flow(n("jump-to-servers"), [n("jump")], [z("srv"), z("dmz")], ["ssh"])
    draft.flow(
        n("monitoring"), [n("mon")], [z("srv"), z("dmz"), z("corp")], ["node-exporter", "ping", "snmp"]
    )
    draft.flow(n("backup"), [n("backup")], [z("srv")], ["backup-agent"], owner="backup-team")
    draft.flow(n("admin-desktops"), [n("admin")], [z("corp")], ["rdp", "winrm"])
    if not site.leaky:
        draft.flow(n("corp-isolation"), [z("corp")], [z("corp")], ["rdp", "smb", "winrm"], "deny")
    if crown:
        draft.flow(n("corp-deny-db"), [z("corp")], crown, ["any"], "deny")
    draft.flow(n("corp-to-srv"), [z("corp")], [z("srv")], ["https", "tcp/8080"])
    draft.flow(n("wan-erp"), [z("corp")], [hq.zone("srv")], ["erp", "https"], owner="erp-team")
    draft.flow(n("dmz-to-api"), [z("dmz")], [a.api for a in site.apps[:2]], ["app-api"])
    if not site.leaky and crown:
        for app in (a for a in site.apps if a.crown):
            draft.flow(n(f"app{app.index:03d}-db-access"), [app.api], [app.db], [app.db_service])
        draft.flow(n("db-guard"), [z("srv")], crown, DB_SERVICES, "deny")
    draft.flow(n("lab-contain"), [z("lab")], [z("srv"), z("mgmt"), z("corp")], ["any"], "deny")
    draft.flow(n("lab-egress"), [z("lab")], ["internet"], ["http", "https"])
    draft.flow(n("srv-egress"), [z("srv")], ["internet"], ["https"])


Legacy = Callable[[Draft, list[Site], random.Random, str], Flow]


def _data(rng: random.Random, k: int = 2) -> list[str]:
    return rng.sample(DATA_SERVICES, k)


def _integration(draft: Draft, sites: list[Site], rng: random.Random, name: str) -> Flow:
    a, b = rng.choice(sites), rng.choice(sites)
    src, dst = rng.choice(a.apps).api, rng.choice(b.apps).api
    return draft.flow(name, [src], [dst], ["app-api"], ticket=f"INT-{rng.randrange(10_000)}")


def _corp_block_deny(draft: Draft, sites: list[Site], rng: random.Random, name: str) -> Flow:
    """A /28 of workstations denied the web tier: fragments corp sources of corp-to-srv."""
    s = rng.choice(sites)
    block = s.at(64 + rng.randrange(4), 16 * rng.randrange(16))
    return draft.flow(name, [v4_cidr(block, 28)], [s.zone("srv")], ["https", "http"], "deny")


def _corp_subnet_allow(draft: Draft, sites: list[Site], rng: random.Random, name: str) -> Flow:
    s = rng.choice(sites)
    block = s.at(64 + rng.randrange(8), 32 * rng.randrange(8))
    dst = rng.choice(s.fileservers or [a.api for a in s.apps])
    return draft.flow(name, [v4_cidr(block, 27)], [dst], _data(rng))


def _srv_to_directory(draft: Draft, sites: list[Site], rng: random.Random, name: str) -> Flow:
    s = rng.choice(sites)
    return draft.flow(name, [s.zone("srv")], ["tag:directory"], ["dns", "ntp"])


def _replication(draft: Draft, sites: list[Site], rng: random.Random, name: str) -> Flow:
    """Database replication between leaky sites (some of those databases are exploitable)."""
    leaky = [s for s in sites if s.leaky] or sites
    a, b = rng.choice(leaky), rng.choice(leaky)
    src, dst = rng.choice(a.apps), rng.choice(b.apps)
    return draft.flow(name, [src.api], [dst.db], [dst.db_service], owner="dba-team")


def _lab_deny(draft: Draft, sites: list[Site], rng: random.Random, name: str) -> Flow:
    a, b = rng.choice(sites), rng.choice(sites)
    return draft.flow(name, [a.zone("lab")], [b.zone("srv")], ["any"], "deny")


def _snmp(draft: Draft, sites: list[Site], rng: random.Random, name: str) -> Flow:
    a, b = rng.choice(sites), rng.choice(sites)
    return draft.flow(name, [a.named("mon")], [b.zone("srv")], ["snmp", "syslog"])


def _partner(draft: Draft, sites: list[Site], rng: random.Random, name: str) -> Flow:
    s = rng.choice(sites)
    return draft.flow(name, ["partner"], [rng.choice(s.dmz)], ["relay"])


def _corp_peer_deny(draft: Draft, sites: list[Site], rng: random.Random, name: str) -> Flow:
    s = rng.choice(sites)
    return draft.flow(name, [s.zone("corp")], [rng.choice(s.workstations)], ["tcp/9000-9100"], "deny")


LEGACY: tuple[Legacy, ...] = (
    _integration,
    _integration,
    _corp_block_deny,
    _corp_subnet_allow,
    _srv_to_directory,
    _replication,
    _lab_deny,
    _snmp,
    _partner,
    _corp_peer_deny,
)
