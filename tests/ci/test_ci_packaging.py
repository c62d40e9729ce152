"""The pre-commit hook and the composite GitHub Action: their contract, and the Action's script run."""

from __future__ import annotations

import os
import re
import stat
import subprocess  # noqa: TID251 (runs the Action's bash step as a runner would)
from pathlib import Path
from typing import Any

import pytest
import yaml
from ci_real import ROOT


def load(name: str) -> Any:
    return yaml.safe_load((ROOT / name).read_text(encoding="utf-8"))


def test_pre_commit_hook_checks_the_whole_model_without_rendering() -> None:
    (hook,) = load(".pre-commit-hooks.yaml")
    assert hook["id"] == "segverify" and hook["language"] == "python"
    assert hook["entry"] == "segverify check"
    assert hook["pass_filenames"] is False and hook["require_serial"] is True
    files = re.compile(hook["files"])
    assert files.search("net/zones.yaml") and files.search("a.yml") and not files.search("a.json")
    assert not files.search("notes.yaml.bak")


def action_steps() -> list[dict[str, Any]]:
    action = load("action.yml")
    assert action["runs"]["using"] == "composite"
    steps: list[dict[str, Any]] = action["runs"]["steps"]
    return steps


def test_action_sets_up_python_installs_and_writes_sarif() -> None:
    action = load("action.yml")
    assert action["inputs"]["models"]["required"] is True
    assert {"policies", "sarif", "version", "fail-on", "category"} <= set(action["inputs"])
    assert "exit-code" in action["outputs"]
    steps = action_steps()
    assert steps[0]["uses"].startswith("actions/setup-python@")
    assert "pip install" in steps[1]["run"] and "segverify" in steps[1]["run"]
    # The segverify of the ref the Action is used at, not the newest from PyPI.
    assert steps[1]["env"]["SEGVERIFY_SOURCE"] == "${{ github.action_path }}"
    check = steps[2]["run"]
    assert "segverify check" in check and '--format sarif --output "$SARIF"' in check
    assert "${{" not in check  # inputs arrive through env, never pasted into the script


FAKE = """#!/usr/bin/env bash
printf '%s\\n' "$@" > "$FAKE_ARGS"
if [ "$FAKE_CODE" = 2 ]; then
  echo "net/hosts.yaml:3:5: error[unknown-zone]: 100% no zone 'prod'" >&2
  echo "    hint: the zones: corp" >&2
else
  mkdir -p "$(dirname "$SARIF")" && echo '{}' > "$SARIF"
fi
exit "$FAKE_CODE"
"""


def run_check_step(
    tmp_path: Path, code: int, env: dict[str, str], stdout: list[str] | None = None
) -> tuple[int, dict[str, str], list[str]]:
    """The Action's check step under bash, with a stand-in segverify that exits `code`."""
    fake = tmp_path / "bin" / "segverify"
    fake.parent.mkdir(exist_ok=True)
    fake.write_text(FAKE)
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    outputs = tmp_path / "github_output"
    outputs.write_text("")
    full_env = {
        "PATH": f"{fake.parent}:{os.environ['PATH']}",
        "GITHUB_OUTPUT": str(outputs),
        "FAKE_ARGS": str(tmp_path / "args"),
        "FAKE_CODE": str(code),
        **env,
    }
    # `shell: bash` on a runner is `bash --noprofile --norc -eo pipefail {0}`.
    shell = ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", action_steps()[2]["run"]]
    done = subprocess.run(
        shell, env=full_env, check=False, timeout=60, capture_output=True, text=True, cwd=tmp_path
    )
    if stdout is not None:
        stdout.extend(done.stdout.splitlines())
    values = dict(line.split("=", 1) for line in outputs.read_text().splitlines())
    args = (tmp_path / "args").read_text().splitlines()
    return done.returncode, values, args


INPUTS = {
    "MODELS": "net/ more.yaml",
    "POLICIES": "packs/a.yaml packs/b.yaml",
    "SARIF": "out/seg.sarif",
    "FAIL_ON": "high",
    "CATEGORY": "net",
    "EXTRA_ARGS": "--no-waivers",
}


@pytest.mark.parametrize(("code", "step_fails"), [(0, False), (1, False), (3, False), (2, True)])
def test_action_keeps_going_on_findings_and_stops_on_bad_input(
    tmp_path: Path, code: int, step_fails: bool
) -> None:
    printed: list[str] = []
    rc, outputs, args = run_check_step(tmp_path, code, INPUTS, printed)
    assert (rc != 0) == step_fails
    written = {} if step_fails else {"sarif": "out/seg.sarif"}  # the output only for a written file
    assert outputs == {"exit-code": str(code), **written}
    if step_fails:  # the job fails with segverify's own message, not "policies are violated"
        assert printed == [
            "::error title=segverify failed (exit 2)::net/hosts.yaml:3:5: error[unknown-zone]: "
            "100%25 no zone 'prod'%0A    hint: the zones: corp"
        ]
    assert args == [
        "check",
        "net/",
        "more.yaml",
        "--policy",
        "packs/a.yaml",
        "--policy",
        "packs/b.yaml",
        "--fail-on",
        "high",
        "--category",
        "net",
        "--no-waivers",
        "--format",
        "sarif",
        "--output",
        "out/seg.sarif",
    ]


def test_action_without_optional_inputs(tmp_path: Path) -> None:
    env = {"MODELS": "net/", "POLICIES": "", "SARIF": "segverify.sarif", "FAIL_ON": ""}
    env |= {"CATEGORY": "", "EXTRA_ARGS": ""}
    rc, _, args = run_check_step(tmp_path, 0, env)
    assert rc == 0 and args == ["check", "net/", "--format", "sarif", "--output", "segverify.sarif"]


def test_policy_packs_are_package_data_and_the_repository_links_them() -> None:
    from segverify.model.packs import pack_names

    assert pack_names() == ("baseline", "iec62443-template", "pci-dss", "three-plane")
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert '"packs/*.yaml"' in pyproject  # shipped in the wheel
    for name in pack_names():  # one home: policies/ links to the packaged file
        link = ROOT / "policies" / f"{name}.yaml"
        assert link.resolve() == (ROOT / "segverify" / "packs" / f"{name}.yaml").resolve()
