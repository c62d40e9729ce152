"""The `layers:` examples of docs/model-format.md and docs/tutorial.md load, and mean what the pages say.

test_docs_console runs the pages' console examples (their output is the golden); this file makes
sure every YAML block about layers is a model segverify reads, fragments included: a fragment is
loaded together with the page's complete example, whose own `layers:` it stands in for.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from segverify.model.load import load_model_texts
from segverify.results import layer_default_ref

DOCS = Path(__file__).resolve().parent.parent / "docs"
BLOCK = re.compile(r"(?:<!-- file: (?P<file>[^ ]+) -->\n)?```(?P<lang>\w+)\n(?P<body>.*?)```", re.S)


def section(page: str, title: str) -> str:
    text = (DOCS / page).read_text(encoding="utf-8")
    start = text.index(f"## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end >= 0 else len(text)]


def yaml_blocks(text: str) -> list[tuple[str, str | None]]:
    return [(m["body"], m["file"]) for m in BLOCK.finditer(text) if m["lang"] == "yaml"]


def without_layers(model: str) -> str:
    """The model with its `layers:` section (up to the next top-level key) left out."""
    return re.sub(r"(?ms)^layers:\n.*?(?=^\S)", "", model)


def test_model_format_layers_examples_load() -> None:
    blocks = yaml_blocks(section("model-format.md", "Enforcement layers"))
    complete = [body for body, name in blocks if name == "layered.yaml"]
    fragments = [body for body, name in blocks if name is None]
    assert len(complete) == 1 and fragments, "the section lost its examples"
    model = load_model_texts([("layered.yaml", complete[0])])
    assert [layer.name for layer in model.layers] == ["host-fw"]
    assert model.layers[0].applies_to is not None and model.layers[0].applies_from is None
    network = without_layers(complete[0])
    assert "layers:" not in network
    for fragment in fragments:
        files = [("network.yaml", network), ("fragment.yaml", "segverify: 1\n" + fragment)]
        layered = load_model_texts(files)
        assert layered.layers, fragment


def test_tutorial_host_firewall_loads_with_the_tutorials_model() -> None:
    page = (DOCS / "tutorial.md").read_text(encoding="utf-8")
    files: dict[str, str] = {}
    for body, name in yaml_blocks(page):
        if name:
            files[name] = body  # a later block of the same name replaces the earlier file
    assert "## 6. Add a host firewall" in page
    model = load_model_texts([(n, files[n]) for n in ("net.yaml", "db-fw.yaml", "packets.yaml")])
    (layer,) = model.layers
    assert (layer.name, layer.intra_zone, layer.inter_zone) == ("db-fw", "deny", "deny")
    assert [f.name for f in layer.flows] == ["db-postgres-from-web"]
    assert {p.id for p in model.policies} == {"T-005", "T-006", "T-007"}


@pytest.mark.parametrize("page", ["model-format.md", "tutorial.md"])
def test_the_layer_default_naming_the_pages_promise_is_what_reports_cite(page: str) -> None:
    text = (DOCS / page).read_text(encoding="utf-8")
    assert "default:inter_zone@LAYER" in text
    assert layer_default_ref("host-fw", "deny", False).name == "default:inter_zone@host-fw"
    assert layer_default_ref("host-fw", "allow", True).name == "default:intra_zone@host-fw"
