"""Synthesis stage: the sites of a synthetic enterprise: zones, hosts, fleets and principals.

Every site s owns 10.s.0.0/16, cut into disjoint internal zones (corp /17, srv /18, mgmt /20,
dmz /21, lab /24); site 0 (headquarters) also has an IPv6 lab. `internet` and a more specific
external `partner` zone cover the rest. Odd sites are *leaky* (vulnerable web tiers, shared
sessions, flat corp networks), even sites *hardened*, so that policies of both polarities exist
by construction rather than by chance.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from bench.synth.draft import Draft, v4_cidr
from bench.synth.plan import Plan
from segverify.model.addresses import V6_BASE, cidr_set
from segverify.model.intervals import IntervalSet
from segverify.model.ir import Host

PLANES = {"corp": (0, 17), "srv": (128, 18), "mgmt": (192, 20), "dmz": (208, 21), "lab": (216, 24)}
PLANE_TAGS = {"corp": "corporate", "srv": "production", "mgmt": "platform", "dmz": "dmz", "lab": "lab"}
DB_SERVICES = ("postgres", "mysql", "mssql")
V6_LAB = "fd00:0:0:10::/64"
CUSTOM_SERVICES: dict[str, tuple[tuple[str, ...], bool]] = {
    "app-api": (("tcp/8443",), False),
    "jump-ssh": (("tcp/2222",), True),
    "backup-agent": (("tcp/10000",), False),
    "erp": (("tcp/50000-50099",), False),
    "relay": (("tcp/5938", "udp/5938"), False),
}


@dataclass(frozen=True, slots=True)
class App:
    """A three-tier application: web (some are fleets), api and database."""

    index: int
    web: str
    api: str
    db: str
    db_service: str
    svc_account: str
    crown: bool


@dataclass
class Site:
    index: int
    name: str
    leaky: bool
    base: int  # 10.s.0.0
    users: list[str] = field(default_factory=list)
    workstations: list[str] = field(default_factory=list)
    fleets: list[str] = field(default_factory=list)
    apps: list[App] = field(default_factory=list)
    fileservers: list[str] = field(default_factory=list)
    dmz: list[str] = field(default_factory=list)
    labs: list[str] = field(default_factory=list)

    def zone(self, plane: str) -> str:
        return f"{self.name}-{plane}"

    def named(self, role: str) -> str:
        """A host, account or group of this site."""
        return f"{self.name}-{role}"

    def at(self, third: int, fourth: int = 0) -> int:
        return self.base + third * 256 + fourth


@dataclass(frozen=True, slots=True)
class Counts:
    corp: int
    srv: int
    dmz: int
    lab: int

    @staticmethod
    def of(budget: int) -> Counts:
        """Host entries per plane; 5 management hosts are fixed, corp takes the rest."""
        dmz, lab, srv = max(2, budget * 2 // 100), max(1, min(200, budget // 100)), max(7, budget * 35 // 100)
        return Counts(budget - 5 - dmz - lab - srv, srv, dmz, lab)


def build_sites(draft: Draft, plan: Plan, rng: random.Random) -> list[Site]:
    add_shared(draft)
    sites = [Site(s, f"s{s:03d}", s % 2 == 1, (10 << 24) | (s << 16)) for s in range(plan.sites)]
    per = plan.hosts // plan.sites
    for site in sites:
        budget = per + (plan.hosts - per * plan.sites if site.index == 0 else 0)
        add_site(draft, site, Counts.of(budget), rng)
    return sites


def add_shared(draft: Draft) -> None:
    draft.zone("internet", ("0.0.0.0/0", "::/0"), external=True)
    draft.zone("partner", ("198.51.100.0/24",), external=True, tags=("partner",))
    for name, (specs, login) in CUSTOM_SERVICES.items():
        draft.service(name, specs, login)
    draft.group("it-staff", ("all-staff",))
    draft.group("domain-admins", ("it-staff",), "Directory administrators")
    draft.group("helpdesk", ("all-staff",))
    draft.group("dmz-ops", ("it-staff",))
    draft.group("lab-users")
    for i in (1, 2):
        draft.account(f"admin-{i}", ("domain-admins",), mfa=True)
        draft.account(f"dmz-op-{i}", ("dmz-ops",))
        draft.account(f"lab-{i}", ("lab-users",))
    for i in (1, 2, 3):
        draft.account(f"helpdesk-{i}", ("helpdesk",))


def add_site(draft: Draft, site: Site, counts: Counts, rng: random.Random) -> None:
    for plane, (third, prefix) in PLANES.items():
        draft.zone(site.zone(plane), (v4_cidr(site.at(third), prefix),), tags=(PLANE_TAGS[plane],))
    add_site_principals(draft, site, counts)
    add_mgmt(draft, site)
    corp = counts.corp
    if site.index == 0:
        draft.zone("hq-v6lab", (V6_LAB,), tags=("lab",))
        add_v6_lab(draft)
        corp -= 2
    add_corp(draft, site, corp, rng)
    add_srv(draft, site, counts.srv)
    add_edge(draft, site, counts.dmz, counts.lab)


def add_site_principals(draft: Draft, site: Site, counts: Counts) -> None:
    draft.group(site.named("users"), ("all-staff",))
    draft.group(site.named("ops"), ("it-staff",))
    draft.group(site.named("dba"), ("it-staff",))
    shared = ("lab-users",) if site.leaky else ()
    site.users = [site.named(f"user-{i}") for i in range(max(2, (counts.corp + counts.srv) // 40))]
    for i, user in enumerate(site.users):
        draft.account(user, (site.named("users"), *(shared if i == 0 else ())))
    for i in (1, 2):
        draft.account(site.named(f"ops-{i}"), (site.named("ops"),), mfa=not site.leaky)
    draft.account(site.named("dba-1"), (site.named("dba"),))


def add_mgmt(draft: Draft, site: Site) -> None:
    z, ops = site.zone("mgmt"), site.named("ops")
    jump_sessions = (ops, site.named("dba")) if site.leaky else (ops,)
    draft.host(
        site.named("jump"),
        z,
        site.at(192, 10),
        32,
        services=("ssh", "jump-ssh"),
        logins=(ops, "domain-admins"),
        sessions=jump_sessions,
        tags=("jump",),
    )
    draft.host(
        site.named("mon"),
        z,
        site.at(192, 11),
        32,
        services=("https", "ssh"),
        logins=(ops,),
        tags=("monitoring",),
    )
    draft.host(
        site.named("backup"),
        z,
        site.at(192, 12),
        32,
        services=("backup-agent", "ssh"),
        logins=(ops,),
        manages=(site.zone("srv"),),
        tags=("backup",),
    )
    draft.host(
        site.named("admin"),
        z,
        site.at(192, 13),
        32,
        services=("rdp",),
        logins=("domain-admins",),
        sessions=("domain-admins",),
    )
    draft.host(
        site.named("dc"),
        z,
        site.at(192, 14),
        32,
        services=("ldap", "kerberos", "smb", "rdp", "dns"),
        logins=("domain-admins",),
        sessions=("domain-admins",),
        manages=(site.zone("corp"),),
        tags=("directory",),
    )


def add_corp(draft: Draft, site: Site, count: int, rng: random.Random) -> None:
    """Fleets of laptops (one /24 block each, /24 to /26) and single workstations from 10.s.64.0."""
    z, users = site.zone("corp"), site.named("users")
    fleets = max(1, count // 150)
    for j in range(fleets):
        name = site.named(f"laptops-{j}")
        draft.host(
            name,
            z,
            site.at(j),
            24 + j % 3,
            services=("rdp",),
            logins=(users, "helpdesk"),
            sessions=(users,),
            tags=("laptop",),
        )
        site.fleets.append(name)
    for i in range(count - fleets):
        name = site.named(f"ws-{i:05d}")
        sessions: tuple[str, ...] = (site.users[i % len(site.users)],)
        if site.leaky and i % 10 == 0:
            sessions += ("helpdesk-1",)
        vulnerable = ("smb",) if site.leaky and i % 25 == 3 else ()
        draft.host(
            name,
            z,
            site.at(64 + i // 250, 1 + i % 250),
            32,
            services=("rdp", "smb"),
            logins=(users, "helpdesk"),
            sessions=sessions,
            vulnerable=vulnerable,
        )
        site.workstations.append(name)
    rng.shuffle(site.workstations)


def add_srv(draft: Draft, site: Site, count: int) -> None:
    """Apps in 16-address blocks from 10.s.128.0, file servers from 10.s.176.0."""
    apps = max(1, count // 4)
    for k in range(apps):
        site.apps.append(add_app(draft, site, k))
    for i in range(count - 3 * apps):
        name = site.named(f"fs-{i:04d}")
        draft.host(
            name,
            site.zone("srv"),
            site.at(176 + i // 250, 1 + i % 250),
            32,
            services=("smb", "ssh"),
            logins=(site.named("ops"),),
        )
        site.fileservers.append(name)


def add_app(draft: Draft, site: Site, k: int) -> App:
    z, ops, block = site.zone("srv"), site.named("ops"), site.at(128 + k // 16, (k % 16) * 16)
    app = App(
        k,
        site.named(f"app{k:03d}-web"),
        site.named(f"app{k:03d}-api"),
        site.named(f"app{k:03d}-db"),
        DB_SERVICES[k % 3],
        site.named(f"app{k:03d}-svc"),
        k % 4 == 0,
    )
    draft.account(app.svc_account, (site.named("apps"),))
    web_services = ("https", "ssh", "tcp/8080") if k % 5 == 0 else ("https", "ssh")
    draft.host(
        app.web,
        z,
        block if k % 3 == 1 else block + 1,  # a /29 fleet starts on its block, a single host after it
        29 if k % 3 == 1 else 32,
        services=web_services,
        logins=(ops,),
        sessions=(app.svc_account,) if site.leaky else (),
        vulnerable=("https",) if site.leaky and k % 3 == 0 else (),
    )
    draft.host(
        app.api,
        z,
        block + 9,
        32,
        services=("app-api", "ssh"),
        logins=(ops, app.svc_account),
        sessions=(site.named("dba-1"),) if site.leaky else (),
    )
    tags = ("crown-jewel",) if app.crown else ()
    draft.host(
        app.db,
        z,
        block + 10,
        32,
        services=(app.db_service, "ssh"),
        logins=(site.named("dba"),),
        vulnerable=(app.db_service,) if site.leaky and k % 6 == 1 else (),
        tags=tags + (("pci",) if k % 7 == 0 else ()),
    )
    return app


def add_edge(draft: Draft, site: Site, dmz: int, lab: int) -> None:
    for i in range(dmz):
        name = site.named(f"dmz-{i:03d}")
        draft.host(
            name,
            site.zone("dmz"),
            site.at(208 + i // 240, 10 + i % 240),
            32,
            services=("https", "ssh"),
            logins=("dmz-ops",),
            vulnerable=("https",) if site.leaky and i == 0 else (),
        )
        site.dmz.append(name)
    for i in range(lab):
        name = site.named(f"lab-{i:03d}")
        draft.host(
            name,
            site.zone("lab"),
            site.at(216, 10 + i),
            32,
            services=("ssh", "vnc", "http"),
            logins=("lab-users",),
            sessions=("lab-users",),
        )
        site.labs.append(name)


def add_v6_lab(draft: Draft) -> None:
    base = cidr_set(V6_LAB).first()
    for i in (1, 2):
        address = base + 0x10 + i
        text = f"fd00:0:0:10::{0x10 + i:x}"
        assert V6_BASE <= address
        draft.add_host(
            Host(
                f"v6lab-{i}",
                "hq-v6lab",
                text,
                IntervalSet.span(address, address),
                False,
                services=("ssh",),
                logins=("lab-users",),
            )
        )
