"""Bench: ratios, log-log slopes, the table and results.json from the per-size measurements."""

from __future__ import annotations

import json
import math
from typing import Any


def slope(points: list[tuple[float, float]]) -> float | None:
    """Least-squares slope of log(time) against log(size); None with fewer than two sizes."""
    pts = [(math.log(x), math.log(y)) for x, y in points if x > 0 and y > 0]
    if len(pts) < 2:
        return None
    mx = sum(x for x, _ in pts) / len(pts)
    my = sum(y for _, y in pts) / len(pts)
    den = sum((x - mx) ** 2 for x, _ in pts)
    return sum((x - mx) * (y - my) for x, y in pts) / den if den else None


def ratios(size: dict[str, Any]) -> dict[str, float]:
    """Engine phase time over the reference's total, per certificate mode (same process, same model)."""
    ref = size.get("reference")
    if not isinstance(ref, dict):
        return {}
    base = ref["phases"]["total"]
    out = {}
    for mode, eng in size["engine"].items():
        p = eng["phases"]
        out[f"{mode}.total"] = p["total"] / base
        out[f"{mode}.verdict"] = (p["build"] + p["solve"]) / base  # without witnesses and self-checks
        for phase in ("build", "solve", "witness"):
            out[f"{mode}.{phase}"] = p[phase] / base
    return out


def summarise(sizes: list[dict[str, Any]]) -> dict[str, Any]:
    done = [s for s in sizes if "engine" in s and s["engine"]]
    out: dict[str, Any] = {}
    for mode in ("cert_on", "cert_off"):
        pts = [(s["hosts"], s["engine"][mode]["phases"]["total"]) for s in done if mode in s["engine"]]
        out[f"slope_engine_{mode}"] = slope([(float(x), y) for x, y in pts])
    refs = [
        (float(s["hosts"]), s["reference"]["phases"]["total"])
        for s in done
        if isinstance(s["reference"], dict)
    ]
    out["slope_reference"] = slope(refs)
    out["max_ratio_total_cert_on"] = max((s["ratios"].get("cert_on.total", 0.0) for s in done), default=None)
    return out


def _fmt(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


HEADER = (
    f"{'hosts':>7} {'rules':>6} {'pol':>4} {'gen':>6} {'load':>7} {'build':>8} {'solve':>7} "
    f"{'witness':>8} {'total':>8} {'no-cert':>8} {'ref':>8} {'ratio':>6} {'MiB':>6}  verdicts"
)


def row(s: dict[str, Any]) -> str:
    if "error" in s:
        return f"{s['hosts']:>7}  {s['error']}"
    m, eng = s["model"], s["engine"]
    on = eng.get("cert_on", {}).get("phases", {})
    off = eng.get("cert_off", {}).get("phases", {})
    ref = s["reference"]["phases"]["total"] if isinstance(s["reference"], dict) else None
    v = s["verdicts"]
    agree = (
        "n/a" if ref is None else ("agree" if not v["disagreements"] else f"DISAGREE {v['disagreements']}")
    )
    counts = "/".join(f"{k[0].upper()}{n}" for k, n in v["engine"].items())
    return (
        f"{m['hosts']:>7} {m['flows']:>6} {m['policies']:>4} {_fmt(s['generate_s']):>6} "
        f"{_fmt(s.get('load_s')):>7} {_fmt(on.get('build')):>8} {_fmt(on.get('solve')):>7} "
        f"{_fmt(on.get('witness')):>8} {_fmt(on.get('total')):>8} {_fmt(off.get('total')):>8} "
        f"{_fmt(ref):>8} {_fmt(s['ratios'].get('cert_on.total'), 1):>6} {s['peak_mib']['total']:>6.0f}  "
        f"{counts} {agree}"
    )


def table(sizes: list[dict[str, Any]], summary: dict[str, Any]) -> str:
    lines = [HEADER] + [row(s) for s in sizes]
    lines.append(
        "slope (log-log, total vs hosts): engine "
        f"{_fmt(summary.get('slope_engine_cert_on'))} (no-cert {_fmt(summary.get('slope_engine_cert_off'))}),"
        f" reference {_fmt(summary.get('slope_reference'))}"
    )
    lines.append("times in seconds (median of runs); ratio = engine total / reference total; MiB = peak RSS")
    return "\n".join(lines)


def write_json(path: str, payload: dict[str, Any]) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(payload, fh, indent=2, sort_keys=True)
        fh.write("\n")
