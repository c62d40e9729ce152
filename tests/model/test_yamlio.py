"""Safe, bounded, located YAML: bombs, object tags, sizes, encodings and 1-based spans."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
import yaml

from segverify.diagnostics import Span
from segverify.errors import ModelError
from segverify.model import yamlio
from segverify.model.load import load_model
from segverify.model.yamlio import YMap, YScalar, YSeq, parse_yaml, read_yaml_file


def bomb(levels: int) -> str:
    """The billion-laughs document: 9**levels strings from a few hundred bytes."""
    names = "abcdefghijk"[:levels]
    lines = ["a: &a [" + ",".join(["lol"] * 9) + "]"]
    lines += [f"{n}: &{n} [" + ",".join([f"*{p}"] * 9) + "]" for p, n in zip(names, names[1:], strict=False)]
    return "\n".join(lines) + "\n"


def codes(exc: pytest.ExceptionInfo[ModelError]) -> list[str]:
    return [d.code for d in exc.value.diagnostics]


def test_alias_bomb_is_refused_fast() -> None:
    text = bomb(9)  # 9**9 = 387 million leaves
    assert len(text) < 330
    start = time.perf_counter()
    with pytest.raises(ModelError) as exc:
        parse_yaml(text, "bomb.yaml")
    elapsed = time.perf_counter() - start
    assert codes(exc) == ["yaml-too-large"]
    assert elapsed < 1.0, f"alias bomb took {elapsed:.3f} s"


def test_aliases_below_the_limit_are_expanded_and_shared() -> None:
    tree = parse_yaml(bomb(3), "ok.yaml")  # 729 leaves: fine
    assert isinstance(tree, YMap)
    top = tree.get("c")
    assert isinstance(top, YSeq) and len(top.items) == 9
    assert top.items[0] is top.items[1]  # one converted subtree per anchor, not a copy per alias


def test_python_object_tag_runs_nothing(tmp_path: Path) -> None:
    target = tmp_path / "pwned"
    path = tmp_path / "evil.yaml"
    path.write_text(f'segverify: 1\nzones: !!python/object/apply:os.system ["touch {target}"]\n')
    with pytest.raises(ModelError) as exc:
        load_model([str(path)])
    assert codes(exc) == ["yaml-forbidden-tag"]
    assert exc.value.diagnostics[0].span == Span(str(path), 2, 8)
    assert not target.exists()


@pytest.mark.parametrize(
    "tag", ["!!binary aGk=", "!!set {a, b}", "!!omap [a: 1]", "!!python/name:os.system ''"]
)
def test_non_standard_tags_are_refused(tag: str) -> None:
    with pytest.raises(ModelError) as exc:
        parse_yaml(f"x: {tag}\n", "t.yaml")
    assert codes(exc) == ["yaml-forbidden-tag"]


def test_explicit_standard_tags_are_read() -> None:
    tree = parse_yaml("a: !!str 22\nb: !!int '7'\nc: 2027-03-31\nd: ~\n", "t.yaml")
    assert isinstance(tree, YMap)
    values = [v.value for _, v in tree.entries if isinstance(v, YScalar)]
    assert values[:2] == ["22", 7]
    assert str(values[2]) == "2027-03-31" and values[3] is None


def test_spans_are_one_based() -> None:
    tree = parse_yaml("a:\n  - x\n  - {k: v}\n", "t.yaml")
    assert isinstance(tree, YMap)
    seq = tree.get("a")
    assert isinstance(seq, YSeq)
    assert seq.items[0].span == Span("t.yaml", 2, 5)
    assert seq.items[1].span == Span("t.yaml", 3, 5)
    assert tree.key_span("a") == Span("t.yaml", 1, 1)


def test_syntax_error_is_one_based() -> None:
    with pytest.raises(ModelError) as exc:
        parse_yaml("a: 1\nb: [1, 2\n", "t.yaml")
    (diag,) = exc.value.diagnostics
    assert diag.code == "yaml-syntax"
    assert diag.span.line == 3 and diag.span.column == 1  # PyYAML says line 2, column 0 (0-based)


def test_duplicate_keys_cite_both_places() -> None:
    with pytest.raises(ModelError) as exc:
        parse_yaml("a: 1\nb: 2\na: 3\n", "t.yaml")
    (diag,) = exc.value.diagnostics
    assert (diag.code, diag.span, diag.related) == (
        "yaml-duplicate-key",
        Span("t.yaml", 3, 1),
        Span("t.yaml", 1, 1),
    )


@pytest.mark.parametrize(
    "text",
    ["[" * 100_000 + "]" * 100_000, "- " * 100_000 + "x", "".join(" " * i + "k:\n" for i in range(500))],
)
def test_deep_nesting_is_refused_not_crashed(text: str) -> None:
    start = time.perf_counter()
    with pytest.raises(ModelError) as exc:
        parse_yaml(text, "deep.yaml")
    assert codes(exc) == ["yaml-too-large"]
    assert time.perf_counter() - start < 1.0


LOADERS = [yaml.SafeLoader] + ([yaml.CSafeLoader] if hasattr(yaml, "CSafeLoader") else [])


@pytest.mark.parametrize("loader", LOADERS, ids=lambda loader: loader.__name__)
@pytest.mark.parametrize(
    "text",
    [
        "[\n" * 1500 + "]" * 1500,  # past libyaml's own limit (1000), but over lines: we count first
        "- " * 1500 + "x",
        "".join(" " * i + "k:\n" for i in range(1500)),
    ],
)
def test_deep_nesting_is_located_with_either_parser(loader: type[yaml.SafeLoader], text: str) -> None:
    with pytest.raises(ModelError) as exc:
        parse_yaml(text, "deep.yaml", loader)
    (diag,) = exc.value.diagnostics
    line = 1 if text.startswith("-") else yamlio.MAX_DEPTH + 1
    assert (diag.code, diag.span.file, diag.span.line) == ("yaml-too-large", "deep.yaml", line)


class _RefusingLoader(yaml.SafeLoader):
    """A parser that refuses the nesting itself, as libyaml >= 0.2.5 does within one line: the
    same answer must come whichever libyaml the machine has."""

    def refuse(self) -> yaml.scanner.ScannerError:
        mark = yaml.Mark("t", 1234, 2, 1000, None, None)
        return yaml.scanner.ScannerError(
            "while increasing flow level", mark, "exceeded maximum nesting depth", mark
        )

    def check_event(self, *choices: type[yaml.Event]) -> bool:
        raise self.refuse()

    def get_event(self) -> yaml.Event:
        raise self.refuse()

    def get_single_node(self) -> yaml.Node:
        raise self.refuse()


def test_a_parser_s_own_nesting_refusal_is_too_large() -> None:
    with pytest.raises(ModelError) as exc:
        parse_yaml("a: [[[]]]\n", "deep.yaml", _RefusingLoader)
    (diag,) = exc.value.diagnostics
    assert (diag.code, diag.span) == ("yaml-too-large", Span("deep.yaml", 3, 1001))
    assert "nested more than" in diag.message


@pytest.mark.skipif(not hasattr(yaml, "CSafeLoader"), reason="libyaml not installed")
def test_libyaml_refusing_a_line_of_brackets_is_too_large() -> None:
    with pytest.raises(ModelError) as exc:
        parse_yaml("[" * 1500 + "]" * 1500, "deep.yaml", yaml.CSafeLoader)
    (diag,) = exc.value.diagnostics
    assert (diag.code, diag.span.line) == ("yaml-too-large", 1)


def test_nesting_a_model_needs_is_fine() -> None:
    depth = yamlio.MAX_DEPTH - 1
    tree = parse_yaml("[" * depth + "]" * depth, "ok.yaml")
    assert isinstance(tree, YSeq)


def test_file_too_large(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "big.yaml"
    path.write_text("segverify: 1\n" + "# padding\n" * 500_000)
    assert os.path.getsize(path) > yamlio.MAX_FILE_BYTES
    with pytest.raises(ModelError) as exc:
        read_yaml_file(str(path))
    assert codes(exc) == ["file-too-large"]


def test_missing_paths_and_empty_folders(tmp_path: Path) -> None:
    with pytest.raises(ModelError) as exc:
        load_model([str(tmp_path / "nope.yaml"), str(tmp_path)])
    assert codes(exc) == ["file-not-found", "file-not-found"]


def test_random_bytes_are_a_diagnostic(tmp_path: Path) -> None:
    path = tmp_path / "noise.yaml"
    path.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(ModelError) as exc:
        load_model([str(path)])
    assert codes(exc) == ["bad-encoding"]


@pytest.mark.parametrize(
    ("text", "code", "line"),
    [
        (bomb(9), "yaml-too-large", 7),  # g: 9**7 nodes, the first level over the limit
        ('a: !!python/object/apply:os.system ["true"]\n', "yaml-forbidden-tag", 1),
        ("a: 1\nb: [1, 2\n", "yaml-syntax", 3),
        ("a: 1\na: 2\n", "yaml-duplicate-key", 2),
        ("[" * 5000 + "]" * 5000, "yaml-too-large", 1),
        ('a: "bell \x07"\n', "bad-encoding", 1),
        ("# only a comment\n", "empty-file", 1),
    ],
)
def test_pure_python_parser_gives_the_same_answers(text: str, code: str, line: int) -> None:
    """Without libyaml the loader falls back to PyYAML's own parser: same codes, same lines."""
    for loader in (yamlio.LOADER, yaml.SafeLoader):
        with pytest.raises(ModelError) as exc:
            parse_yaml(text, "t.yaml", loader)
        assert [(d.code, d.span.line) for d in exc.value.diagnostics] == [(code, line)], loader
