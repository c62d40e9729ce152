"""`check --certificate` binds certificates to their inputs; `verify-certificate` re-checks them."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess  # noqa: TID251 (a fresh interpreter is the only clean sys.modules)
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner  # noqa: TID251 (tests drive the CLI)

from segverify import __version__
from segverify.cli import app

ROOT = Path(__file__).resolve().parent.parent
CASE = "tests/cases/lateral"  # proofs of every certificate shape but one, and violations
ACCOUNTS = "tests/cases/accounts"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(autouse=True)
def _at_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def certify(tmp_path: Path, *models: str) -> tuple[Path, dict[str, Any]]:
    cert, report = tmp_path / "cert.json", tmp_path / "report.json"
    code, _, err = run(
        "check", *models, "-f", "json", "-o", str(report), "--certificate", str(cert), "--today", "2026-11-23"
    )
    assert code in (0, 1), err
    return cert, json.loads(report.read_text())


def canonical_sha(value: object) -> str:
    """The documented recipe, written out independently of segverify/evidence/digest.py."""
    return hashlib.sha256(json.dumps(value, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def test_the_certificate_file_records_version_date_inputs_and_hashes(tmp_path: Path) -> None:
    cert, report = certify(tmp_path, CASE)
    doc = json.loads(cert.read_text())
    assert doc["version"] == __version__ and doc["date"] == "2026-11-23"
    files = sorted(str(p.relative_to(ROOT)) for p in (ROOT / CASE).glob("*.yaml"))
    assert [i["file"] for i in doc["inputs"]] == files
    for i in doc["inputs"]:
        assert i["sha256"] == hashlib.sha256((ROOT / i["file"]).read_bytes()).hexdigest()
    assert len(doc["model_sha256"]) == 64
    proved = {r["id"]: r["certificate"]["sha256"] for r in report["results"] if r["status"] == "proved"}
    assert proved and proved == {c["id"]: c["sha256"] for c in doc["certificates"]}
    for c in doc["certificates"]:
        assert c["sha256"] == canonical_sha(c["certificate"])


def test_the_report_carries_summaries_not_boundaries(tmp_path: Path) -> None:
    cert, report = certify(tmp_path, CASE)
    full = {c["id"]: c["certificate"] for c in json.loads(cert.read_text())["certificates"]}
    for r in report["results"]:
        if "certificate" not in r:
            continue
        summary = r["certificate"]["summary"]
        assert set(r["certificate"]) == {"sha256", "summary"}
        if "boundary" in full[r["id"]]:
            boundary = full[r["id"]]["boundary"]
            assert summary["boundary"] == len(boundary)
            assert summary["hosts"] == len(full[r["id"]]["hosts"])
            assert sum(summary.get("blocked", {}).values()) == len(boundary)


@pytest.mark.parametrize(
    "case", [CASE, ACCOUNTS, "tests/cases/matrix", "tests/cases/only-via", "tests/cases/resilient"]
)
def test_a_fresh_certificate_file_checks(tmp_path: Path, case: str) -> None:
    cert, _ = certify(tmp_path, case)
    code, out, err = run("verify-certificate", str(cert), case)
    assert code == 0, out + err
    assert out.splitlines()[-1].endswith("certificates check; inputs match")
    assert "FAILED" not in out


def _rewrite(cert: Path, change: Any, rehash: bool) -> None:
    doc = json.loads(cert.read_text())
    entry = next(c for c in doc["certificates"] if c["certificate"].get("hosts"))
    change(entry["certificate"])
    if rehash:
        entry["sha256"] = canonical_sha(entry["certificate"])
    cert.write_text(json.dumps(doc))


def test_a_tampered_certificate_fails_even_with_its_hash_fixed(tmp_path: Path) -> None:
    cert, _ = certify(tmp_path, CASE)
    # The closed set loses a host the attacker takes: the set is no longer closed.
    _rewrite(cert, lambda c: c["hosts"].pop(), rehash=True)
    code, out, _ = run("verify-certificate", str(cert), CASE)
    assert code == 1
    assert "FAILED" in out and "SHA-256" not in out


def test_a_certificate_that_does_not_match_its_hash_fails(tmp_path: Path) -> None:
    cert, _ = certify(tmp_path, CASE)
    _rewrite(cert, lambda c: c["boundary"].reverse(), rehash=False)  # still closed; content changed
    code, out, _ = run("verify-certificate", str(cert), CASE)
    assert code == 1
    assert "not the recorded" in out


def test_changed_inputs_fail_although_the_certificates_still_check(tmp_path: Path) -> None:
    cert, _ = certify(tmp_path, CASE)
    changed = tmp_path / "model"
    shutil.copytree(ROOT / CASE, changed)
    model = changed / "model.yaml"
    model.write_text(model.read_text() + "\n# a comment changes the file, not the normalised model\n")
    code, out, _ = run("verify-certificate", str(cert), str(changed))
    assert code == 1
    assert "inputs DIFFER" in out and "normalised model" not in out
    assert "FAILED" not in out


def test_bad_input_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"segverify": "1", "certificates": 3}')
    assert run("verify-certificate", str(bad), CASE)[0] == 2
    bad.write_text("not json")
    assert run("verify-certificate", str(bad), CASE)[0] == 2
    assert run("verify-certificate", str(tmp_path / "missing.json"), CASE)[0] == 2
    cert, _ = certify(tmp_path, CASE)
    assert run("verify-certificate", str(cert), str(tmp_path / "no-model.yaml"))[0] == 2


PROBE = """
import json, sys
from segverify.cli import app
try:
    app(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
print("\\n" + json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""


def test_verify_certificate_never_imports_the_solver(tmp_path: Path) -> None:
    cert, _ = certify(tmp_path, CASE)
    done = subprocess.run(
        [sys.executable, "-c", PROBE, "verify-certificate", str(cert), CASE],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    result = json.loads(done.stdout.splitlines()[-1])
    assert result["code"] == 0
    assert "segverify.semantics.verify" in result["modules"]  # the reference did run
    solver = [m for m in result["modules"] if m == "z3" or m.startswith(("z3.", "segverify.encode"))]
    assert solver == []


def _leaves(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _leaves(v, (*path, k))]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _leaves(v, (*path, i))]
    return [path]


@pytest.fixture(scope="module")
def lateral_certificates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(ROOT)
        cert, _ = certify(tmp_path_factory.mktemp("lateral"), CASE)
    return json.loads(cert.read_text())


@settings(
    derandomize=True,
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(st.data())
def test_a_mangled_certificate_never_crashes_and_never_checks_unchanged(
    lateral_certificates: dict[str, Any], data: st.DataObject
) -> None:
    """Any leaf replaced by another value: a clean verdict or bad input, never a traceback."""
    from segverify.errors import UsageError
    from segverify.evidence.read import certificate_file_of
    from segverify.evidence.recheck import recheck
    from segverify.model.load import load_model

    doc = json.loads(json.dumps(lateral_certificates))
    entry = data.draw(st.sampled_from(doc["certificates"]))
    path = data.draw(st.sampled_from(_leaves(entry["certificate"])))
    new = data.draw(st.sampled_from(["vpn", "nobody", "", 7, None, "login", "mfa", "default:inter_zone"]))
    target = entry["certificate"]
    for key in path[:-1]:
        target = target[key]
    changed = target[path[-1]] != new
    target[path[-1]] = new
    try:
        outcome = recheck(load_model([str(ROOT / CASE)]), certificate_file_of(doc, "mangled"))
    except UsageError:
        return
    mine = next(problems for e, problems in outcome.certificates if e.id == entry["id"])
    assert not changed or mine  # at least its digest no longer matches


def test_a_shipped_pack_is_an_input_by_its_shipped_bytes(tmp_path: Path) -> None:
    cert, _ = certify(tmp_path, "examples/pci-cde/segmented", "-p", "pack:pci-dss")
    inputs = {i["file"]: i["sha256"] for i in json.loads(cert.read_text())["inputs"]}
    shipped = (ROOT / "segverify" / "packs" / "pci-dss.yaml").read_bytes()
    assert inputs["pack:pci-dss"] == hashlib.sha256(shipped).hexdigest()
    code, out, err = run("verify-certificate", str(cert), "examples/pci-cde/segmented", "-p", "pack:pci-dss")
    assert code == 0, out + err


# ---- resilient proofs: a certificate for every choice -------------------------------------------

FLAGSHIP = ("examples/remote-access-vendor/segregated", "--policy", "pack:three-plane")
RESILIENT = "tests/cases/resilient"


def _choices(cert: Path, policy: str, change: Any) -> None:
    """Change a resilient proof's choices, every digest fixed: only the re-check can object."""
    doc = json.loads(cert.read_text())
    entry = next(c for c in doc["certificates"] if c["id"] == policy)
    change(entry["choices"])
    for choice in entry["choices"]:
        choice["sha256"] = canonical_sha(choice["certificate"])
    entry["choices_sha256"] = canonical_sha(
        [{k: v for k, v in c.items() if k != "certificate"} for c in entry["choices"]]
    )
    cert.write_text(json.dumps(doc))


def test_the_flagship_resilient_proofs_check_for_every_choice(tmp_path: Path) -> None:
    cert, html = tmp_path / "cert.json", tmp_path / "report.html"
    code, _, err = run("check", *FLAGSHIP, "--certificate", str(cert), "--report", str(html))
    assert code == 0, err
    assert html.read_text().count("Proved for every choice of <code>resilient</code>") == 2
    entries = {c["id"]: c for c in json.loads(cert.read_text())["certificates"]}
    stolen = entries["PLANE-010"]["choices"]
    assert stolen and all(c["accounts"] and c["places"] for c in stolen)
    assert [c["accounts"] for c in stolen] == sorted(c["accounts"] for c in stolen)
    assert entries["PLANE-011"]["choices"][0]["every_control_failed"] is True
    code, out, err = run("verify-certificate", str(cert), *FLAGSHIP)
    assert code == 0, out + err
    accounts = sum(len(c["accounts"]) for c in stolen)
    assert (
        f"ok      PLANE-010 (isolated; resilient: {accounts} stolen accounts in {len(stolen)} certificates)"
        in out
    )
    assert "ok      PLANE-011 (isolated; resilient: every control failed in 1 certificate)" in out


def test_a_dropped_stolen_account_is_named(tmp_path: Path) -> None:
    cert = tmp_path / "cert.json"
    run("check", *FLAGSHIP, "--certificate", str(cert))
    dropped: list[str] = []
    _choices(cert, "PLANE-010", lambda cs: dropped.extend(cs.pop()["accounts"]))
    code, out, _ = run("verify-certificate", str(cert), *FLAGSHIP)
    assert code == 1 and "FAILED  PLANE-010" in out
    for account in dropped:
        assert f"account {account} stolen: no certificate covers this choice" in out


def test_a_stolen_account_claimed_by_a_certificate_that_does_not_hold_it_fails(tmp_path: Path) -> None:
    cert = tmp_path / "cert.json"
    run("check", *FLAGSHIP, "--certificate", str(cert))

    def swap(cs: list[dict[str, Any]]) -> None:  # the first choice's accounts moved to the last one
        cs[-1]["accounts"] += cs[0]["accounts"]
        cs[-1]["accounts"].sort()
        del cs[0]

    _choices(cert, "PLANE-010", swap)
    code, out, _ = run("verify-certificate", str(cert), *FLAGSHIP)
    assert code == 1 and "FAILED  PLANE-010" in out and "stolen: " in out


def test_every_control_failed_is_checked_on_the_model_with_every_control_failed(tmp_path: Path) -> None:
    cert = tmp_path / "cert.json"
    run("check", *FLAGSHIP, "--certificate", str(cert))
    _choices(cert, "PLANE-011", lambda cs: cs[0]["certificate"]["hosts"].clear())
    code, out, _ = run("verify-certificate", str(cert), *FLAGSHIP)
    assert code == 1 and "FAILED  PLANE-011" in out and "every control failed: " in out


def test_a_tree_of_failed_controls_without_a_cited_control_fails(tmp_path: Path) -> None:
    cert, _ = certify(tmp_path, RESILIENT)
    code, out, _ = run("verify-certificate", str(cert), RESILIENT)
    assert code == 0 and "ok      RES-01 (isolated; resilient: 1 certificates with controls failed" in out
    _choices(cert, "RES-01", lambda cs: cs.clear())
    code, out, _ = run("verify-certificate", str(cert), RESILIENT)
    assert code == 1
    assert (
        "deny rule block-relay (tests/cases/resilient/model.yaml:23:5) failed: no certificate covers" in out
    )


def test_a_tree_node_claimed_for_another_control_fails(tmp_path: Path) -> None:
    cert, _ = certify(tmp_path, RESILIENT)

    def other(cs: list[dict[str, Any]]) -> None:  # block-relay's certificate claimed for the default
        cs[0]["failed"] = [{"kind": "default", "name": "default:inter_zone", "from": "office", "to": "plant"}]

    _choices(cert, "RES-01", other)
    code, out, _ = run("verify-certificate", str(cert), RESILIENT)
    assert code == 1 and "no certificate covers this choice" in out


def test_a_changed_digest_of_the_choices_fails(tmp_path: Path) -> None:
    cert, _ = certify(tmp_path, RESILIENT)
    doc = json.loads(cert.read_text())
    entry = next(c for c in doc["certificates"] if c["id"] == "RES-03")
    entry["choices"][0]["places"] = ["office", "plant"]  # digests left as they were
    cert.write_text(json.dumps(doc))
    code, out, _ = run("verify-certificate", str(cert), RESILIENT)
    assert code == 1 and "the choices' SHA-256" in out and "logs in from ['office']" in out
