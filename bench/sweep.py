"""Bench: the differential sweep, engine against reference verdict on many small random models.

Each model is rebuilt from its seed (bench.synth.small), so a disagreement is reported as a
seed plus the model as YAML, ready to be loaded and checked. Two worker processes share the
seeds; the sweep stops at the first disagreement or failed self-check.
"""

from __future__ import annotations

import multiprocessing
import random
import time
from dataclasses import dataclass
from typing import Any

CHUNK = 250


@dataclass(frozen=True)
class Finding:
    seed: int
    policy: str
    engine: str
    reference: str


def check_seed(seed: int) -> tuple[int, Finding | None]:
    """(number of policies compared, the first disagreement or None)."""
    from bench.synth.small import random_small_model
    from segverify.api import CheckOptions, check
    from segverify.errors import InternalError
    from segverify.semantics.context import Semantics
    from segverify.semantics.policies import evaluate

    model = random_small_model(random.Random(seed))
    try:
        report = check(model, CheckOptions(use_waivers=False))
    except InternalError as exc:
        return 0, Finding(seed, "-", f"self-check failed: {exc}", "-")
    sem = Semantics(model)
    for result in report.results:
        policy = next(p for p in model.policies if p.id == result.id)
        ref = evaluate(model, policy, sem)[0].value
        if result.status.value != ref:
            return 0, Finding(seed, result.id, result.status.value, ref)
    return len(report.results), None


def check_chunk(chunk: tuple[int, int]) -> tuple[int, int, Finding | None]:
    """(models, policies, first finding) for `count` seeds from `start`."""
    start, count = chunk
    policies = 0
    for seed in range(start, start + count):
        n, finding = check_seed(seed)
        if finding is not None:
            return seed - start, policies, finding
        policies += n
    return count, policies, None


def reference_available() -> bool:
    try:
        import bench.synth.small  # noqa: F401
        import segverify.semantics.context  # noqa: F401
        import segverify.semantics.policies  # noqa: F401
    except ImportError:
        return False
    return True


def model_yaml(seed: int) -> str:
    from bench.synth.small import random_small_model
    from segverify.model.dump import model_files

    files = model_files(random_small_model(random.Random(seed)))
    return "\n".join(f"# --- {name}\n{text}" for name, text in files.items())


def sweep(models: int, first_seed: int, workers: int, say: Any) -> dict[str, Any]:
    if not reference_available():
        return {"status": "reference missing"}
    t0 = time.perf_counter()
    done = policies = 0
    finding: Finding | None = None
    end = first_seed + models
    chunks = [(s, min(CHUNK, end - s)) for s in range(first_seed, end, CHUNK)]
    with multiprocessing.get_context("spawn").Pool(workers) as pool:
        for n, p, found in pool.imap(check_chunk, chunks):
            done, policies = done + n, policies + p
            if found is not None:
                finding = found
                pool.terminate()
                break
            if done % (CHUNK * 40) == 0:
                say(f"sweep: {done:,} models, {policies:,} policies agree ({time.perf_counter() - t0:.0f} s)")
    elapsed = time.perf_counter() - t0
    out: dict[str, Any] = {"models": done, "first_seed": first_seed, "policies": policies, "seconds": elapsed}
    out["models_per_s"] = done / elapsed if elapsed else None
    if finding is None:
        out["status"] = "agree"
    else:
        out |= {"status": "disagree", "finding": finding.__dict__, "model_yaml": model_yaml(finding.seed)}
    return out
