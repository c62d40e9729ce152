"""The one-pass path for plain YAML documents gives what the general path gives, and is taken.

parse_yaml reads a plain document (one document; no anchors, aliases, tags or duplicate keys) in one
pass over the events and leaves everything else to the general path. These tests hold the two paths
to the same answer, tree or diagnostics, and check that plain files do take the one pass.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from segverify.errors import ModelError
from segverify.model import yamlio
from segverify.model.yamlio import YMap, YNode, general_tree, parse_yaml, plain_tree

ROOT = Path(__file__).resolve().parents[2]
PATTERNS = ("examples/**/*.yaml", "tests/cases/**/*.yaml", "policies/*.yaml", "tests/model/invalid/*.yaml")
REPO_YAML = sorted(p for pattern in PATTERNS for p in ROOT.glob(pattern))
PLAIN = "segverify: 1\nzones: {a: {networks: [10.0.0.0/8]}}\nhosts: {h: {zone: a, address: 10.0.0.1}}\n"


def outcome(text: str, general: bool, loader: yamlio.Loader) -> str:
    """The tree (spans included) or the diagnostics, as text, from one path."""
    try:
        return repr((general_tree if general else parse_yaml)(text, "t.yaml", loader))
    except ModelError as exc:
        return "error " + repr(exc.diagnostics)


def both_paths_agree(text: str) -> None:
    for loader in (yamlio.LOADER, yaml.SafeLoader):
        assert outcome(text, False, loader) == outcome(text, True, loader), (loader, text)


def test_repository_files_are_plain_and_read_alike() -> None:
    assert len(REPO_YAML) > 50
    plain = 0
    for path in REPO_YAML:
        text = path.read_bytes().decode("utf-8", "replace")
        both_paths_agree(text)
        plain += plain_tree(text, str(path)) is not None
    assert plain > 40  # the examples and cases are plain; most invalid files are not


class CountingLoader(yamlio.LOADER):  # type: ignore[misc, valid-type]
    made = 0

    def __init__(self, stream: Any) -> None:
        CountingLoader.made += 1
        super().__init__(stream)


@pytest.mark.parametrize(
    ("text", "passes"),
    [
        (PLAIN, 1),
        ("a: &x [1]\nb: *x\n", 3),  # aliases: the one pass gives up, then depth check and compose
        ("a: 1\na: 2\n", 3),  # a duplicate key is reported by the general path
        ("a: !!str 1\n", 3),
    ],
)
def test_plain_documents_are_parsed_once(text: str, passes: int) -> None:
    CountingLoader.made = 0
    try:
        parse_yaml(text, "t.yaml", CountingLoader)
    except ModelError:
        pass
    assert CountingLoader.made == passes


def test_plain_scalars_are_typed_as_the_composer_types_them() -> None:
    text = "a: [x, '1', 1, 1.5, .nan, true, yes, ~, '', 2027-03-31, 2027-13-45, 0x1F, =, tcp/22, 10.0.0.1]\n"
    tree = parse_yaml(text, "t.yaml")
    assert isinstance(tree, YMap) and plain_tree(text, "t.yaml") is not None
    both_paths_agree(text)


@pytest.mark.parametrize("extra", [-1, 0, 1])
def test_limits_are_the_general_paths(monkeypatch: pytest.MonkeyPatch, extra: int) -> None:
    depth = yamlio.MAX_DEPTH + extra
    both_paths_agree("[" * depth + "]" * depth)
    monkeypatch.setattr(yamlio, "MAX_NODES", 20)
    both_paths_agree("[" + ", ".join(["a"] * (19 + extra)) + "]")
    both_paths_agree("a: {" + ", ".join(f"k{i}: v" for i in range(9 + extra)) + "}")


# ---- random documents -----------------------------------------------------------------------------

SCALARS = [
    "a", "b", "k", "x y", "1", "01", "1.5", ".nan", "-.inf", "true", "Yes", "no", "~", "null", "''", "'q'",
    '"d\\tq"', "2027-03-31", "2027-13-45", "2027-03-31 10:00:00", "0x1F", "0o17", "1_000", "<<", "=",
    "tcp/22", "10.0.0.1", "fe80::1%eth0", "!!str 1", "!!int '7'", "!!binary aGk=", "!foo x", "! x",
    "&a v", "*a", "&b [1]", "*b", "*c", "|\n  text",
]  # fmt: skip
KEYS = ["a", "b", "k", "1", "true", "'a'", "~", "[1]", "{k: v}", "&c k", "*c", "? x"]


def flow_seq(items: list[str]) -> str:
    return "[" + ", ".join(items) + "]"


def flow_map(pairs: list[tuple[str, str]]) -> str:
    return "{" + ", ".join(f"{k}: {v}" for k, v in pairs) + "}"


values = st.recursive(
    st.sampled_from(SCALARS),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4).map(flow_seq),
        st.lists(st.tuples(st.sampled_from(KEYS), inner), max_size=4).map(flow_map),
    ),
    max_leaves=12,
)


@st.composite
def documents(draw: st.DrawFn) -> str:
    lines = []
    for key, value in draw(st.lists(st.tuples(st.sampled_from(KEYS), values), min_size=1, max_size=6)):
        style = draw(st.integers(0, 3))
        if style == 0 and value.startswith("["):  # the same list as a block sequence
            lines.append(f"{key}:")
            lines.extend(f"  - {item}" for item in value[1:-1].split(", ") if item)
        else:
            lines.append(f"{key}: {value}")
    if draw(st.integers(0, 9)) == 0:
        lines.insert(draw(st.integers(0, len(lines))), draw(st.sampled_from(["---", "...", "- x", "  b: 1"])))
    return "\n".join(lines) + "\n"


@settings(max_examples=300, deadline=None)
@given(documents())
def test_random_documents_read_alike(text: str) -> None:
    both_paths_agree(text)


def test_the_one_pass_hands_over_only_its_own_refusals() -> None:
    """Not plain (an alias) and a parser error give None; a plain document gives its tree."""
    assert plain_tree("a: &x [1]\nb: *x\n", "t.yaml") is None
    assert plain_tree("a: [1, 2\n", "t.yaml") is None
    assert plain_tree('a: "bell \x07"\n', "t.yaml") is None
    assert plain_tree(PLAIN, "t.yaml") == general_tree(PLAIN, "t.yaml")


STREAMS = [
    "a: 1\n---\nb: [1, 2]\n",
    "---\n---\nkind: Pod\n",
    "a: &x 1\n---\nb: *x\n",  # an alias: the general path
    "a: 1\na: 2\n---\nb: 1\n",  # a duplicate key: the general path reports it
    "a: [unclosed\n---\nb: 1\n",
    "",
]


def stream_outcome(read: Callable[[str, str], list[YNode] | None], text: str) -> str:
    try:
        return repr(read(text, "t.yaml"))
    except ModelError as exc:
        return "error " + repr(exc.diagnostics)


@pytest.mark.parametrize(
    "text",
    STREAMS
    + [p.read_text(encoding="utf-8") for p in sorted(ROOT.glob("examples/k8s-app/manifests/**/*.yml"))],
)
def test_stream_paths_agree(text: str) -> None:
    """A plain stream reads alike on both paths; one that is not plain goes to the general path."""
    plain = yamlio.plain_stream(text, "t.yaml")
    general = stream_outcome(yamlio.general_stream, text)
    assert plain is None or repr(plain) == general
    assert stream_outcome(yamlio.parse_yaml_stream, text) == general
