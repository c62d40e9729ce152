"""AWS importer: `segverify import aws` as one function, paths in, model text and warnings out."""

from __future__ import annotations

from collections.abc import Sequence

from segverify.errors import InternalError, ModelError
from segverify.importers.aws.document import Document
from segverify.importers.aws.emit import render_document
from segverify.importers.aws.inventory import Warning
from segverify.importers.aws.layers import build_layers
from segverify.importers.aws.network import build_hosts, build_zones, check_overlaps
from segverify.importers.aws.read import read_inventory
from segverify.model.load import load_model_texts

MODEL_FILE = "aws.yaml"


def import_aws(paths: Sequence[str]) -> tuple[str, tuple[Warning, ...]]:
    """The model file's text and every warning, sorted; ModelError (exit 2) on bad input."""
    inventory, reader = read_inventory(paths)
    check_overlaps(reader, inventory)
    doc = Document(zones=build_zones(inventory), hosts=build_hosts(reader, inventory))
    doc.layers = build_layers(reader, inventory, doc.hosts)
    if reader.diags:
        raise ModelError(reader.diags)
    warnings = sorted(set(reader.warnings), key=lambda w: (w.span, w.code, w.message))
    return render_document(doc), tuple(warnings)


def check_written(text: str, path: str) -> None:
    """Load the model about to be written, as every command will: an importer bug, never a bad file."""
    try:
        load_model_texts([(path, text)])
    except ModelError as exc:
        raise InternalError(f"the imported model does not load: {exc}") from None
