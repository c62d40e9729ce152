"""Semantics stage: check a closed-set certificate: foothold inside, closed under every move, targets out."""

from __future__ import annotations

from segverify.model.ir import AccountFoothold, BlastRadiusSpec, Policy, RefFoothold
from segverify.results import Blocked, BlockedReason, ClosedSetCertificate
from segverify.semantics.closure import (
    Crossing,
    credential_wall,
    crossings,
    open_moves,
    senders_of,
)
from segverify.semantics.context import Semantics
from segverify.semantics.moves import (
    Setup,
    exploitable,
    foothold_accounts,
    foothold_text,
    is_login,
    setup_for,
)
from segverify.semantics.regions import sort_rules


def check_closed_set(sem: Semantics, policy: Policy, cert: ClosedSetCertificate) -> list[str]:
    setup = setup_for(sem.model, sem.resolver, policy)
    errors = _shape_errors(sem, setup, cert)
    if errors:
        return errors  # unknown names: the closure cannot even be computed
    errors += _foothold_errors(sem, setup, cert)
    errors += _target_errors(setup, policy, frozenset(cert.hosts))
    return errors + _closure_errors(sem, setup, cert)


def _closure_errors(sem: Semantics, setup: Setup, cert: ClosedSetCertificate) -> list[str]:
    """The set is closed under every move and each boundary reason is true.

    This depends on the set, its senders and the attacker (profile, via hosts), not on the
    policy's targets: policies from the same footholds share a set, and each distinct one is
    checked once per check. The
    boundary is compared on a hit, not hashed: entries certificates share are one object.
    """
    key = (setup.profile, setup.via, cert.hosts, cert.credentials, cert.senders)
    seen = sem.closures.get(key)
    if seen is not None and seen[0] == cert.boundary:
        return list(seen[1])
    hosts, creds = frozenset(cert.hosts), frozenset(cert.credentials)
    errors = _trust_errors(sem, setup, hosts, creds)
    cross = crossings(sem, setup, hosts, senders_of(sem, setup, hosts, cert.senders))
    errors += open_moves(sem, setup, creds, cross)
    errors += _boundary_errors(sem, setup, hosts, creds, cert.boundary, cross)
    if len(sem.closures) >= 16:  # each keeps a boundary of up to ~175,000 entries alive
        del sem.closures[next(iter(sem.closures))]
    sem.closures[key] = (cert.boundary, tuple(errors))
    return errors


def _shape_errors(sem: Semantics, setup: Setup, cert: ClosedSetCertificate) -> list[str]:
    errors = [f"{h} is not a host" for h in cert.hosts if h not in sem.model.hosts]
    errors += [f"{r} is not a reference" for r in cert.senders if not _resolves(sem, r)]
    if set(cert.excluded) != setup.via or len(cert.excluded) != len(setup.via):
        errors.append(f"excluded hosts must be exactly the via hosts {sorted(setup.via)}")
    errors += [f"via host {h} is inside the set" for h in sorted(set(cert.hosts) & setup.via)]
    return errors


def _resolves(sem: Semantics, text: str) -> bool:
    try:
        sem.resolver.addresses(text)
    except KeyError:
        return False
    return True


def _foothold_errors(sem: Semantics, setup: Setup, cert: ClosedSetCertificate) -> list[str]:
    errors = []
    for fh in setup.footholds:
        text = foothold_text(fh)
        if text not in cert.senders:
            errors.append(f"foothold reference {text} is not among the senders")
        if isinstance(fh, RefFoothold):
            missing = sorted(sem.resolver.hosts(fh.ref) - setup.via - set(cert.hosts))
            errors += [f"foothold host {h} is outside the set" for h in missing]
        elif isinstance(fh, AccountFoothold):
            missing = sorted(foothold_accounts(sem.principals, fh) - set(cert.credentials))
            errors += [f"foothold credential {c} is outside the set" for c in missing]
    return errors


def _trust_errors(sem: Semantics, setup: Setup, hosts: frozenset[str], creds: frozenset[str]) -> list[str]:
    """manage and harvest need no packet: the set must already hold what they give."""
    errors = []
    for name in sorted(hosts):
        host = sem.model.hosts[name]
        managed = sem.resolver.hosts_of(host.manages) - setup.via - hosts
        errors += [f"{name} manages {b}, which is outside the set" for b in sorted(managed)]
        if setup.profile.credential_theft:
            taken = sem.principals.session_accounts(host) - creds
            errors += [f"{name} holds a session of {c}, which is outside the set" for c in sorted(taken)]
    return errors


def _target_errors(setup: Setup, policy: Policy, hosts: frozenset[str]) -> list[str]:
    errors = [f"target {t} is inside the set" for t in sorted(hosts & setup.targets)]
    spec = policy.spec
    if isinstance(spec, BlastRadiusSpec) and len(hosts) > spec.max_hosts:
        errors.append(f"the set holds {len(hosts)} hosts, more than max_hosts {spec.max_hosts}")
    return errors


def _boundary_errors(
    sem: Semantics,
    setup: Setup,
    hosts: frozenset[str],
    creds: frozenset[str],
    entries: tuple[Blocked, ...],
    cross: list[Crossing],
) -> list[str]:
    """Each claimed reason must be true of the model, not merely consistent with closure."""
    by_target = {(c.host, c.service): c for c in cross}
    errors = []
    if len(set(entries)) != len(entries):
        errors.append("boundary entries repeat")
    for b in entries:
        cr = by_target.get((b.to, b.service))
        if cr is None:
            errors.append(f"{b.move} of {b.to} on {b.service}: no such move out of the set")
        else:
            errors += [
                f"{b.move} of {b.to} on {b.service}: {e}" for e in _blocked_errors(sem, setup, creds, b, cr)
            ]
    return errors


def _blocked_errors(
    sem: Semantics, setup: Setup, creds: frozenset[str], b: Blocked, cr: Crossing
) -> list[str]:
    """Every wall the entry lists stands, and it lists every wall that stands."""
    host = sem.model.hosts[b.to]
    if b.move == "exploit" and not exploitable(setup.profile, host, b.service):
        return ["the service is not exploitable"]
    if b.move == "login" and not is_login(sem.model, b.service):
        return ["the service is not a login service"]
    cred = credential_wall(sem, setup, creds, b.to) if b.move == "login" else None
    walls: tuple[BlockedReason, ...] = ("no-allowed-packet",) if cr.allowed is None else ()
    walls += (cred,) if cred else ()
    if not walls:
        return ["a packet is allowed" + (", and a held credential may log in" if b.move == "login" else "")]
    errors = []
    # An entry that lists its walls must list exactly those that stand; one written without
    # `reasons` (before they existed) claims only its `reason`, which must stand.
    listed = set(b.walls) == set(walls) and len(b.walls) == len(walls) if b.reasons else True
    if b.reason not in b.walls or b.reason not in walls or not listed:
        errors.append(
            f"the move is blocked by {', '.join(walls)}; the entry says {b.reason} ({', '.join(b.walls)})"
        )
    cites = "no-allowed-packet" in b.walls
    if cites and "no-allowed-packet" in walls and (set(b.rules) != cr.rules or len(b.rules) != len(cr.rules)):
        errors.append(f"the denying rules are {[r.name for r in sort_rules(cr.rules)]}")
    return errors
