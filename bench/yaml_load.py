"""`python -m bench.yaml_load`: the YAML reader's one-pass path against its general path.

model/yamlio.py keeps a second reader for plain documents (one pass over the parser's events)
beside the general one (depth check, compose, count, convert). This measures what that buys on
the synthetic enterprise written as YAML: CPU seconds to read every file of the model with
`parse_yaml` (which takes the one pass for plain files) and with `general_tree` (the general path
alone), the best of --runs, and their ratio. The two give the same tree (checked here too).
Prints one line per size; the numbers go to docs/bench.md, "Design measurements".
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

from bench.synth import generate_enterprise, plan_for
from segverify.model.dump import model_files
from segverify.model.yamlio import YNode, general_tree, parse_yaml

Reader = Callable[[str, str], YNode]


def best(read: Reader, files: dict[str, str], runs: int) -> float:
    """Least CPU seconds over `runs` reads of every file (the machine is shared: CPU, not wall)."""
    times = []
    for _ in range(runs):
        start = time.process_time()
        for name, text in files.items():
            read(text, name)
        times.append(time.process_time() - start)
    return min(times)


def measure(hosts: int, seed: int, runs: int) -> tuple[int, float, float]:
    """(bytes of YAML, seconds with the one pass, seconds with the general path only)."""
    files = model_files(generate_enterprise(plan_for(hosts, seed)))
    for name, text in files.items():
        if parse_yaml(text, name) != general_tree(text, name):
            raise SystemExit(f"the two paths disagree on {name}")
    size = sum(len(text.encode("utf-8")) for text in files.values())
    return size, best(parse_yaml, files, runs), best(general_tree, files, runs)


def main(argv: list[str] | None = None) -> list[tuple[int, float]]:
    """Runs the sizes; returns (hosts, general / one-pass ratio) per size."""
    ap = argparse.ArgumentParser(prog="python -m bench.yaml_load", description=__doc__)
    ap.add_argument("--sizes", default="1600,6400,25600", help="comma-separated host counts")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args(argv)
    out = []
    print("hosts    YAML MiB  one pass s  general s  ratio")
    for hosts in (int(s) for s in args.sizes.split(",") if s):
        size, fast, general = measure(hosts, args.seed, args.runs)
        ratio = general / fast
        print(f"{hosts:>7,}  {size / 2**20:8.2f}  {fast:10.3f}  {general:9.3f}  {ratio:5.2f}x")
        out.append((hosts, ratio))
    return out


if __name__ == "__main__":
    main()
