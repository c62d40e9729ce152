"""Synthesis stage: synthetic enterprises and small random models, as IR or as YAML model folders."""

from __future__ import annotations

import random

from segverify.model.ir import Model
from segverify.synth.draft import Draft
from segverify.synth.dump import write_model
from segverify.synth.layout import build_sites
from segverify.synth.plan import LARGEST, SIZES, Plan, plan_for
from segverify.synth.policies import add_policies
from segverify.synth.rules import add_flows

__all__ = ["LARGEST", "SIZES", "Plan", "generate_enterprise", "plan_for", "write_enterprise"]


def generate_enterprise(plan: Plan) -> Model:
    """The enterprise of `plan`; the same plan always gives the same model."""
    rng = random.Random(plan.seed)
    draft = Draft()
    sites = build_sites(draft, plan, rng)
    add_flows(draft, sites, plan.rules, rng)
    add_policies(draft, sites, plan.policies)
    return draft.model()


def write_enterprise(
    hosts: int, seed: int, folder: str, rules: int | None = None, policies: int | None = None
) -> list[str]:
    """`segverify generate`: the enterprise as a folder of YAML model files; returns the paths written."""
    return write_model(generate_enterprise(plan_for(hosts, seed, rules, policies)), folder)
