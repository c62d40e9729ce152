"""Benchmark inputs, not installed: synthetic enterprises and small random models, as IR or YAML folders."""

from __future__ import annotations

import os
import random

from bench.synth.draft import Draft
from bench.synth.layout import build_sites
from bench.synth.plan import LARGEST, SIZES, Plan, plan_for
from bench.synth.policies import add_policies
from bench.synth.rules import add_flows
from segverify.model.dump import model_files
from segverify.model.ir import Model

__all__ = ["LARGEST", "SIZES", "Plan", "generate_enterprise", "plan_for", "write_enterprise", "write_model"]


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


def write_model(model: Model, folder: str) -> list[str]:
    """Write the model as YAML files into `folder` (created if needed); returns the paths written."""
    os.makedirs(folder, exist_ok=True)
    paths = []
    for name, text in model_files(model).items():
        path = os.path.join(folder, name)
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)
        paths.append(path)
    return paths
