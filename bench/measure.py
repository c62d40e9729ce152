"""Bench: one size step, measured in one process: generate, write and load, engine, reference.

The engine (segverify.api.check, certificate re-derivation on and off) and the plain-Python
reference (segverify.semantics.policies.evaluate, one shared Semantics per run) see the same
loaded model in the same process. Each phase is the median over the runs; peak memory is the
process's maximum resident set size, read after each stage.
"""

from __future__ import annotations

import os
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from bench.phases import PHASES, TIMER, install
from bench.synth import generate_enterprise, plan_for, write_model
from bench.synth.policies import designed_to_hold
from segverify.model.ir import Model, Policy


@dataclass(frozen=True)
class SizeConfig:
    hosts: int
    seed: int = 1
    runs: int = 3
    cert_modes: tuple[bool, ...] = (True, False)
    load: bool = True
    reference: bool = True
    progress: bool = False


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


T = TypeVar("T")


def timed(fn: Callable[[], T]) -> tuple[T, float]:
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0


def generate_and_load(cfg: SizeConfig, out: dict[str, Any]) -> Model:
    plan = plan_for(cfg.hosts, cfg.seed)
    model, out["generate_s"] = timed(lambda: generate_enterprise(plan))
    out["model"] = {
        "hosts": len(model.hosts),
        "fleets": sum(1 for h in model.hosts.values() if h.fleet),
        "addresses": sum(h.addresses.size() for h in model.hosts.values()),
        "zones": len(model.zones),
        "principals": len(model.principals),
        "flows": len(model.flows),
        "policies": len(model.policies),
        "sites": plan.sites,
    }
    if not cfg.load:
        return model
    try:
        from segverify.model.load import load_model
    except ImportError:
        out["load_s"] = None
        return model
    with tempfile.TemporaryDirectory(prefix="segverify-bench-") as folder:
        paths, out["write_s"] = timed(lambda: write_model(model, folder))
        out["yaml_bytes"] = sum(os.path.getsize(p) for p in paths)
        loaded, out["load_s"] = timed(lambda: load_model([folder]))
    return loaded


def engine_run(model: Model, certificates: bool, label: str, progress: bool) -> dict[str, Any]:
    from segverify.api import CheckOptions, check

    def tick(i: int, n: int, policy: Policy) -> None:
        say(f"  {label}: policy {i + 1}/{n} {policy.id} ({policy.kind})")

    options = CheckOptions(verify_certificates=certificates, progress=tick if progress else None)
    TIMER.reset()
    t0 = time.perf_counter()
    TIMER.enter("encode")
    report = check(model, options)
    TIMER.leave()
    total = time.perf_counter() - t0
    phases = dict(TIMER.totals)
    phases["build"] = phases["context"] + phases["edges"] + phases["encode"]
    phases["total"] = total
    verdicts = {r.id: "violated" if r.status.value == "waived" else r.status.value for r in report.results}
    return {"phases": phases, "verdicts": verdicts}


def reference_run(model: Model) -> dict[str, Any] | None:
    try:
        from segverify.semantics.context import Semantics
        from segverify.semantics.policies import evaluate
    except ImportError:
        return None
    t0 = time.perf_counter()
    sem = Semantics(model)
    setup = time.perf_counter() - t0
    verdicts = {p.id: evaluate(model, p, sem)[0].value for p in sorted(model.policies, key=lambda p: p.id)}
    total = time.perf_counter() - t0
    return {"phases": {"setup": setup, "evaluate": total - setup, "total": total}, "verdicts": verdicts}


def medians(runs: list[dict[str, Any]]) -> dict[str, Any]:
    keys = runs[0]["phases"].keys()
    return {
        "phases": {k: statistics.median(r["phases"][k] for r in runs) for k in keys},
        "runs": [r["phases"]["total"] for r in runs],
        "verdicts": runs[0]["verdicts"],
    }


def measure_engine(model: Model, cfg: SizeConfig, out: dict[str, Any]) -> None:
    installed, missing = install()
    out["hooks"] = {"installed": installed, "missing": missing}
    for certificates in cfg.cert_modes:
        mode = "cert_on" if certificates else "cert_off"
        runs = []
        for k in range(cfg.runs):
            label = f"[{cfg.hosts}] engine {mode} run {k + 1}/{cfg.runs}"
            runs.append(engine_run(model, certificates, label, cfg.progress))
            say(f"{label}: {runs[-1]['phases']['total']:.2f} s")
        out["engine"][mode] = medians(runs)
    out["peak_mib"]["after_engine"] = peak_mib()


def measure_reference(model: Model, cfg: SizeConfig, out: dict[str, Any]) -> None:
    runs = []
    for k in range(cfg.runs):
        run = reference_run(model)
        if run is None:
            out["reference"] = "reference missing"
            return
        runs.append(run)
        say(f"[{cfg.hosts}] reference run {k + 1}/{cfg.runs}: {run['phases']['total']:.2f} s")
    out["reference"] = medians(runs)
    out["peak_mib"]["after_reference"] = peak_mib()


def compare(model: Model, out: dict[str, Any]) -> None:
    """Engine against reference, and both against the polarity the generator designed."""
    ids = [p.id for p in model.policies]
    designed = {pid: "proved" if designed_to_hold(i) else "violated" for i, pid in enumerate(ids)}
    first: dict[str, Any] = next(iter(out["engine"].values()), {})
    engine: dict[str, str] = first.get("verdicts", {})
    ref = out["reference"]["verdicts"] if isinstance(out["reference"], dict) else {}
    out["verdicts"] = {
        "engine": _count(engine),
        "reference": _count(ref),
        "disagreements": sorted(p for p in engine if p in ref and engine[p] != ref[p]),
        "off_design": sorted(p for p in engine if engine[p] != designed[p]),
    }


def _count(verdicts: dict[str, str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for v in verdicts.values():
        out[v] = out.get(v, 0) + 1
    return dict(sorted(out.items()))


def measure_size(cfg: SizeConfig) -> dict[str, Any]:
    out: dict[str, Any] = {"hosts": cfg.hosts, "seed": cfg.seed, "runs": cfg.runs, "engine": {}}
    out["peak_mib"] = {}
    model = generate_and_load(cfg, out)
    out["peak_mib"]["after_load"] = peak_mib()
    say(f"[{cfg.hosts}] generated in {out['generate_s']:.2f} s, loaded in {out.get('load_s') or 0:.2f} s")
    measure_engine(model, cfg, out)
    if cfg.reference:
        measure_reference(model, cfg, out)
    else:
        out["reference"] = "reference skipped"
    compare(model, out)
    out["peak_mib"]["total"] = peak_mib()
    return out


__all__ = ["PHASES", "SizeConfig", "measure_size"]


def child(cfg: SizeConfig, queue: Any) -> None:
    """Entry point of the per-size process: its peak RSS is this size's alone."""
    try:
        queue.put(measure_size(cfg))
    except Exception as exc:  # reported in the table; the parent decides whether to go on
        queue.put({"hosts": cfg.hosts, "error": f"{type(exc).__name__}: {exc}"})
