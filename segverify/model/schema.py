"""Model stage: the draft-07 JSON Schema of model files, generated from the field table (fields.py)."""

from __future__ import annotations

from typing import Any

from segverify.model.fields import FILE, FOOTHOLD
from segverify.model.shapes import MATRIX_ARROW, Field, Shape

JSON = dict[str, Any]

DRAFT_07 = "http://json-schema.org/draft-07/schema#"
STRING: JSON = {"type": "string", "minLength": 1}
STRINGS: JSON = {"anyOf": [STRING, {"type": "array", "items": STRING}]}
SOME_STRINGS: JSON = {"anyOf": [STRING, {"type": "array", "items": STRING, "minItems": 1}]}
MATRIX_KEY = r"^\s*[^\s]+\s*" + MATRIX_ARROW + r"\s*[^\s]+\s*$"


def json_schema() -> JSON:
    """The schema editors and CI use; unknown keys are errors (`additionalProperties: false`)."""
    root = shape_schema(FILE)
    return {"$schema": DRAFT_07, "title": "segverify model file, format version 1", **root}


def shape_schema(shape: Shape) -> JSON:
    out: JSON = {
        "type": "object",
        "additionalProperties": False,
        "properties": {f.name: field_schema(f) for f in shape.fields},
    }
    required = [f.name for f in shape.fields if f.required]
    if required:
        out["required"] = required
    if shape.one_of:
        out["oneOf"] = [{"required": [name]} for name in shape.one_of]
    return out


def _foothold() -> JSON:
    one = {"anyOf": [STRING, shape_schema(FOOTHOLD)]}
    return {"anyOf": [one, {"type": "array", "items": one, "minItems": 1}]}


def _value_schema(f: Field) -> JSON:
    if f.kind in ("object", "named", "items"):
        assert f.shape is not None
        body = shape_schema(f.shape)
        if f.kind == "named":  # `alice:` with nothing after it is an account with no fields
            return {"type": ["object", "null"], "additionalProperties": {"anyOf": [body, {"type": "null"}]}}
        return body if f.kind == "object" else {"type": ["array", "null"], "items": body}
    simple: dict[str, JSON] = {
        "text": {"type": ["string", "number"]},
        "name": STRING,
        "list": SOME_STRINGS if f.required else STRINGS,  # a required list must not be empty
        "flag": {"type": "boolean"},
        "count": {"type": "integer", "minimum": 0},
        "date": {"type": "string", "format": "date"},
        "choice": {"enum": list(f.choices)},
        "version": {"enum": [1, "1"]},
        "allow": {
            "type": "object",
            "patternProperties": {MATRIX_KEY: STRINGS},
            "additionalProperties": False,
        },
    }
    return _foothold() if f.kind == "footholds" else dict(simple[f.kind])


def field_schema(f: Field) -> JSON:
    return {"description": f.doc, **_value_schema(f)}
