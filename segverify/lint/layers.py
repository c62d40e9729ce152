"""Lint stage: a layered model is linted one enforcement layer at a time.

Shadowing, redundancy and the other rule findings are about first match, and first match runs
inside one layer: each layer's rules are linted among themselves, against the layer's own
defaults. A layer with `applies_to` only ever sees the packets inside it, so its rules are cut
to that region first: a rule whose packets all lie outside it matches nothing that matters, and
one whose every packet the region keeps is judged on those packets only. A rule shadowed in its
own layer is dead whatever the other layers say.

Every witness is then replayed twice: by first match inside the layer (replay.py), and by the
reference (semantics/firstmatch.py) through every layer of the whole model, which must name the
same deciding rule for the layer.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from segverify.errors import InternalError
from segverify.model.intervals import IntervalSet
from segverify.model.ir import Model
from segverify.model.refs import Resolver
from segverify.results import Packet, RuleRef
from segverify.semantics.firstmatch import CompiledFlow, CompiledLayer, compile_layers, decide_layers
from segverify.semantics.layer_model import layer_model
from segverify.semantics.packets import format_packet
from segverify.semantics.regions import FlowTable


@dataclass(frozen=True, slots=True)
class LayerScope:
    """Which layer a lint pass reads, and the whole model's layers to replay witnesses through."""

    name: str = ""  # "" for the implicit layer (top-level flows and defaults)
    position: int = 0  # in `compiled`: 0 is the implicit layer
    compiled: tuple[CompiledLayer, ...] = ()  # every layer, as the reference compiles them; () unlayered
    sources: IntervalSet | None = None  # `applies_to.from` resolved; None: every address
    destinations: IntervalSet | None = None

    def cite(self, rule: RuleRef) -> RuleRef:
        """A rule as reports name it: a named layer's default carries `@LAYER` (as check cites it)."""
        if self.name and rule.is_default and "@" not in rule.name:
            return dataclasses.replace(rule, name=f"{rule.name}@{self.name}")
        return rule

    def clip(self, cf: CompiledFlow) -> CompiledFlow:
        """The rule cut to the packets the layer applies to."""
        out = cf
        if self.sources is not None:
            out = dataclasses.replace(out, sources=out.sources.intersection(self.sources))
        if self.destinations is not None:
            out = dataclasses.replace(out, destinations=out.destinations.intersection(self.destinations))
        return out

    def check(self, resolver: Resolver, packet: Packet, decided_by: RuleRef, what: str) -> None:
        """The reference, through every layer, decides the packet in this layer by `decided_by`."""
        self.check_with(self.compiled, resolver, packet, decided_by, what)

    def check_without(
        self, resolver: Resolver, packet: Packet, removed: RuleRef, action: str, what: str
    ) -> None:
        """With `removed` taken out of its layer, the reference decides the packet there by `action`."""
        if not self.compiled:
            return
        mine = self.compiled[self.position]
        rest = tuple(cf for cf in mine.rules if cf.rule.name != removed.name)
        layers = list(self.compiled)
        layers[self.position] = dataclasses.replace(mine, rules=rest)
        got = self._decider(tuple(layers), resolver, packet, what)
        if got.action != action:
            raise InternalError(
                f"lint {what} witness for rule {removed.name}: without it the reference decides "
                f"{format_packet(packet)} in layer {self.label} by {got.name} ({got.action})"
            )

    def check_with(
        self,
        layers: tuple[CompiledLayer, ...],
        resolver: Resolver,
        packet: Packet,
        decided_by: RuleRef,
        what: str,
    ) -> None:
        if not layers:
            return
        got = self._decider(layers, resolver, packet, what)
        want = self.cite(decided_by)
        if (got.name, got.action) != (want.name, want.action):
            raise InternalError(
                f"lint {what} witness {format_packet(packet)}: the reference decides it in layer "
                f"{self.label} by {got.name}, the layer's sweep said {want.name}"
            )

    def _decider(
        self, layers: tuple[CompiledLayer, ...], resolver: Resolver, packet: Packet, what: str
    ) -> RuleRef:
        applying = [k for k, layer in enumerate(layers) if layer.applies(packet)]
        decision = decide_layers(layers, resolver, packet)
        by_layer = dict(zip(applying, decision.rules, strict=True))
        if self.position not in by_layer:
            raise InternalError(
                f"lint {what} witness {format_packet(packet)} lies outside layer {self.label}'s applies_to"
            )
        return by_layer[self.position]

    @property
    def label(self) -> str:
        return self.name or "(top level)"


class LayerTable(FlowTable):
    """One layer as an unlayered rule list: its rules (numbered from 0, cut to where the layer
    applies) and its defaults; `scope` replays witnesses through the whole model."""

    def __init__(self, model: Model, resolver: Resolver, scope: LayerScope) -> None:
        super().__init__(model, resolver)
        self.scope = scope
        self.flows = tuple(scope.clip(cf) for cf in self.flows)


def layer_tables(model: Model, resolver: Resolver) -> list[LayerTable]:
    """The implicit layer's table, then each named layer's, in the order written."""
    if not model.layers:
        return [LayerTable(model, resolver, LayerScope())]
    compiled = compile_layers(model, resolver)
    out = [LayerTable(dataclasses.replace(model, layers=()), resolver, LayerScope(compiled=compiled))]
    for k, layer in enumerate(model.layers, 1):
        scope = LayerScope(layer.name, k, compiled, compiled[k].sources, compiled[k].destinations)
        out.append(LayerTable(layer_model(model, layer), resolver, scope))
    return out
