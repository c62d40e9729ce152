"""Render stage (audit report): the assumptions a verdict rests on (from docs/attack-semantics.md)."""

from __future__ import annotations

from segverify.model.ir import AttackerProfile, Model
from segverify.render.html_policies import esc, table
from segverify.results import Report

MOVES = (
    (
        "login",
        "from a controlled host or a foothold, with a held credential that may log in on the "
        "target, over a login service the target offers and a packet the rules allow",
    ),
    (
        "exploit",
        "over an allowed packet to an offered service that counts as exploitable under the "
        "profile (declared vulnerable, or every exposed service)",
    ),
    ("manage", "a controlled host that manages another gives control of it; no packet is needed"),
    ("harvest", "a controlled host hands over the credentials of every session it holds"),
)

NOT_COVERED = (
    "differences between the model and the network (a rule on the firewall but not in the model, "
    "a forgotten host, an undeclared session)",
    "bugs outside the model: firewall implementation, routing around the firewall, VLAN hopping, NAT",
    "vulnerabilities not declared (under exploits: declared)",
    "misuse of access someone legitimately has (insiders)",
    "credentials that are not declared as sessions (passwords in scripts, keys in repositories)",
    "attacks against clients, supply chain and build pipelines unless modelled, physical access, "
    "denial of service, and data leaving through allowed flows",
)


def profile_text(p: AttackerProfile) -> str:
    flags = f"mfa_bypass: {str(p.mfa_bypass).lower()}, credential_theft: {str(p.credential_theft).lower()}"
    return f"exploits: {p.exploits}, {flags}"


def profiles_rows(model: Model, report: Report) -> list[list[str]]:
    """Each attacker profile the checked policies use, with the policies using it."""
    ids = {r.id for r in report.results}
    users: dict[str, list[str]] = {}
    for p in model.policies:
        if p.id in ids and p.kind in ("isolated", "only_via", "blast_radius"):
            users.setdefault(profile_text(model.attacker_for(p)), []).append(p.id)
    return [[esc(text), esc(", ".join(sorted(names)))] for text, names in sorted(users.items())]


def assumptions_html(model: Model, report: Report) -> str:
    fleets = sum(1 for h in model.hosts.values() if h.fleet)
    rows = profiles_rows(model, report)
    profiles = (
        table(("attacker profile", "policies"), rows) if rows else "<p>No attack policy was checked.</p>"
    )
    moves = "".join(f"<li><strong>{m}</strong>: {esc(text)}.</li>" for m, text in MOVES)
    gaps = "".join(f"<li>{esc(g)}.</li>" for g in NOT_COVERED)
    return (
        '<section id="assumptions"><h2>Assumptions</h2>'
        "<p>A <strong>proved</strong> attack policy means: starting from the foothold, no sequence of the "
        "four moves, in any order, reaches a target. The attacker's closed set (the least set of hosts "
        "and credentials closed under the moves) is the certificate; it is re-derived by a plain-Python "
        "reference, without the solver, before the report is written.</p>"
        f"<h3>Attacker profiles used</h3>{profiles}"
        f"<h3>The four moves</h3><ul>{moves}</ul>"
        "<h3>Fleets are over-approximations</h3>"
        f"<p>{fleets:,} fleet(s) in this model. A fleet is one node that may use any address of its range "
        "and holds every session it declares; a real member can do at most what the node can, so a "
        "proof covers every member, and a violation may need a split fleet to confirm.</p>"
        f"<h3>What a proof does not cover</h3><ul>{gaps}</ul>"
        "<p>Packet policies (reachable, no_flow, matrix) are decided exactly over address and port sets, "
        "by first match of the ordered rules. A timeout is <strong>unknown</strong>, never a pass.</p>"
        "</section>"
    )
