"""Fix stage: the change vocabulary, one value per candidate edit of the model, and its costs.

Every change only takes something away (a rule, a part of a rule, a grant, a session, a
`manages` edge, a vulnerability) or adds a deny rule: the attacker's moves and the allowed
packets of the changed model are a subset of the original's. This monotonicity is what makes
a witness's cutting set a necessary clause (search.py) and the hitting-set optimum a lower bound.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, get_args

ChangeKind = Literal[
    "delete_rule",
    "narrow_rule",
    "insert_deny",
    "remove_login",
    "remove_session",
    "remove_manages",
    "require_mfa",
    "patch_service",
    "remove_member",
]
CHANGE_KINDS: tuple[ChangeKind, ...] = get_args(ChangeKind)

# Documented in docs/fix.md. Deleting a whole rule costs more than narrowing it, a grant or a
# session is the cheapest edit, and a new deny rule is a change reviewers must read twice.
DEFAULT_COSTS: Mapping[ChangeKind, int] = {
    "delete_rule": 3,
    "narrow_rule": 2,
    "insert_deny": 2,
    "remove_login": 1,
    "remove_session": 1,
    "remove_manages": 2,
    "require_mfa": 1,
    "patch_service": 2,
    "remove_member": 1,
}

# The field of an allow rule that a narrow_rule change takes one item out of.
NarrowField = Literal["from", "to", "services"]


@dataclass(frozen=True, slots=True, order=True)
class Change:
    """One candidate edit.

    delete_rule / narrow_rule: `target` is the rule; narrow's `part` is `from:REF`, `to:REF`
    or `services:NAME`. insert_deny: `target` is the destination (host or zone), `part` is
    `SOURCE SERVICE` (a service name or `any`); the rule goes just before the first rule that
    meets those packets.
    remove_login / remove_session: `target` host, `part` the principal named there.
    remove_manages: `target` host, `part` the reference in its `manages`.
    require_mfa: `target` account. patch_service: `target` host, `part` the service.
    remove_member: `target` account or group, `part` the group taken out of its `member_of`.
    """

    kind: ChangeKind
    target: str
    part: str = ""

    @property
    def subjects(self) -> tuple[str, ...]:
        """The named items this change edits: what a per-name cost or `--keep NAME` matches."""
        if self.kind == "insert_deny":
            return (self.deny_source, self.target)
        if self.kind == "remove_member":
            return (self.target, self.part)  # `names: {domain-admins: 10}` guards the group
        return (self.target,)

    @property
    def deny_source(self) -> str:
        return self.part.split(" ", 1)[0]

    @property
    def deny_service(self) -> str:
        return self.part.split(" ", 1)[1]

    @property
    def narrow_field(self) -> NarrowField:
        name = self.part.split(":", 1)[0]
        assert name in ("from", "to", "services"), self.part
        return name  # type: ignore[return-value]

    @property
    def narrow_value(self) -> str:
        return self.part.split(":", 1)[1]


def deny(source: str, destination: str, service: str) -> Change:
    return Change("insert_deny", destination, f"{source} {service}")


@dataclass(frozen=True, slots=True)
class Costs:
    """Per-kind costs (None: never), per-name overrides (a rule, host, zone or account) and
    frozen names."""

    kinds: Mapping[ChangeKind, int | None] = field(default_factory=lambda: dict(DEFAULT_COSTS))
    names: Mapping[str, int] = field(default_factory=dict)
    keep: frozenset[str] = frozenset()

    def allowed(self, change: Change) -> bool:
        """Not frozen by `--keep`, and its kind not ruled out (`never` in the costs file)."""
        return self.kinds[change.kind] is not None and not any(s in self.keep for s in change.subjects)

    def cost(self, change: Change) -> int:
        named = [self.names[s] for s in change.subjects if s in self.names]
        cost = max(named) if named else self.kinds[change.kind]
        assert cost is not None, change  # allowed() keeps ruled-out kinds from the search
        return cost
