"""Explain on hand-written models: what each control blocks, single points of failure, the margin."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner  # noqa: TID251 (tests drive the CLI)

from segverify.cli import app
from segverify.explain.explain import explain
from segverify.model.controls import Control, controls_of, without
from segverify.model.ir import Defaults, IsolatedSpec, Model
from segverify.results import PathWitness, Status
from segverify.semantics.policies import evaluate
from tests.strategies import account, flow, footholds, host, make_model, policy, refs, zone

ROOT = Path(__file__).resolve().parents[2]
MFA = Control("mfa", "ops")
DENY_DB = Control("deny-rule", "corp-to-db", index=0)
PROD_INTRA = Control("default", "default:intra_zone", source="prod", destination="prod")


def jump_model(intra: str) -> Model:
    """A laptop holds an MFA operator's session; the jump host is open to it, the database not."""
    return make_model(
        [zone("corp", "10.0.0.0/28"), zone("prod", "10.1.0.0/28")],
        [
            host("laptop", "corp", "10.0.0.1", services=["ssh"], sessions=["ops"]),
            host("jump", "prod", "10.1.0.1", services=["ssh"], logins=["ops"]),
            host("db", "prod", "10.1.0.2", services=["ssh"], logins=["ops"]),
        ],
        [account("ops", mfa=True)],
        [flow("corp-to-db", "corp", "db", "ssh", "deny"), flow("corp-to-jump", "corp", "jump", "ssh")],
        Defaults(intra_zone=intra, inter_zone="deny"),  # type: ignore[arg-type]
    )


POLICY = policy(IsolatedSpec(footholds("laptop"), refs("db")), "JUMP-1")


def test_controls_are_deny_rules_default_pairs_and_mfa() -> None:
    assert controls_of(jump_model("deny")) == (
        DENY_DB,
        Control("default", "default:inter_zone", source="corp", destination="prod"),
        Control("default", "default:inter_zone", source="prod", destination="corp"),
        Control("default", "default:intra_zone", source="corp", destination="corp"),
        PROD_INTRA,
        MFA,
    )
    assert controls_of(jump_model("allow"))[-1] == MFA


def test_failing_controls_transforms_the_model_only() -> None:
    model = jump_model("deny")
    variant = without(model, [DENY_DB, MFA, PROD_INTRA]).model
    assert [f.name for f in variant.flows] == ["corp-to-jump", "failed default:intra_zone prod -> prod"]
    assert [f.index for f in variant.flows] == [0, 1]
    assert not variant.principals["ops"].mfa and model.principals["ops"].mfa
    assert len(model.flows) == 2


def test_mfa_alone_is_a_single_point_of_failure() -> None:
    e = explain(jump_model("allow"), POLICY)
    assert e.result.status == Status.PROVED
    assert [c for c, _ in e.load_bearing] == [MFA]
    assert {b.to for b in e.load_bearing[0][1]} == {"jump", "db"}
    assert [p.control for p in e.single_points] == [MFA]
    witness = e.single_points[0].witness
    assert isinstance(witness, PathWitness) and witness.target == "db"
    assert e.margin is not None and (e.margin.status, e.margin.size) == ("exact", 1)


def test_margin_two_rests_on_a_control_the_proof_does_not_cite() -> None:
    model = jump_model("deny")
    e = explain(model, POLICY)
    assert [c for c, _ in e.load_bearing] == [MFA] and not e.single_points
    margin = e.margin
    assert margin is not None and (margin.status, margin.size) == ("exact", 2)
    assert MFA in margin.controls
    assert evaluate(without(model, margin.controls).model, POLICY)[0] == Status.VIOLATED
    # Every core (the controls a proved re-check cites) is hit by the minimum set.
    assert all(set(core.controls) & set(margin.controls) for core in margin.cores)


def test_unbreakable_when_no_credential_opens_the_target() -> None:
    model = jump_model("allow")
    spec = IsolatedSpec(footholds("jump"), refs("laptop"))  # nobody may log in on the laptop
    e = explain(model, policy(spec, "JUMP-2"))
    assert e.margin is not None and e.margin.status == "unbreakable"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(autouse=True)
def _at_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


FLAGSHIP = "examples/remote-access-vendor"


def test_cli_explains_the_flagship_in_text_and_json() -> None:
    code, out, _ = run("explain", f"{FLAGSHIP}/flawed", "--policy-id", "RAV-005")
    assert code == 0
    assert "single points of failure: 2" in out and "default:intra_zone deny corp-it -> corp-it" in out
    code, out, _ = run("explain", f"{FLAGSHIP}/segregated", "--policy-id", "RAV-005", "-f", "json")
    assert code == 0
    (found,) = json.loads(out)["explanations"]
    assert found["margin"]["status"] == "exact" and found["margin"]["size"] == 2
    assert "hitting sets" in found["margin"]["proof"]
    assert found["single_points_of_failure"] == []


def test_cli_exit_codes() -> None:
    assert run("explain", f"{FLAGSHIP}/flawed", "--policy-id", "RAV-001")[0] == 1  # violated
    code, _, err = run("explain", f"{FLAGSHIP}/flawed", "--policy-id", "RAV-004")
    assert code == 2 and "separate_accounts" in err
    assert run("explain", f"{FLAGSHIP}/flawed", "--policy-id", "NOPE")[0] == 2
    assert run("explain", f"{FLAGSHIP}/segregated", "--policy-id", "RAV-005", "--rlimit", "1")[0] == 3


def test_check_explain_adds_the_explanation_to_proved_attack_policies_only() -> None:
    code, out, _ = run("check", f"{FLAGSHIP}/segregated", "--explain", "-f", "json")
    assert code == 0
    results = {r["id"]: r for r in json.loads(out)["results"]}
    assert results["RAV-005"]["explanation"]["margin"]["size"] == 2
    assert "explanation" not in results["RAV-004"]  # separate_accounts: nothing to explain
    code, out, _ = run("check", f"{FLAGSHIP}/segregated", "--explain")
    assert "margin: 2 controls must fail together" in out
    code, out, _ = run("check", f"{FLAGSHIP}/segregated", "--explain", "-f", "sarif")
    (summary,) = [x for x in json.loads(out)["runs"][0]["properties"]["explanations"] if x["id"] == "RAV-005"]
    assert summary["margin"]["size"] == 2 and summary["single_points_of_failure"] == []
    code, out, _ = run("check", f"{FLAGSHIP}/segregated", "-f", "json")
    assert "explanation" not in out


def test_resilient_breach_names_the_stolen_account_and_its_path(tmp_path: Path) -> None:
    pack = tmp_path / "pack.yaml"
    pack.write_text(
        "segverify: 1\npolicies:\n  - id: R-1\n"
        '    isolated: {from: "tag:internet", to: "tag:production", resilient: {accounts: 1}}\n'
    )
    code, out, _ = run("check", f"{FLAGSHIP}/flawed", "-p", str(pack), "-f", "json")
    (result,) = [r for r in json.loads(out)["results"] if r["id"] == "R-1"]
    assert code == 1 and result["status"] == "violated"
    assert result["witness"]["resilience"]["account"] == "alice"
    assert result["witness"]["resilience"]["places"] == ["corp-it", "internet"]
    assert result["witness"]["target"] and result["witness"]["path"]
    code, _, _ = run("check", f"{FLAGSHIP}/segregated", "-p", str(pack))
    assert code == 0


def test_the_lower_bound_is_confirmed_without_z3() -> None:
    from segverify.explain.margin import Core, no_hitting_set

    a, b, c = (Control("mfa", n) for n in "abc")
    triangle = [Core((), (a, b)), Core((a,), (b, c)), Core((b,), (a, c))]
    assert no_hitting_set(triangle, 1) is True  # each single control misses the opposite core
    assert no_hitting_set(triangle, 2) is False  # {a, b} meets all three
    assert no_hitting_set([Core((), ())], 5) is True  # an empty core: nothing meets it
