"""The JUnit XSD of tests/ci/junit.xsd, read with ElementTree: a hand check when no XSD library is installed.

It reads the attribute and nesting rules from the XSD itself, so the check and the schema cannot drift.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

XSD = Path(__file__).with_name("junit.xsd")
XS = "{http://www.w3.org/2001/XMLSchema}"
Schema = dict[str, tuple[set[str], set[str], list[str]]]  # element -> (attributes, required, children)


def xsd_elements() -> Schema:
    """element name -> (allowed attributes, required attributes, allowed child elements)."""
    tree = ET.parse(XSD).getroot()
    types = {t.get("name"): t for t in tree.iter(f"{XS}complexType") if t.get("name")}
    out: Schema = {}
    for element in tree.iter(f"{XS}element"):
        name = element.get("name")
        if name is None:
            continue
        body = element.find(f"{XS}complexType")
        if body is None and element.get("type") in types:
            body = types[element.get("type")]
        attrs = body.findall(f"{XS}attribute") if body is not None else []
        children = (
            [c.get("name") or c.get("ref") for c in body.iter(f"{XS}element")] if body is not None else []
        )
        out[name] = (
            {a.get("name", "") for a in attrs},
            {a.get("name", "") for a in attrs if a.get("use") == "required"},
            [c for c in children if c],
        )
    return out


def structural_errors(element: ET.Element, schema: Schema) -> list[str]:
    """The XSD's attribute and nesting rules, checked by hand (no XSD library installed)."""
    allowed, required, children = schema[element.tag]
    errors = [f"{element.tag}: unexpected attribute {a}" for a in set(element.attrib) - allowed]
    errors += [f"{element.tag}: missing attribute {a}" for a in required - set(element.attrib)]
    for child in element:
        if child.tag not in children:
            errors.append(f"{element.tag}: unexpected child {child.tag}")
        else:
            errors += structural_errors(child, schema)
    if (
        element.tag == "testcase"
        and len([c for c in element if c.tag in ("failure", "error", "skipped")]) > 1
    ):
        errors.append(f"testcase {element.get('name')}: more than one outcome")
    return errors
