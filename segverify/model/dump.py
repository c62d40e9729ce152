"""Model stage: a Model written back as a folder of YAML model files in the spec's format.

Plain string building, one flow-style line per entity: fast enough for 100,000 hosts, and
every scalar that YAML could read as something else is written as a JSON string (valid YAML).
Sections are split into files under the loader's per-file size limit; file names sort in
section order, so flows keep their order when the folder is loaded.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator

from segverify.model.ir import (
    AccountFoothold,
    AttackerProfile,
    BlastRadiusSpec,
    Flow,
    Foothold,
    Host,
    IsolatedSpec,
    MatrixSpec,
    Model,
    NoFlowSpec,
    OnlyViaSpec,
    Policy,
    PolicySpec,
    Principal,
    ReachableSpec,
    Ref,
    SeparateAccountsSpec,
    Service,
    Waiver,
    Zone,
)
from segverify.model.ports import looks_like_port_spec

CHUNK_BYTES = 2 * 1024 * 1024  # well under the loader's 4 MiB per file
_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*\Z")
_RESERVED = {"true", "false", "yes", "no", "on", "off", "null", "y", "n"}
Value = str | int | bool | list["Value"] | dict[str, "Value"]


def scalar(text: str) -> str:
    if _PLAIN.match(text) and text.lower() not in _RESERVED:
        return text
    return json.dumps(text)


def flow_style(value: Value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return scalar(value)
    if isinstance(value, list):
        return "[" + ", ".join(flow_style(v) for v in value) + "]"
    return "{" + ", ".join(f"{scalar(k)}: {flow_style(v)}" for k, v in value.items()) + "}"


def compact(**fields: Value) -> dict[str, Value]:
    """Only the keys that differ from the format's defaults (empty, false)."""
    return {k: v for k, v in fields.items() if v not in ((), [], "", False, None)}


def texts(items: Iterable[str | Ref]) -> list[Value]:
    return [i.text if isinstance(i, Ref) else i for i in items]


def zone_entry(z: Zone) -> dict[str, Value]:
    return compact(
        networks=texts(z.networks), external=z.external, tags=texts(z.tags), description=z.description
    )


def service_entry(s: Service) -> dict[str, Value]:
    return compact(ports=texts(s.specs), login=s.login)


def host_entry(h: Host) -> dict[str, Value]:
    return compact(
        zone=h.zone,
        address=h.address,
        services=texts(h.services),
        logins=texts(h.logins),
        sessions=texts(h.sessions),
        manages=texts(h.manages),
        vulnerable=texts(h.vulnerable),
        tags=texts(h.tags),
        description=h.description,
    )


def principal_entry(p: Principal) -> dict[str, Value]:
    return compact(member_of=texts(p.member_of), mfa=p.mfa, description=p.description)


def flow_entry(f: Flow) -> dict[str, Value]:
    return compact(
        name=f.name,
        **{"from": texts(f.sources), "to": texts(f.destinations)},
        services=texts(f.services),
        action="deny" if f.action == "deny" else "",
        description=f.description,
        owner=f.owner,
        ticket=f.ticket,
    )


def attacker_entry(a: AttackerProfile) -> dict[str, Value]:
    return {"exploits": a.exploits, "mfa_bypass": a.mfa_bypass, "credential_theft": a.credential_theft}


def footholds(feet: tuple[Foothold, ...]) -> list[Value]:
    return [
        {"account": f.account, "at": f.at.text} if isinstance(f, AccountFoothold) else f.ref.text
        for f in feet
    ]


def spec_entry(spec: PolicySpec) -> dict[str, Value]:
    if isinstance(spec, IsolatedSpec):
        return {"from": footholds(spec.footholds), "to": texts(spec.to)}
    if isinstance(spec, OnlyViaSpec):
        return {"from": footholds(spec.footholds), "to": texts(spec.to), "via": texts(spec.via)}
    if isinstance(spec, ReachableSpec):
        return {"from": texts(spec.sources), "to": texts(spec.destinations), "services": texts(spec.services)}
    if isinstance(spec, NoFlowSpec):
        body = {"from": texts(spec.sources), "to": texts(spec.destinations)}
        return body | compact(**{"except": texts(spec.except_services)})
    if isinstance(spec, MatrixSpec):
        cells: dict[str, Value] = {f"{c.source} -> {c.destination}": texts(c.services) for c in spec.allow}
        return {"zones": texts(spec.zones)} | compact(allow=cells)
    if isinstance(spec, SeparateAccountsSpec):
        return {"zones": texts(spec.zones)}
    assert isinstance(spec, BlastRadiusSpec)
    return {"from": footholds(spec.footholds), "max_hosts": spec.max_hosts}


def policy_entry(p: Policy) -> dict[str, Value]:
    head = compact(id=p.id, title=p.title, severity=p.severity, description=p.description)
    if p.attacker is not None:
        head["attacker"] = attacker_entry(p.attacker)
    return head | {p.kind: spec_entry(p.spec)}


def waiver_entry(w: Waiver) -> dict[str, Value]:
    # A date is written plain (YYYY-MM-DD): the reader takes it as a date.
    return compact(policy=w.policy, reason=w.reason, owner=w.owner) | {"expires": w.expires.isoformat()}


def named_lines(entries: Iterable[tuple[str, dict[str, Value]]]) -> Iterator[str]:
    for name, body in entries:
        yield f"  {scalar(name)}: {flow_style(body)}\n"


def item_lines(entries: Iterable[dict[str, Value]]) -> Iterator[str]:
    for body in entries:
        yield f"  - {flow_style(body)}\n"


def dumped_groups(model: Model) -> list[Principal]:
    """Groups that need an entry: nested, described, or named by no member_of (else implicit)."""
    named = {g for p in model.principals.values() for g in p.member_of}
    return [
        p
        for p in model.principals.values()
        if p.kind == "group" and (p.member_of or p.description or p.name not in named)
    ]


def sections(model: Model) -> list[tuple[str, str, Iterator[str]]]:
    """(file stem, section key, lines) in load order."""
    services = [s for s in model.services.values() if not s.builtin and not looks_like_port_spec(s.name)]
    accounts = [p for p in model.principals.values() if p.kind == "account"]
    return [
        ("00-zones", "zones", named_lines((z.name, zone_entry(z)) for z in model.zones.values())),
        ("01-services", "services", named_lines((s.name, service_entry(s)) for s in services)),
        ("02-accounts", "accounts", named_lines((p.name, principal_entry(p)) for p in accounts)),
        ("03-groups", "groups", named_lines((g.name, principal_entry(g)) for g in dumped_groups(model))),
        ("10-hosts", "hosts", named_lines((h.name, host_entry(h)) for h in model.hosts.values())),
        ("20-flows", "flows", item_lines(flow_entry(f) for f in model.flows)),
        ("30-policies", "policies", item_lines(policy_entry(p) for p in model.policies)),
        ("31-waivers", "waivers", item_lines(waiver_entry(w) for w in model.waivers)),
    ]


def defaults_text(model: Model) -> str:
    d = model.defaults
    body: dict[str, Value] = {"intra_zone": d.intra_zone, "inter_zone": d.inter_zone}
    body["attacker"] = attacker_entry(d.attacker)
    return f"segverify: 1\ndefaults: {flow_style(body)}\n"


def model_files(model: Model) -> dict[str, str]:
    """File name -> YAML text; a section too large for one file continues in the next."""
    files = {"04-defaults.yaml": defaults_text(model)}
    for stem, key, lines in sections(model):
        for n, chunk in enumerate(_chunks(lines)):
            files[f"{stem}-{n + 1:04d}.yaml"] = f"segverify: 1\n{key}:\n" + "".join(chunk)
    return dict(sorted(files.items()))


def _chunks(lines: Iterator[str]) -> Iterator[list[str]]:
    chunk: list[str] = []
    size = 0
    for line in lines:
        chunk.append(line)
        size += len(line)
        if size >= CHUNK_BYTES:
            yield chunk
            chunk, size = [], 0
    if chunk:
        yield chunk
