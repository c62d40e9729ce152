"""Hand-built IR models and results for the diagram tests (no loader needed)."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from segverify.diagnostics import Span
from segverify.model.addresses import cidr_set, parse_network
from segverify.model.catalog import builtin_services
from segverify.model.intervals import IntervalSet, union_all
from segverify.model.ir import (
    AccountFoothold,
    BlastRadiusSpec,
    Defaults,
    Flow,
    Host,
    IsolatedSpec,
    MatrixCell,
    MatrixSpec,
    Model,
    NoFlowSpec,
    OnlyViaSpec,
    Policy,
    Principal,
    Ref,
    RefFoothold,
    Service,
    Zone,
)
from segverify.model.ports import looks_like_port_spec, parse_port_spec
from segverify.results import (
    BlastWitness,
    Blocked,
    ClosedSetCertificate,
    ControlledHost,
    Hop,
    MatrixWitness,
    Packet,
    PacketWitness,
    PairWitness,
    PathWitness,
    PolicyResult,
    Report,
    RuleRef,
    Status,
)

MODEL = "model.yaml"
POLICIES = "policies.yaml"


def addr(text: str) -> int:
    return cidr_set(text).first()


def svc(spec: str) -> int:
    return parse_port_spec(spec).first()


def zone(
    name: str, nets: tuple[str, ...], line: int, external: bool = False, tags: tuple[str, ...] = ()
) -> Zone:
    return Zone(name, nets, union_all(cidr_set(n) for n in nets), external, tags, span=Span(MODEL, line, 3))


def host(name: str, zone_name: str, address: str, line: int, **kw: object) -> Host:
    net = parse_network(address)
    return Host(
        name=name,
        zone=zone_name,
        address=address,
        addresses=cidr_set(address),
        fleet=net.num_addresses > 1,
        span=Span(MODEL, line, 3),
        **kw,  # type: ignore[arg-type]
    )


def ports_of(services: dict[str, Service], names: tuple[str, ...]) -> IntervalSet:
    return union_all(parse_port_spec(n) if looks_like_port_spec(n) else services[n].ports for n in names)


def flows(
    services: dict[str, Service],
    rows: list[tuple[str, tuple[str, ...], tuple[str, ...], tuple[str, ...], str, int]],
) -> tuple[Flow, ...]:
    return tuple(
        Flow(
            index=i,
            name=name,
            sources=tuple(Ref(s) for s in src),
            destinations=tuple(Ref(d) for d in dst),
            services=svcs,
            ports=ports_of(services, svcs),
            action=action,  # type: ignore[arg-type]
            span=Span(MODEL, line, 5),
        )
        for i, (name, src, dst, svcs, action, line) in enumerate(rows)
    )


def quickstart() -> Model:
    services = builtin_services()
    services["relay"] = Service("relay", parse_port_spec("tcp/5938"), ("tcp/5938",), span=Span(MODEL, 9, 3))
    zones = {
        "internet": zone("internet", ("0.0.0.0/0", "::/0"), 3, external=True),
        "corp-it": zone("corp-it", ("10.10.0.0/16",), 4, tags=("corporate",)),
        "production": zone("production", ("10.20.0.0/16",), 5),
        "connectivity": zone("connectivity", ("10.30.0.0/16",), 6),
    }
    hosts = {
        "laptops": host(
            "laptops",
            "corp-it",
            "10.10.0.0/20",
            12,
            services=("rdp", "smb"),
            logins=("employees",),
            sessions=("employees",),
        ),
        "corp-dc": host(
            "corp-dc",
            "corp-it",
            "10.10.100.10",
            18,
            services=("ldap", "kerberos", "smb", "rdp"),
            logins=("domain-admins",),
            sessions=("domain-admins",),
            manages=(Ref("laptops"),),
        ),
        "jump": host(
            "jump",
            "production",
            "10.20.0.5",
            25,
            services=("ssh",),
            logins=("employees", "platform-ops"),
            sessions=("platform-ops",),
        ),
        "db": host(
            "db", "production", "10.20.1.10", 30, services=("postgres", "ssh"), logins=("platform-ops",)
        ),
        "relay-01": host(
            "relay-01",
            "connectivity",
            "10.30.0.10",
            34,
            services=("relay", "ssh"),
            logins=("platform-ops",),
            vulnerable=("relay",),
            tags=("crown-jewel",),
        ),
    }
    principals = {
        "alice": Principal("alice", "account", ("employees",)),
        "helpdesk": Principal("helpdesk", "account", ("employees",)),
        "corp-admin": Principal("corp-admin", "account", ("domain-admins",)),
        "ops-1": Principal("ops-1", "account", ("platform-ops",)),
        "employees": Principal("employees", "group", ("all-staff",)),
        "domain-admins": Principal("domain-admins", "group"),
        "platform-ops": Principal("platform-ops", "group"),
        "all-staff": Principal("all-staff", "group"),
    }
    rules = flows(
        services,
        [
            ("internet-to-relay", ("internet",), ("relay-01",), ("relay",), "allow", 41),
            ("corp-to-platform-admin", ("corp-it",), ("connectivity",), ("ssh",), "deny", 45),
            ("helpdesk-to-relay-web", ("laptops",), ("relay-01",), ("https", "tcp/8080"), "allow", 50),
            ("corp-to-jump", ("corp-it",), ("jump",), ("ssh",), "allow", 55),
            ("jump-to-prod", ("jump",), ("production",), ("ssh", "postgres"), "allow", 59),
            ("prod-to-relay", ("production",), ("connectivity",), ("relay",), "allow", 63),
        ],
    )
    return Model(
        zones=dict(sorted(zones.items())),
        services=dict(sorted(services.items())),
        hosts=dict(sorted(hosts.items())),
        principals=dict(sorted(principals.items())),
        flows=rules,
        defaults=Defaults(),
        policies=quickstart_policies(services),
        files=(MODEL, POLICIES),
    )


def pspan(line: int) -> Span:
    return Span(POLICIES, line, 5)


def quickstart_policies(services: dict[str, Service]) -> tuple[Policy, ...]:
    return (
        Policy(
            "SEG-001",
            "isolated",
            IsolatedSpec((RefFoothold(Ref("laptops")),), (Ref("db"),)),
            "A laptop cannot take over the database",
            "critical",
            span=pspan(3),
        ),
        Policy(
            "SEG-002",
            "only_via",
            OnlyViaSpec((RefFoothold(Ref("corp-it")),), (Ref("production"),), (Ref("jump"),)),
            "Production is reached from corporate IT only through the jump host",
            span=pspan(8),
        ),
        Policy(
            "SEG-003",
            "isolated",
            IsolatedSpec((AccountFoothold("alice", Ref("internet")),), (Ref("production"),)),
            "A stolen employee account cannot take over production",
            "critical",
            span=pspan(12),
        ),
        Policy(
            "SEG-004",
            "no_flow",
            NoFlowSpec((Ref("corp-it"),), (Ref("production"),)),
            "Nothing opens from corporate IT into production",
            span=pspan(16),
        ),
        Policy(
            "SEG-005",
            "matrix",
            MatrixSpec(
                ("corp-it", "production", "connectivity"),
                (
                    MatrixCell("corp-it", "connectivity", ("https",), ports_of(services, ("https",))),
                    MatrixCell("production", "connectivity", ("relay",), ports_of(services, ("relay",))),
                    MatrixCell(
                        "connectivity", "production", ("postgres",), ports_of(services, ("postgres",))
                    ),
                ),
            ),
            "Zone matrix",
            span=pspan(20),
        ),
        Policy(
            "SEG-007",
            "blast_radius",
            BlastRadiusSpec((RefFoothold(Ref("laptops")),), 2),
            "One compromised laptop reaches at most 2 hosts",
            span=pspan(28),
        ),
    )


def rule(model: Model, name: str) -> RuleRef:
    f = next(f for f in model.flows if f.name == name)
    return RuleRef(f.name, f.action, f.index, f.span)


INTER = RuleRef("default:inter_zone", "deny")


def laptop_path(model: Model) -> tuple[Hop, ...]:
    return (
        Hop("foothold", to="laptops", address=addr("10.10.0.7")),
        Hop("harvest", at="laptops", credential="alice"),
        Hop(
            "login",
            to="jump",
            source="laptops",
            service="ssh",
            packet=Packet(addr("10.10.0.7"), addr("10.20.0.5"), svc("tcp/22")),
            rule=rule(model, "corp-to-jump"),
            credential="alice",
        ),
        Hop("harvest", at="jump", credential="ops-1"),
        Hop(
            "login",
            to="db",
            source="jump",
            service="ssh",
            packet=Packet(addr("10.20.0.5"), addr("10.20.1.10"), svc("tcp/22")),
            rule=rule(model, "jump-to-prod"),
            credential="ops-1",
        ),
    )


def quickstart_report(model: Model) -> Report:
    path = laptop_path(model)
    return Report(
        (
            PolicyResult(
                "SEG-001",
                "isolated",
                Status.VIOLATED,
                "A laptop cannot take over the database",
                "critical",
                pspan(3),
                witness=PathWitness("db", path),
            ),
            PolicyResult(
                "SEG-002",
                "only_via",
                Status.PROVED,
                "Production is reached from corporate IT only through the jump host",
                "high",
                pspan(8),
                certificate=ClosedSetCertificate(
                    hosts=("corp-dc", "laptops"),
                    credentials=("alice", "corp-admin", "helpdesk"),
                    senders=("corp-it",),
                    boundary=(
                        Blocked("login", "db", "ssh", "no-allowed-packet", (INTER,)),
                        Blocked("exploit", "relay-01", "relay", "no-allowed-packet", (INTER,)),
                        Blocked(
                            "login",
                            "relay-01",
                            "ssh",
                            "no-allowed-packet",
                            (rule(model, "corp-to-platform-admin"),),
                        ),
                    ),
                    excluded=("jump",),
                ),
            ),
            PolicyResult(
                "SEG-003",
                "isolated",
                Status.PROVED,
                "A stolen employee account cannot take over production",
                "critical",
                pspan(12),
                certificate=ClosedSetCertificate(
                    hosts=("relay-01",),
                    credentials=("alice",),
                    senders=("internet",),
                    boundary=(
                        Blocked("login", "jump", "ssh", "no-allowed-packet", (INTER,)),
                        Blocked("login", "db", "ssh", "no-allowed-packet", (INTER,)),
                        Blocked("login", "corp-dc", "rdp", "no-usable-credential"),
                    ),
                ),
            ),
            PolicyResult(
                "SEG-004",
                "no_flow",
                Status.VIOLATED,
                "Nothing opens from corporate IT into production",
                "high",
                pspan(16),
                witness=PacketWitness(
                    Packet(addr("10.10.0.7"), addr("10.20.0.5"), svc("tcp/22")), rule(model, "corp-to-jump")
                ),
            ),
            PolicyResult(
                "SEG-005",
                "matrix",
                Status.VIOLATED,
                "Zone matrix",
                "high",
                pspan(20),
                witness=MatrixWitness(
                    (
                        PairWitness(
                            "corp-it",
                            "connectivity",
                            Packet(addr("10.10.0.1"), addr("10.30.0.10"), svc("tcp/8080")),
                            rule(model, "helpdesk-to-relay-web"),
                        ),
                        PairWitness(
                            "corp-it",
                            "production",
                            Packet(addr("10.10.0.1"), addr("10.20.0.5"), svc("tcp/22")),
                            rule(model, "corp-to-jump"),
                        ),
                    )
                ),
            ),
            PolicyResult(
                "SEG-007",
                "blast_radius",
                Status.VIOLATED,
                "One compromised laptop reaches at most 2 hosts",
                "high",
                pspan(28),
                witness=BlastWitness(
                    (
                        ControlledHost("laptops", path[:1]),
                        ControlledHost("jump", path[:3]),
                        ControlledHost("db", path),
                    ),
                    2,
                ),
            ),
        ),
        files=(MODEL, POLICIES),
    )


# ---- goldens and renderers -------------------------------------------------------------------

REPO = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("SEGVERIFY_UPDATE_GOLDENS") == "1"


def check_golden(name: str, text: str) -> None:
    """Compare with tests/render/golden/NAME; SEGVERIFY_UPDATE_GOLDENS=1 rewrites it instead."""
    path = GOLDEN / name
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return
    assert path.exists(), f"no golden {name}: run with SEGVERIFY_UPDATE_GOLDENS=1 and review the diff"
    assert text == path.read_text(encoding="utf-8"), f"{name} differs from its golden"


def renderers() -> list[tuple[str, str]]:
    """Every renderer installed here: the venv's graphviz-pure, and system dot when present."""
    found = []
    pure = Path(sys.executable).parent / "graphviz-pure"
    if pure.exists():
        found.append(("graphviz-pure", str(pure)))
    dot = shutil.which("dot")
    if dot:
        found.append(("dot", dot))
    chosen = os.environ.get("SEGVERIFY_DOT")
    if chosen and chosen not in (path for _, path in found):
        found.append(("SEGVERIFY_DOT", chosen))  # e.g. a Graphviz 2.42 unpacked somewhere
    return found


def big_model(zones: int, per_zone: int) -> Model:
    """`zones` internal zones of `per_zone` hosts each, a chain of ssh rules between neighbours."""
    services = builtin_services()
    zs = {f"z{i:02d}": zone(f"z{i:02d}", (f"10.{i}.0.0/16",), i + 1) for i in range(zones)}
    zs["internet"] = zone("internet", ("0.0.0.0/0",), 0, external=True)
    hosts = {
        f"z{i:02d}-h{j:03d}": host(
            f"z{i:02d}-h{j:03d}",
            f"z{i:02d}",
            f"10.{i}.{j // 250}.{j % 250 + 1}",
            100 + j,
            services=("ssh",),
            logins=("ops",),
            sessions=("ops",),
        )
        for i in range(zones)
        for j in range(per_zone)
    }
    rows = [
        (f"r{i}", (f"z{i:02d}",), (f"z{i + 1:02d}",), ("ssh",), "allow", 500 + i) for i in range(zones - 1)
    ]
    rows.append(("web", ("internet",), ("z00-h000",), ("https",), "allow", 499))
    return Model(
        zones=dict(sorted(zs.items())),
        services=services,
        hosts=dict(sorted(hosts.items())),
        principals={"ops": Principal("ops", "group"), "op": Principal("op", "account", ("ops",))},
        flows=flows(services, rows),
        policies=(Policy("BIG-1", "isolated", IsolatedSpec((RefFoothold(Ref("z00-h000")),), (Ref("z02"),))),),
    )


def big_path(model: Model) -> PolicyResult:
    """z00-h000 -> z01-h005 -> z02-h007 by ssh."""
    hops = (
        Hop("foothold", to="z00-h000", address=addr("10.0.0.1")),
        Hop(
            "login",
            to="z01-h005",
            source="z00-h000",
            service="ssh",
            credential="op",
            packet=Packet(addr("10.0.0.1"), addr("10.1.0.6"), svc("tcp/22")),
            rule=rule(model, "r0"),
        ),
        Hop(
            "login",
            to="z02-h007",
            source="z01-h005",
            service="ssh",
            credential="op",
            packet=Packet(addr("10.1.0.6"), addr("10.2.0.8"), svc("tcp/22")),
            rule=rule(model, "r1"),
        ),
    )
    return PolicyResult("BIG-1", "isolated", Status.VIOLATED, witness=PathWitness("z02-h007", hops))
