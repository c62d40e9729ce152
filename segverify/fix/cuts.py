"""Fix stage: the changes that cut a witness, as clauses "at least one of these".

A witness found on the model changed by the chosen set H is a conjunction of conditions, each
held up by alternatives: a packet passes while no inserted deny covers it and one of the allow
rules that match it above the first matching deny rule survives (a rule survives while it is
not deleted and each of its fields keeps a part that holds the packet); a login needs one
surviving grant of the credential, a harvest one surviving session, a management one surviving
`manages` reference; a credential works while its account has no MFA; an exploit needs the
declared vulnerability. The clause lists, for every condition, each change that removes one of
the alternatives still standing under H.

Why the clause is necessary: every change only takes away (changes.py). If a change set G
contains none of the listed changes, every alternative standing under H still stands under G,
so the witness still violates the policy: every fix contains a listed change. And no listed
change is in H, so each clause excludes the current H: the search always moves on.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cached_property
from typing import Literal

from segverify.errors import InternalError
from segverify.fix.changes import Change, Costs, deny
from segverify.model.ir import AttackerProfile, Flow, Host, Model, Policy
from segverify.model.ports import service_ports
from segverify.model.principals import Principals
from segverify.model.refs import Resolver
from segverify.results import (
    AccountsWitness,
    BlastWitness,
    Hop,
    MatrixWitness,
    Packet,
    PacketWitness,
    PathWitness,
    Witness,
)
from segverify.semantics.packets import CompiledFlow, compile_flows, default_for

Clause = frozenset[Change]
GrantKind = Literal["remove_login", "remove_session"]


class Cutters:
    """Cutting sets of witnesses over one (original) model, restricted to what the costs allow."""

    def __init__(self, model: Model, costs: Costs) -> None:
        self.model = model
        self.costs = costs
        self.resolver = Resolver(model)
        self.principals = Principals(model)
        self._places: dict[int, list[str]] = {}

    @cached_property
    def compiled(self) -> tuple[CompiledFlow, ...]:
        return compile_flows(self.model, self.resolver)

    @cached_property
    def host_list(self) -> tuple[Host, ...]:
        return tuple(self.model.hosts.values())

    def clauses(self, policy: Policy, witness: Witness, chosen: frozenset[Change]) -> list[Clause]:
        """One clause per independent obligation of the witness (a matrix: one per pair)."""
        cut = _Cut(self, chosen, self.model.attacker_for(policy))
        if isinstance(witness, MatrixWitness):
            return [self._keep(cut.packet(p.packet)) for p in witness.pairs]
        if isinstance(witness, PacketWitness):
            return [self._keep(cut.packet(witness.packet))]
        if isinstance(witness, PathWitness):
            return [self._keep(cut.path(witness.path))]
        if isinstance(witness, BlastWitness):
            # Every controlled host stays controlled unless one of its paths is cut.
            return [frozenset().union(*self.blast_groups(policy, witness, chosen)[0])]
        if isinstance(witness, AccountsWitness):
            return [self._keep(cut.accounts(witness))]
        raise InternalError(f"fix has no cutters for a {type(witness).__name__} ({policy.id})")

    def blast_groups(
        self, policy: Policy, witness: BlastWitness, chosen: frozenset[Change]
    ) -> tuple[tuple[Clause, ...], int]:
        """The cutters of each controlled host's path (hosts with none left out), and how many
        of those paths every fix cuts: a set that cuts fewer leaves more than `max_hosts` paths
        standing, each host on one still controlled (the hosts are distinct)."""
        cut = _Cut(self, chosen, self.model.attacker_for(policy))
        groups = (self._keep(cut.path(h.path)) for h in witness.hosts)
        return tuple(g for g in groups if g), len(witness.hosts) - witness.max_hosts

    def _keep(self, changes: set[Change]) -> Clause:
        return frozenset(c for c in changes if self.costs.allowed(c))

    def places(self, address: int) -> list[str]:
        """The hosts and the zone an address lies in: what an inserted deny may name."""
        if address not in self._places:  # witnesses reuse a few addresses over and over
            hosts = [h.name for h in self.host_list if address in h.addresses]
            zone = self.resolver.zone_of(address)
            self._places[address] = hosts + ([zone] if zone is not None else [])
        return self._places[address]

    def alternatives(self, packet: Packet) -> list[Flow] | None:
        """The allow rules that may pass the packet: those matching it above the first matching
        deny rule. None when nothing but an inserted deny can stop it (the default allows it)."""
        out: list[Flow] = []
        for cf in self.compiled:
            if packet.src in cf.sources and packet.dst in cf.destinations and packet.svc in cf.ports:
                if cf.flow.action == "deny":
                    return out
                out.append(cf.flow)
        default = default_for(self.model, self.resolver, packet.src, packet.dst)
        return None if default.action == "allow" else out


class _Cut:
    """The cutters of one witness under the chosen set `chosen` (see the module docstring)."""

    def __init__(self, owner: Cutters, chosen: frozenset[Change], profile: AttackerProfile) -> None:
        self.owner = owner
        self.model = owner.model
        self.chosen = chosen
        self.profile = profile

    def standing(self, changes: Iterator[Change]) -> set[Change]:
        """Removers of alternatives that still stand: an alternative already removed by the
        chosen set is not what keeps the witness alive."""
        return {c for c in changes if c not in self.chosen}

    # ---- packets -------------------------------------------------------------------------------

    def packet(self, packet: Packet) -> set[Change]:
        out: set[Change] = set()
        rules = self.owner.alternatives(packet)
        for flow in rules or ():
            if self._survives(flow, packet):
                out.add(Change("delete_rule", flow.name))
                out.update(self._narrowings(flow, packet))
        sources = self.owner.places(packet.src)
        services = [s.name for s in self.model.services.values() if packet.svc in s.ports] + ["any"]
        for destination in self.owner.places(packet.dst):
            out.update(deny(src, destination, svc) for src in sources for svc in services)
        return out

    def _parts(self, flow: Flow, packet: Packet) -> Iterator[Change]:
        resolver = self.owner.resolver
        for r in flow.sources:
            if packet.src in resolver.addresses(r):
                yield Change("narrow_rule", flow.name, f"from:{r.text}")
        for r in flow.destinations:
            if packet.dst in resolver.addresses(r):
                yield Change("narrow_rule", flow.name, f"to:{r.text}")
        for s in flow.services:
            if packet.svc in service_ports(self.model, s):
                yield Change("narrow_rule", flow.name, f"services:{s}")

    def _survives(self, flow: Flow, packet: Packet) -> bool:
        """Whether the rule still passes the packet under the chosen set."""
        if Change("delete_rule", flow.name) in self.chosen:
            return False
        left = {p.narrow_field for p in self._parts(flow, packet) if p not in self.chosen}
        return left == {"from", "to", "services"}

    def _narrowings(self, flow: Flow, packet: Packet) -> set[Change]:
        """Taking out a part that holds the packet; never a rule's only part (that is a delete)."""
        sizes = {"from": len(flow.sources), "to": len(flow.destinations), "services": len(flow.services)}
        return self.standing(c for c in self._parts(flow, packet) if sizes[c.narrow_field] > 1)

    # ---- attack paths --------------------------------------------------------------------------

    def path(self, path: tuple[Hop, ...]) -> set[Change]:
        out: set[Change] = set()
        for hop in path:
            out.update(self.hop(hop))
        return out

    def hop(self, hop: Hop) -> set[Change]:
        out = self.packet(hop.packet) if hop.packet is not None else set()
        if hop.credential is not None and hop.move in ("foothold", "login") and not self.profile.mfa_bypass:
            out.add(Change("require_mfa", hop.credential))
        if hop.move == "login" and hop.to is not None and hop.credential is not None:
            out.update(self.grants(hop.to, hop.credential, "remove_login"))
        elif hop.move == "exploit" and hop.to is not None and hop.service is not None:
            out.update(self._patch(hop.to, hop.service))
        elif hop.move == "manage" and hop.source is not None and hop.to is not None:
            out.update(self._manages(hop.source, hop.to))
        elif hop.move == "harvest" and hop.at is not None and hop.credential is not None:
            out.update(self.grants(hop.at, hop.credential, "remove_session"))
        return out

    def grants(self, host: str, account: str, kind: GrantKind) -> set[Change]:
        h = self.model.hosts[host]
        names = h.logins if kind == "remove_login" else h.sessions
        # The entries naming the principal or a group it is in (a principal may be a group:
        # separate_accounts names memberless groups too).
        above = self.owner.principals.groups_of.get(account, frozenset()) | {account}
        grants = self.standing(Change(kind, host, p) for p in names if p in above)
        return grants | self.memberships(account) if grants else grants

    def memberships(self, account: str) -> set[Change]:
        """Every `member_of` edge above the account: a grant to a group reaches the account
        through some chain of them (listing them all errs on the side of listing)."""
        principals = self.model.principals
        above = {account} | self.owner.principals.groups_of.get(account, frozenset())
        edges = (
            Change("remove_member", x, g)
            for x in sorted(above)
            if x in principals
            for g in principals[x].member_of
        )
        return self.standing(edges)

    def _patch(self, host: str, service: str) -> set[Change]:
        # Under `exploits: exposed` every offered service counts: no patch closes the hop.
        declared = self.profile.exploits == "declared" and service in self.model.hosts[host].vulnerable
        return {Change("patch_service", host, service)} if declared else set()

    def _manages(self, source: str, target: str) -> set[Change]:
        resolver = self.owner.resolver
        refs = self.model.hosts[source].manages
        return self.standing(
            Change("remove_manages", source, r.text) for r in refs if target in resolver.hosts(r)
        )

    # ---- accounts ------------------------------------------------------------------------------

    def accounts(self, witness: AccountsWitness) -> set[Change]:
        """Login in both hosts, or a session on the first and a login on the second."""
        first: GrantKind = "remove_login" if witness.reason == "login" else "remove_session"
        return self.grants(witness.hosts[0], witness.principal, first) | self.grants(
            witness.hosts[1], witness.principal, "remove_login"
        )
