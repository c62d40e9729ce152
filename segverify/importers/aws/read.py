"""AWS importer: describe-* JSON files to an Inventory, every object located at file:line:column.

JSON is read twice: the standard library says whether it is JSON at all (its errors carry line and
column), then the located YAML reader (JSON is YAML's flow style) gives every value its span.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator, Sequence

from segverify.diagnostics import Diagnostic, Span
from segverify.errors import ModelError
from segverify.importers.aws import objects
from segverify.importers.aws.inventory import Inventory
from segverify.model.yamlio import MAX_FILE_BYTES, YMap, YNode, YSeq, parse_yaml

# The top-level keys of the describe-* outputs read, and the parser of one item of each.
SECTIONS: dict[str, Callable[[objects.Reader, YMap, Inventory], None]] = {
    "Vpcs": objects.add_vpc,
    "Subnets": objects.add_subnet,
    "NetworkInterfaces": objects.add_interface,
    "SecurityGroups": objects.add_group,
    "NetworkAcls": objects.add_acl,
    "InternetGateways": objects.add_gateway,
}


def json_files(paths: Sequence[str], diags: list[Diagnostic]) -> list[str]:
    """Files as given; folders recursively (their *.json files, sorted)."""
    out: list[str] = []
    for path in paths:
        if os.path.isdir(path):
            for root, dirs, names in os.walk(path):
                dirs.sort()
                out.extend(os.path.join(root, n) for n in sorted(names) if n.lower().endswith(".json"))
        elif os.path.isfile(path):
            out.append(path)
        else:
            diags.append(Diagnostic("file-not-found", f"'{path}' does not exist", Span(path, 1, 1)))
    return out


def parse_json(path: str) -> YNode:
    """One file as a located tree; ModelError (file:line:column) when it is not JSON."""
    start = Span(path, 1, 1)
    if os.path.getsize(path) > MAX_FILE_BYTES * 16:
        raise ModelError([Diagnostic("file-too-large", "the file is larger than 64 MiB", start)])
    try:
        with open(path, encoding="utf-8-sig") as fh:
            text = fh.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise ModelError([Diagnostic("bad-encoding", f"cannot read '{path}': {exc}", start)]) from None
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        span = Span(path, exc.lineno, exc.colno)
        raise ModelError([Diagnostic("json-syntax", f"not JSON: {exc.msg}", span)]) from None
    # Valid JSON holds tabs only as whitespace between tokens, which YAML's flow style refuses.
    return parse_yaml(text.replace("\t", " "), path)


def _sections(tree: YNode, path: str, reader: objects.Reader) -> Iterator[tuple[str, YMap]]:
    if not isinstance(tree, YMap):
        reader.problem("aws-shape", "expected a describe-* output (a JSON object)", tree.span)
        return
    known = [k for k in tree.keys() if k in SECTIONS]
    if not known:
        hint = "expected one of " + ", ".join(sorted(SECTIONS))
        reader.problem("aws-shape", f"no describe-* section in '{path}'", tree.span, hint)
    for key in known:
        items = tree.get(key)
        if not isinstance(items, YSeq):
            reader.problem("aws-shape", f"'{key}' must be a list", tree.key_span(key))
            continue
        for item in items.items:
            if isinstance(item, YMap):
                yield key, item
            else:
                reader.problem("aws-shape", f"an item of '{key}' must be an object", item.span)


def read_inventory(paths: Sequence[str]) -> tuple[Inventory, objects.Reader]:
    """Every object of every file; raises one ModelError with every problem found."""
    diags: list[Diagnostic] = []
    reader = objects.Reader(diags)
    inventory = Inventory()
    for path in json_files(paths, diags):
        try:
            tree = parse_json(path)
        except ModelError as exc:
            diags.extend(exc.diagnostics)
            continue
        for key, item in _sections(tree, path, reader):
            SECTIONS[key](reader, item, inventory)
    if diags:
        raise ModelError(diags)
    return inventory, reader
