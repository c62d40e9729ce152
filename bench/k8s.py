"""`python -m bench.k8s`: segverify against NCA on the same generated Kubernetes clusters (make bench).

Per size (pods), one generated cluster (bench/synth/k8s.py, one policy per 10 pods, one
namespace per 100 pods): segverify's time is `segverify import k8s` + `segverify connectivity`
+ `segverify check` of one `isolated` policy, each a fresh process as a user runs them; NCA's is
`nca --connectivity`. Also timed, the direct pipeline a CI job on a manifests repository runs:
`segverify connectivity --from k8s` + `segverify check --from k8s --policy` (two processes, the
manifests read by each, nothing written). CPU seconds of each process, NCA stopped at
--nca-timeout (wall). Both answers are compared in canonical form (bench/nca.py) whenever NCA
finishes. Results go to docs/bench.md by hand.

segverify runs as `sys.executable -m segverify`, so the code timed is the code imported here
(PYTHONPATH inherited), never an installed entry point of another checkout. Its bytecode is
compiled once before timing (`compileall`, into its `__pycache__` folders), as an installed
package's is: without it, a `PYTHONDONTWRITEBYTECODE` environment would time the compilation of
every module of segverify in every process.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess  # noqa: TID251 (the bench times each tool as a process, as users run it)
import sys
import tempfile

import segverify
from bench.nca import canonical, parse_nca, segverify_rows
from bench.synth.k8s import generate_cluster
from segverify.connectivity.command import k8s_network
from segverify.connectivity.compute import Connectivity

BIN = os.path.dirname(sys.executable)
SEGVERIFY = [sys.executable, "-m", "segverify"]
POLICY = """segverify: 1
policies:
  - id: K8S-1
    title: The first namespace cannot be taken over from outside the cluster
    isolated: {from: tag:outside-cluster, to: ns0}  # every external zone the import writes
    attacker: {exploits: exposed}  # every offered port exploitable: the movement engine has work
"""


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def compile_segverify() -> None:
    """segverify's bytecode compiled next to its sources, as an installed package ships it: timed
    processes read it (even under PYTHONDONTWRITEBYTECODE, which stops only the writing)."""
    package = os.path.dirname(os.path.abspath(segverify.__file__))
    subprocess.run([sys.executable, "-m", "compileall", "-q", package], check=True)


def timed(argv: list[str], timeout: float | None = None) -> tuple[float, int | None]:
    """CPU seconds (user + system) of the command's process: the machine is shared, wall time is
    noise. A command past `timeout` (wall) is stopped: its time is then the timeout."""
    start = _children_cpu()
    try:
        done = subprocess.run(argv, capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return timeout or 0.0, None
    return _children_cpu() - start, done.returncode


def run_size(pods: int, seed: int, nca_timeout: float, folder: str) -> dict[str, object]:
    path = os.path.join(folder, f"cluster-{pods}.yaml")
    with open(path, "w", encoding="utf-8") as fh:
        size = {"pods": pods, "policies": max(3, pods // 10), "namespaces": max(2, pods // 100)}
        fh.write(generate_cluster(seed, **size))
    model = os.path.join(folder, f"model-{pods}")
    out = os.path.join(folder, f"conn-{pods}.json")
    t_import, _ = timed([*SEGVERIFY, "import", "k8s", path, "-o", model])
    with open(os.path.join(model, "policy.yaml"), "w", encoding="utf-8") as fh:
        fh.write(POLICY)
    t_conn, _ = timed([*SEGVERIFY, "connectivity", model, "--format", "json", "-o", out])
    t_check, check_code = timed([*SEGVERIFY, "check", model, "--format", "json"])
    policy = os.path.join(folder, "policy.yaml")
    with open(policy, "w", encoding="utf-8") as fh:
        fh.write(POLICY)
    direct = [*SEGVERIFY, "connectivity", "--from", "k8s", path, "--format", "json", "-o", out + ".direct"]
    t_direct_conn, _ = timed(direct)
    direct_check = [*SEGVERIFY, "check", "--from", "k8s", path, "--policy", policy, "--format", "json"]
    t_direct_check, direct_code = timed(direct_check)
    with open(out, encoding="utf-8") as a, open(out + ".direct", encoding="utf-8") as b:
        if a.read() != b.read():
            raise SystemExit(f"{pods} pods: connectivity --from k8s differs from the imported folder's")
    if direct_code != check_code:
        raise SystemExit(f"{pods} pods: check --from k8s exited {direct_code}, of the folder {check_code}")
    nca_out = os.path.join(folder, f"nca-{pods}.txt")
    nca = [os.path.join(BIN, "nca"), "--connectivity", "-r", path, "--output_format", "txt_no_fw_rules"]
    t_nca, nca_code = timed(nca + ["--file_out", nca_out], nca_timeout)
    agree = None
    if nca_code is not None:
        network, _ = k8s_network([path])
        with open(nca_out, encoding="utf-8") as fh:
            theirs = canonical(parse_nca(fh.read()))
        agree = theirs == canonical(segverify_rows(network, Connectivity(network).connections()))
    return {
        "pods": pods,
        "import": t_import,
        "connectivity": t_conn,
        "check": t_check,
        "check_exit": check_code,
        "direct": t_direct_conn + t_direct_check,
        "nca": t_nca if nca_code is not None else None,
        "agree": agree,
    }


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m bench.k8s", description=__doc__)
    ap.add_argument("--sizes", default="100,500,2000")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--nca-timeout", type=float, default=600.0)
    args = ap.parse_args(argv)
    folder = tempfile.mkdtemp(prefix="segverify-k8s-bench-")
    compile_segverify()
    print("pods  import  connectivity  check(exit)  segverify  nca  speed-up  agree  direct  speed-up")
    try:
        for size in (int(s) for s in args.sizes.split(",") if s):
            r = run_size(size, args.seed, args.nca_timeout, folder)
            ours = float(r["import"]) + float(r["connectivity"]) + float(r["check"])  # type: ignore[arg-type]
            nca = r["nca"]
            theirs = f"{nca:.2f}" if isinstance(nca, float) else f">{args.nca_timeout:.0f}"
            ratio = f"{nca / ours:.1f}x" if isinstance(nca, float) else f">{args.nca_timeout / ours:.0f}x"
            direct = float(r["direct"])  # type: ignore[arg-type]
            limit = args.nca_timeout
            d_ratio = f"{nca / direct:.1f}x" if isinstance(nca, float) else f">{limit / direct:.0f}x"
            print(
                f"{size:5d} {r['import']:6.2f} {r['connectivity']:12.2f} {r['check']:7.2f}({r['check_exit']})"
                f" {ours:10.2f} {theirs:>6} {ratio:>8}  {r['agree']!s:5} {direct:7.2f} {d_ratio:>8}",
                flush=True,
            )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
