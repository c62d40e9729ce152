"""Semantics stage: one enforcement layer read as a model of its own, for questions asked inside it.

First match runs inside one layer, so what a layer alone decides (lint's shadowing, which layers
can deny packets between two zones in a diagram) is the same question as for a model without
layers: the same network, the layer's rules (numbered from 0) and its defaults. A packet outside
the layer's `applies_to` never reaches it: callers keep to that region (`applies_region`).
"""

from __future__ import annotations

import dataclasses

from segverify.model.intervals import IntervalSet
from segverify.model.ir import Defaults, Layer, Model
from segverify.model.refs import Resolver


def layer_model(model: Model, layer: Layer) -> Model:
    """A named layer as a model of its own: the same network, the layer's rules and defaults."""
    flows = tuple(dataclasses.replace(f, index=k) for k, f in enumerate(layer.flows))
    defaults = Defaults(layer.intra_zone, layer.inter_zone, model.defaults.attacker, layer.span)
    return dataclasses.replace(model, flows=flows, defaults=defaults, layers=())


def applies_region(layer: Layer, resolver: Resolver) -> tuple[IntervalSet | None, IntervalSet | None]:
    """The layer's `applies_to` (from, to) resolved; None: every address."""
    return (
        None if layer.applies_from is None else resolver.addresses_of(layer.applies_from),
        None if layer.applies_to is None else resolver.addresses_of(layer.applies_to),
    )
