"""Model stage: controls (deny rules, default denies per zone pair, MFA) and models without them.

A control is something whose failure makes the design more permissive. Its failure is a
model transformation, so every what-if question goes through the ordinary, reference-checked
`api.check` on the transformed model:

- a deny rule fails: the rule is deleted (later rules and the defaults decide its packets);
- a default deny for the zone pair (A, B) fails: packets from A to B that no rule matches are
  allowed (an `allow any` rule from A to B appended after every rule);
- an account's MFA fails: the account no longer has `mfa: true`.

Each failure only widens what the model allows (monotone), which the margin's proofs rely on.
Addresses in no zone get `inter_zone` too, but belong to no pair: they are no control here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Literal

from segverify.diagnostics import Span
from segverify.model.ir import Flow, Model, Ref
from segverify.model.ports import parse_port_spec

ControlKind = Literal["deny-rule", "default", "mfa"]
_KIND_ORDER = {"deny-rule": 0, "default": 1, "mfa": 2}


@dataclass(frozen=True, slots=True)
class Control:
    """One control. deny-rule: `name` and `index` of the rule in the model as written;
    default: `name` is default:inter_zone or default:intra_zone, for `source` -> `destination`
    zones; mfa: `name` is the account."""

    kind: ControlKind
    name: str
    index: int = -1
    source: str = ""
    destination: str = ""
    span: Span | None = field(default=None, compare=False)  # deny-rule: where the rule is written

    def sort_key(self) -> tuple[int, int, str, str, str]:
        return (_KIND_ORDER[self.kind], self.index, self.name, self.source, self.destination)

    def label(self) -> str:
        if self.kind == "deny-rule":
            where = f" ({self.span})" if self.span is not None and self.span.line else ""
            return f"deny rule {self.name}{where}"
        if self.kind == "default":
            return f"{self.name} deny {self.source} -> {self.destination}"
        return f"mfa of {self.name}"


def sort_controls(controls: Iterable[Control]) -> tuple[Control, ...]:
    return tuple(sorted(set(controls), key=Control.sort_key))


def rule_control(flow: Flow) -> Control:
    return Control("deny-rule", flow.name, index=flow.index, span=flow.span)


def default_control(intra: bool, source: str, destination: str) -> Control:
    name = "default:intra_zone" if intra else "default:inter_zone"
    return Control("default", name, source=source, destination=destination)


def controls_of(model: Model) -> tuple[Control, ...]:
    """Every control of the model, in a stable order (rules, defaults by zone pair, MFA)."""
    found = [rule_control(f) for f in model.flows if f.action == "deny"]
    zones = sorted(model.zones)
    for a in zones:
        for b in zones:
            intra = a == b
            action = model.defaults.intra_zone if intra else model.defaults.inter_zone
            if action == "deny":
                found.append(default_control(intra, a, b))
    found += [Control("mfa", p.name) for p in model.accounts() if p.mfa]
    return sort_controls(found)


@dataclass(frozen=True, slots=True)
class Variant:
    """The model with some controls failed; `rules` maps a flow's new index to its control."""

    model: Model
    failed: tuple[Control, ...]
    rules: dict[int, Control]


ANY = parse_port_spec("any")


def without(model: Model, failed: Iterable[Control]) -> Variant:
    """The model with the `failed` controls failed (a pure function: `model` is unchanged)."""
    gone = frozenset(failed)
    kept = [f for f in model.flows if not (f.action == "deny" and rule_control(f) in gone)]
    opened = sorted((c for c in gone if c.kind == "default"), key=Control.sort_key)
    extra = [_opening(c) for c in opened]
    flows = tuple(replace(f, index=i) for i, f in enumerate(kept + extra))
    rules = {
        new.index: rule_control(old) for new, old in zip(flows, kept, strict=False) if old.action == "deny"
    }
    no_mfa = {c.name for c in gone if c.kind == "mfa"}
    principals = {n: replace(p, mfa=False) if n in no_mfa else p for n, p in model.principals.items()}
    changed = replace(model, flows=flows, principals=principals)
    return Variant(changed, sort_controls(gone), rules)


def _opening(c: Control) -> Flow:
    """Allows what the failed default denied: last, so it only meets packets no rule matches."""
    return Flow(
        index=-1,
        name=f"failed {c.name} {c.source} -> {c.destination}",
        sources=(Ref(c.source),),
        destinations=(Ref(c.destination),),
        services=("any",),
        ports=ANY,
        action="allow",
    )
