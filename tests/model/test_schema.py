"""The published JSON Schema is generated from the field table and agrees with the loader."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from segverify.kinds import KINDS
from segverify.model.fields import FILE
from segverify.model.schema import json_schema

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = sorted([*ROOT.glob("examples/**/*.yaml"), *ROOT.glob("policies/*.yaml")])


def as_json(path: Path) -> Any:
    """YAML as an editor's language server sees it: dates are strings."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return json.loads(
        json.dumps(data, default=lambda v: v.isoformat() if isinstance(v, (date, datetime)) else v)
    )


def validator() -> jsonschema.Draft7Validator:
    schema = json_schema()
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)


def test_examples_exist() -> None:
    assert ROOT / "examples/quickstart/model.yaml" in DOCUMENTS


@pytest.mark.parametrize("path", DOCUMENTS, ids=[str(p.relative_to(ROOT)) for p in DOCUMENTS])
def test_schema_accepts_every_example(path: Path) -> None:
    errors = [e.message for e in validator().iter_errors(as_json(path))]
    assert errors == []


def quickstart() -> Any:
    return as_json(ROOT / "examples/quickstart/model.yaml")


@pytest.mark.parametrize(
    "where",
    [
        (),
        ("zones", "office"),
        ("hosts", "laptops"),
        ("flows", 0),
        ("policies", 0),
        ("policies", 0, "isolated"),
    ],
)
def test_schema_rejects_an_unknown_key(where: tuple[Any, ...]) -> None:
    doc = quickstart()
    node = doc
    for step in where:
        node = node[step]
    node["colour"] = "red"
    errors = list(validator().iter_errors(doc))
    assert errors and all("colour" in e.message or e.validator == "oneOf" for e in errors)


def test_schema_rejects_two_policy_kinds_and_bad_choices() -> None:
    doc = quickstart()
    doc["policies"][0]["no_flow"] = {"from": "office", "to": "shop"}
    assert not validator().is_valid(doc)
    doc = quickstart()
    doc["flows"][0]["action"] = "permit"
    assert not validator().is_valid(doc)
    doc = quickstart()
    doc["flows"][0]["services"] = []
    assert not validator().is_valid(doc)
    doc = quickstart()
    del doc["segverify"]
    assert not validator().is_valid(doc)


def test_schema_has_every_field_of_the_table() -> None:
    schema = json_schema()
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    assert set(schema["properties"]) == set(FILE.names())
    policy = schema["properties"]["policies"]["items"]
    assert set(KINDS) <= set(policy["properties"])
    assert len(policy["oneOf"]) == len(KINDS)
