"""`--format patch`: a unified diff that `git apply` takes, touching only the lines it must,
and `--write`: the same edited files in a folder that checks clean."""

from __future__ import annotations

import shutil
import subprocess  # noqa: TID251 (tests run git apply on the patch)
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings

from bench.synth import write_model
from segverify import api
from segverify.fix.apply import apply_changes
from segverify.fix.patch import Patcher
from segverify.fix.search import FixOptions, find_fix
from segverify.model.ir import Model
from segverify.model.load import load_model
from tests.fix.test_fix_brute import small_cases
from tests.strategies import examples
from tests.test_cli_check import run

ROOT = Path(__file__).resolve().parent.parent.parent
FLAWED = ROOT / "examples" / "remote-access-vendor" / "flawed"
PACKS = ["policies/three-plane.yaml", "policies/baseline.yaml"]


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


@pytest.fixture()
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A git work tree holding a copy of the flawed example and the packs, as the cwd."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    shutil.copytree(FLAWED, tmp_path / "flawed")
    for pack in PACKS:
        (tmp_path / pack).parent.mkdir(exist_ok=True)
        shutil.copy(ROOT / pack, tmp_path / pack)
    shutil.copy(ROOT / "docs" / "fix-costs.yaml", tmp_path / "costs.yaml")
    shutil.copy(ROOT / "docs" / "fix-business-flows.yaml", tmp_path / "business-flows.yaml")
    git(tmp_path, "init", "-q")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_patch_applies_with_git_and_the_result_checks_clean(repo: Path) -> None:
    # With the backup flow stated, prod-backup-to-db is narrowed (as in `segregated`), not deleted.
    args = [
        "fix",
        "flawed",
        "-p",
        PACKS[0],
        "-p",
        PACKS[1],
        "-p",
        "business-flows.yaml",
        "--costs",
        "costs.yaml",
    ]
    code, diff, err = run(*args, "-f", "patch", "--write", "written")
    assert code == 0 and "optimal (lower bound = 37)" in err
    assert "+    to: [prod-db-01, prod-db-02]   # FLAW F3\n" in diff
    assert diff.startswith("--- a/flawed/")
    before = {p.name: p.read_text() for p in (repo / "flawed").glob("*.yaml")}
    (repo / "fix.patch").write_text(diff)
    git(repo, "apply", "--check", "fix.patch")
    git(repo, "apply", "fix.patch")
    after = {p.name: p.read_text() for p in (repo / "flawed").glob("*.yaml")}
    # Only the lines a change names move; comments elsewhere stay as written.
    assert after["zones.yaml"] == before["zones.yaml"]
    assert "# FLAW F7" not in after["flows.yaml"] and "# FLAW F1" in after["accounts.yaml"]
    assert "    manages: [corp-it]   # FLAW F5\n" in after["hosts-corp.yaml"]
    report = api.check(load_model(["flawed"], [*PACKS, "business-flows.yaml"]))
    assert {r.status.value for r in report.results} == {"proved"}
    # --write holds the same edited files, plus the packs.
    for name, text in after.items():
        assert (repo / "written" / name).read_text() == text
    assert (repo / "written" / "baseline.yaml").exists()
    written = api.check(load_model(["written"]))
    assert {r.status.value for r in written.results} == {"proved"} and len(written.results) == 23


@pytest.mark.slow
def test_patch_of_inserted_denies(repo: Path, tmp_path: Path) -> None:
    costs = tmp_path / "deny.yaml"
    costs.write_text("kinds: {insert_deny: 1, remove_member: never, patch_service: never}\n")
    code, diff, _ = run("fix", "flawed", "-p", PACKS[1], "--costs", str(costs), "-f", "patch")
    assert code == 0
    assert "+  - name: fix-deny-" in diff and "+    action: deny\n" in diff
    (repo / "fix.patch").write_text(diff)
    git(repo, "apply", "fix.patch")
    report = api.check(load_model(["flawed"], [PACKS[1]]))
    assert {r.status.value for r in report.results} == {"proved"}


@settings(max_examples=examples(5), deadline=None, suppress_health_check=list(HealthCheck))
@given(small_cases())
def test_patched_text_loads_to_the_changed_model(
    tmp_path_factory: pytest.TempPathFactory, model: Model
) -> None:
    """Random models written as YAML, fixed, patched as text: the edited files load, and every
    policy holds on them, as on the model the changes build in memory."""
    folder = tmp_path_factory.mktemp("m")
    write_model(model, str(folder))
    loaded = load_model([str(folder)])
    result = find_fix(loaded, FixOptions())
    assume(result.fixes)
    for name, text in Patcher(loaded).apply(result.fixes[0].changes).items():
        Path(name).write_text(text)
    patched = load_model([str(folder)])
    assert {r.status.value for r in api.check(patched).results} <= {"proved", "waived"}
    assert [f.name for f in patched.flows] == [
        f.name for f in apply_changes(loaded, result.fixes[0].changes).flows
    ]
