"""Kubernetes importer: manifests in, the model text (and its plan and warnings) out."""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from segverify.importers.k8s.emit import render_plan
from segverify.importers.k8s.names import name_warnings
from segverify.importers.k8s.nodes import Warning_
from segverify.importers.k8s.plan import ModelPlan
from segverify.importers.k8s.read import read_cluster
from segverify.importers.k8s.translate import Translator

if TYPE_CHECKING:  # `import k8s` never loads a model: the loader is imported by load_imported only
    from segverify.model.ir import Model

MODEL_FILE = "cluster.yaml"


@dataclass(frozen=True, slots=True)
class Imported:
    plan: ModelPlan
    text: str
    warnings: tuple[Warning_, ...]


def import_k8s(paths: Sequence[str]) -> Imported:
    """Raises ModelError (file:line:column) on unreadable manifests; everything else is a warning."""
    cluster = read_cluster(paths)
    translator = Translator(cluster)
    plan = translator.plan()
    warnings = cluster.warnings + translator.warnings + name_warnings(cluster.workloads)
    ordered = sorted(warnings, key=lambda w: (w.span.file, w.span.line, w.span.column, w.message))
    return Imported(plan, render_plan(plan), tuple(ordered))


def model_path(folder: Path) -> Path:
    return folder / MODEL_FILE


def load_imported(imported: Imported, policies: Sequence[str]) -> Model:
    """The imported model loaded as the written folder would be (the loader validates it), with
    the policy packs; the text is written to a temporary folder that is removed afterwards."""
    from segverify.model.load import load_model

    with tempfile.TemporaryDirectory(prefix="segverify-k8s-") as folder:
        path = model_path(Path(folder))
        path.write_text(imported.text, encoding="utf-8")
        return load_model([str(path)], list(policies))
