"""Semantics stage: replay an attack path hop by hop, from its foothold, as the spec's moves allow."""

from __future__ import annotations

from dataclasses import dataclass, field

from segverify.model.intervals import IntervalSet
from segverify.model.ir import AccountFoothold, RefFoothold
from segverify.results import Hop
from segverify.semantics.context import Semantics
from segverify.semantics.moves import (
    Setup,
    exploitable,
    foothold_accounts,
    foothold_text,
    host_senders,
    is_login,
    sender_set,
    usable,
)
from segverify.semantics.packets import format_packet, mixes_families


@dataclass(slots=True)
class State:
    """What the attacker has after the hops replayed so far."""

    hosts: set[str] = field(default_factory=set)
    creds: set[str] = field(default_factory=set)
    senders: set[str] = field(default_factory=set)  # foothold references opened by a foothold hop


def replay(sem: Semantics, setup: Setup, path: tuple[Hop, ...], target: str) -> list[str]:
    """Every reason the path does not take the attacker from its foothold to `target` (empty: it does)."""
    if not path:
        return [f"the path to {target} is empty"]
    st, errors = State(), []
    for i, hop in enumerate(path, 1):
        errors += [
            f"hop {i} ({hop.move}): {e}" for e in _via_errors(sem, setup, hop) + _step(sem, setup, hop, st)
        ]
    if path[-1].to != target:
        errors.append(f"the last hop reaches {path[-1].to}, not the target {target}")
    elif target not in st.hosts:
        errors.append(f"the path does not control the target {target}")
    return errors


def replay_all(sem: Semantics, setup: Setup, path: tuple[Hop, ...], hosts: tuple[str, ...]) -> list[str]:
    """Every reason the moves do not, together, take the attacker to control all of `hosts`."""
    st, errors = State(), []
    for i, hop in enumerate(path, 1):
        errors += [
            f"hop {i} ({hop.move}): {e}" for e in _via_errors(sem, setup, hop) + _step(sem, setup, hop, st)
        ]
    return errors + [f"the moves do not control {h}" for h in hosts if h not in st.hosts]


def _step(sem: Semantics, setup: Setup, hop: Hop, st: State) -> list[str]:
    if hop.move == "foothold":
        return _foothold(sem, setup, hop, st)
    if hop.move in ("login", "exploit"):
        return _remote(sem, setup, hop, st)
    if hop.move == "manage":
        return _manage(sem, setup, hop, st)
    return _harvest(sem, setup, hop, st)


def _via_errors(sem: Semantics, setup: Setup, hop: Hop) -> list[str]:
    """only_via: the attacker can neither use a via host nor send from a via host's addresses."""
    # A foothold's `at` only says where an account foothold sends from; its addresses are checked below.
    names = (hop.to, hop.source, hop.at if hop.move == "harvest" else None)
    errors = [f"touches the via host {n}" for n in names if n in setup.via]
    if hop.address is not None and hop.address in setup.via_addrs:
        errors.append("starts from a via host's address")
    if hop.packet is not None and hop.packet.src in setup.via_addrs:
        errors.append(f"sends from a via host's address ({format_packet(hop.packet)})")
    return errors


# ---- footholds -----------------------------------------------------------------------------------


def foothold_hosts(sem: Semantics, setup: Setup) -> frozenset[str]:
    out: frozenset[str] = frozenset()
    for fh in setup.footholds:
        if isinstance(fh, RefFoothold):
            out |= sem.resolver.hosts(fh.ref)
    return out - setup.via


def _foothold(sem: Semantics, setup: Setup, hop: Hop, st: State) -> list[str]:
    if hop.to is not None and hop.at is None:
        return _foothold_host(sem, setup, hop, st)
    if hop.at is not None and hop.to is None:
        return _foothold_sender(sem, setup, hop, st)
    return ["a foothold hop names exactly one of a host (`to`) or a reference (`at`)"]


def _foothold_host(sem: Semantics, setup: Setup, hop: Hop, st: State) -> list[str]:
    assert hop.to is not None
    if hop.to not in foothold_hosts(sem, setup):
        return [f"{hop.to} is not a foothold host of this policy"]
    errors = []
    if hop.credential is not None:
        errors.append("a foothold host hop carries no credential")
    if hop.address is not None and hop.address not in host_senders(sem.model.hosts[hop.to], setup):
        errors.append(f"address {hop.address} is not one of {hop.to}'s")
    st.hosts.add(hop.to)
    return errors


def _foothold_sender(sem: Semantics, setup: Setup, hop: Hop, st: State) -> list[str]:
    assert hop.at is not None
    if hop.at not in {foothold_text(fh) for fh in setup.footholds}:
        return [f"{hop.at} is not a foothold reference of this policy"]
    errors = []
    if hop.address is not None and hop.address not in sender_set(sem.resolver, setup, hop.at):
        errors.append(f"address {hop.address} is not inside {hop.at}")
    st.senders.add(hop.at)
    if hop.credential is not None:
        given = [
            fh
            for fh in setup.footholds
            if isinstance(fh, AccountFoothold)
            and fh.at.text == hop.at
            and hop.credential in foothold_accounts(sem.principals, fh)
        ]
        if not given:
            errors.append(f"no account foothold gives {hop.credential} at {hop.at}")
        st.creds.add(hop.credential)
    return errors


# ---- moves ---------------------------------------------------------------------------------------


def _sender_addrs(sem: Semantics, setup: Setup, source: str, st: State) -> IntervalSet | None:
    """Addresses the source may send from now: a controlled host's, an opened foothold's, or both."""
    found: IntervalSet | None = None
    if source in st.hosts:
        found = host_senders(sem.model.hosts[source], setup)
    if source in st.senders:
        extra = sender_set(sem.resolver, setup, source)
        found = extra if found is None else found.union(extra)
    return found


def _remote(sem: Semantics, setup: Setup, hop: Hop, st: State) -> list[str]:
    if hop.to not in sem.model.hosts or hop.to in setup.via:
        return [f"{hop.to} is not a host the attacker may take"]
    if hop.service is None or hop.packet is None or hop.rule is None or hop.source is None:
        return ["a login or exploit hop needs source, service, packet and rule"]
    errors = _service_errors(sem, setup, hop) + _credential_errors(sem, setup, hop, st)
    errors += _packet_errors(sem, setup, hop, st)
    st.hosts.add(str(hop.to))
    return errors


def _service_errors(sem: Semantics, setup: Setup, hop: Hop) -> list[str]:
    assert hop.to is not None and hop.service is not None
    host = sem.model.hosts[hop.to]
    if hop.service not in host.services:
        return [f"{hop.to} does not offer {hop.service}"]
    if hop.move == "exploit" and not exploitable(setup.profile, host, hop.service):
        return [f"{hop.service} on {hop.to} is not exploitable (exploits: {setup.profile.exploits})"]
    if hop.move == "login" and not is_login(sem.model, hop.service):
        return [f"{hop.service} is not a login service"]
    return []


def _credential_errors(sem: Semantics, setup: Setup, hop: Hop, st: State) -> list[str]:
    if hop.move != "login":
        return []
    assert hop.to is not None
    c = hop.credential
    if c is None:
        return ["a login names the credential it uses"]
    if c not in st.creds:
        return [f"credential {c} is used before it is held"]
    if not usable(sem.principals, setup.profile, c):
        return [f"credential {c} needs mfa and the profile has no mfa_bypass"]
    if not sem.principals.may_log_in(c, sem.model.hosts[hop.to]):
        return [f"{c} may not log in on {hop.to}"]
    return []


def _packet_errors(sem: Semantics, setup: Setup, hop: Hop, st: State) -> list[str]:
    assert hop.to is not None and hop.service is not None and hop.packet is not None
    assert hop.rule is not None and hop.source is not None
    p, errors = hop.packet, []
    senders = _sender_addrs(sem, setup, hop.source, st)
    if senders is None:
        errors.append(f"source {hop.source} is neither a controlled host nor an opened foothold")
    elif p.src not in senders:
        errors.append(f"packet source is not an address {hop.source} sends from ({format_packet(p)})")
    if p.dst not in sem.model.hosts[hop.to].addresses:
        errors.append(f"packet destination is not an address of {hop.to} ({format_packet(p)})")
    if p.svc not in sem.model.services[hop.service].ports:
        errors.append(f"packet port is not a port of {hop.service} ({format_packet(p)})")
    if mixes_families(p):
        errors.append(f"packet mixes IPv4 and IPv6 ({format_packet(p)})")
    decided = sem.table.decide(p)
    layered = sem.table.decision(p).rules if sem.model.layers else ()
    if layered != hop.rules:
        errors.append(f"{format_packet(p)}: the layers' deciding rules are {[r.name for r in layered]}")
    if decided != hop.rule:
        errors.append(f"{format_packet(p)} is decided by {decided.name}, not by {hop.rule.name}")
    elif decided.action != "allow":
        errors.append(f"{format_packet(p)} is denied by {decided.name}")
    return errors


def _manage(sem: Semantics, setup: Setup, hop: Hop, st: State) -> list[str]:
    if hop.source not in st.hosts:
        return [f"{hop.source} manages before it is controlled"]
    managed = sem.resolver.hosts_of(sem.model.hosts[hop.source].manages)
    if hop.to not in managed or hop.to in setup.via:
        return [f"{hop.source} does not manage {hop.to}"]
    st.hosts.add(hop.to)
    return []


def _harvest(sem: Semantics, setup: Setup, hop: Hop, st: State) -> list[str]:
    if not setup.profile.credential_theft:
        return ["the profile has credential_theft off"]
    if hop.at not in st.hosts:
        return [f"harvest at {hop.at} before it is controlled"]
    if hop.credential is None or hop.credential not in sem.principals.session_accounts(
        sem.model.hosts[hop.at]
    ):
        return [f"{hop.at} holds no session of {hop.credential}"]
    st.creds.add(hop.credential)
    return []
