"""The kind registry (segverify/kinds/): every kind is whole, and every piece of its record works.

A record that misses a piece cannot be instantiated (abstract methods; mypy says so too); a kind
named in the IR but not registered, or registered without a spec, fails here. Each record's
analysis (Z3) and reference (plain Python) must agree on a proved and a violated policy of the
kind, and each must accept its own witness and certificate and refuse another kind's.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import get_args

import pytest

from segverify import api
from segverify.encode.solve import Budget
from segverify.kinds import KINDS, PolicyKindRecord
from segverify.kinds.isolated import Isolated
from segverify.model.ir import Model, Policy, PolicyKind, PolicySpec
from segverify.model.load import load_model_texts
from segverify.model.schema import json_schema
from segverify.results import Status
from segverify.semantics.context import Semantics
from segverify.semantics.policies import certificate_for, evaluate

KINDS_DIR = Path(__file__).parent.parent / "segverify" / "kinds"
QUICKSTART = Path(__file__).parent.parent / "examples" / "quickstart" / "model.yaml"

# One proved (-P) and one violated (-V) policy of every kind, on the quickstart model.
POLICIES = """
policies:
  - {id: isolated-P, isolated: {from: internet, to: directory}}
  - {id: isolated-V, isolated: {from: office, to: web}}
  - {id: only_via-P, only_via: {from: internet, to: db, via: [web]}}
  - {id: only_via-V, only_via: {from: office, to: shop, via: [jump]}}
  - {id: reachable-P, reachable: {from: office, to: jump, services: [ssh]}}
  - {id: reachable-V, reachable: {from: office, to: db, services: [postgres]}}
  - {id: no_flow-P, no_flow: {from: internet, to: db}}
  - {id: no_flow-V, no_flow: {from: internet, to: shop}}
  - {id: matrix-P, matrix: {zones: [office, shop], allow: {"office -> shop": [ssh, https]}}}
  - {id: matrix-V, matrix: {zones: [internet, shop]}}
  - {id: separate_accounts-P, separate_accounts: {zones: [internet, shop]}}
  - {id: separate_accounts-V, separate_accounts: {zones: [office, shop]}}
  - {id: blast_radius-P, blast_radius: {from: internet, max_hosts: 100}}
  - {id: blast_radius-V, blast_radius: {from: internet, max_hosts: 0}}
"""


@pytest.fixture(scope="module")
def model() -> Model:
    text = QUICKSTART.read_text(encoding="utf-8").split("\npolicies:")[0]
    return load_model_texts([("model.yaml", text + "\n" + POLICIES)])


def _policy(model: Model, ident: str) -> Policy:
    return next(p for p in model.policies if p.id == ident)


def test_every_kind_of_the_ir_is_registered_under_its_name() -> None:
    assert set(KINDS) == set(get_args(PolicyKind))
    for name, record in KINDS.items():
        assert isinstance(record, PolicyKindRecord)
        assert record.name == name
        assert record.meaning and record.fix and record.fields


def test_every_spec_of_the_ir_is_built_by_its_kind(model: Model) -> None:
    built = {p.kind: type(p.spec) for p in model.policies}
    assert set(built) == set(KINDS)  # this test covers every kind
    assert set(built.values()) == set(get_args(PolicySpec))
    assert len(set(built.values())) == len(KINDS)  # one spec per kind


def test_the_schema_lists_the_kinds_in_registry_order() -> None:
    policy = json_schema()["properties"]["policies"]["items"]
    assert [next(iter(alt["required"])) for alt in policy["oneOf"]] == list(KINDS)
    for name, record in KINDS.items():
        assert set(policy["properties"][name]["properties"]) == {f.name for f in record.fields}


def test_a_record_missing_a_piece_cannot_be_made() -> None:
    class Partial(PolicyKindRecord):  # no fields, meaning, fix, build, analysis, checks
        name: PolicyKind = "isolated"

    with pytest.raises(TypeError, match="abstract"):
        Partial()  # type: ignore[abstract]


@pytest.mark.parametrize("ident", [f"{k}-{v}" for k in get_args(PolicyKind) for v in "PV"])
def test_analysis_and_reference_agree_and_check_each_other(model: Model, ident: str) -> None:
    policy = _policy(model, ident)
    record = KINDS[policy.kind]
    want = Status.PROVED if ident.endswith("-P") else Status.VIOLATED
    verdict = record.analysis()(api.new_context(model, Budget(seed=0)), policy)
    sem = Semantics(model)
    status, witness = record.reference(sem, policy)
    assert (verdict.status, status) == (want, want)
    api.self_check(model, policy, verdict, certificates=True)  # the engine's answer checks
    assert evaluate(model, policy, sem) == (status, witness)
    if want == Status.PROVED:
        cert = record.certificate(sem, policy)
        assert cert == certificate_for(model, policy, sem)
        assert record.certificate_errors(sem, policy, cert) == []
        assert record.witness_errors(sem, policy, cert) is None  # type: ignore[arg-type]
    else:
        assert witness is not None
        assert record.witness_errors(sem, policy, witness) == []
        assert record.certificate_errors(sem, policy, witness) is None  # type: ignore[arg-type]
        with pytest.raises(ValueError, match="violated"):
            record.certificate(sem, policy)


def test_a_kind_refuses_another_kinds_witness(model: Model) -> None:
    sem = Semantics(model)
    _, witness = KINDS["matrix"].reference(sem, _policy(model, "matrix-V"))
    assert witness is not None
    assert Isolated().witness_errors(sem, _policy(model, "isolated-V"), witness) is None


def _module_level_imports(tree: ast.Module) -> set[str]:
    """Imports run when the module is imported: not those in functions or under TYPE_CHECKING."""
    found: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            continue
        for sub in ast.walk(node):
            if isinstance(sub, ast.FunctionDef | ast.AsyncFunctionDef):
                break
            if isinstance(sub, ast.ImportFrom) and sub.module:
                found.add(sub.module)
            elif isinstance(sub, ast.Import):
                found |= {a.name for a in sub.names}
    return found


def test_kinds_import_only_the_models_leaves_when_loaded() -> None:
    """model/fields.py and model/build_policies.py import the registry, so a kind may load only the
    model's leaf modules; analyses/, semantics/ and results are imported inside its methods."""
    allowed = {"segverify.model.ir", "segverify.model.shapes"}
    for path in sorted(KINDS_DIR.glob("*.py")):
        imported = _module_level_imports(ast.parse(path.read_text(encoding="utf-8")))
        ours = {m for m in imported if m.startswith("segverify.")}
        assert {m for m in ours if not m.startswith("segverify.kinds")} <= allowed, path.name
