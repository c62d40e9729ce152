"""Model stage: paths to a validated Model (read, parse, build, validate; fail once with every diagnostic)."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator, Sequence

from segverify import collector
from segverify.diagnostics import Diagnostic, Span
from segverify.errors import ModelError, UsageError
from segverify.model.build import build_model
from segverify.model.ir import Model
from segverify.model.packs import PACK_PREFIX, is_pack, pack_names, pack_text
from segverify.model.validate import validate_model
from segverify.model.yamlio import YNode, parse_yaml, read_yaml_file

YAML_SUFFIXES = (".yaml", ".yml")


def expand_paths(paths: Sequence[str], diags: list[Diagnostic]) -> list[str]:
    """Files as given; a folder gives its *.yaml and *.yml files (not recursive) sorted by name."""
    out: dict[str, str] = {}  # real path -> path as given: a file named twice is read once
    for path in paths:
        for file in _files_of(path, diags):
            out.setdefault(os.path.realpath(file), file)
    return list(out.values())


def is_model_file_name(name: str) -> bool:
    """`*.yaml` and `*.yml` in any case; hidden files (`.pre-commit-config.yaml`) are not models."""
    return name.lower().endswith(YAML_SUFFIXES) and not name.startswith(".")


def _files_of(path: str, diags: list[Diagnostic]) -> list[str]:
    if is_pack(path):
        return [path]
    if os.path.isdir(path):
        return _folder_files(path, diags)
    problem = _not_a_file(path)
    if problem:
        diags.append(Diagnostic("file-not-found", f"'{path}' {problem}", Span(path, 1, 1)))
        return []
    return [path]


def _folder_files(path: str, diags: list[Diagnostic]) -> list[str]:
    files, problems = [], []
    for name in sorted(n for n in os.listdir(path) if is_model_file_name(n)):
        file = os.path.join(path, name)
        if os.path.isdir(file):
            continue  # folders are not recursive
        problem = _not_a_file(file)
        if problem:
            problems.append(Diagnostic("file-not-found", f"'{file}' {problem}", Span(file, 1, 1)))
        else:
            files.append(file)
    if not files and not problems:
        message = f"the folder '{path}' holds no *.yaml or *.yml files"
        problems.append(Diagnostic("file-not-found", message, Span(path, 1, 1)))
    diags.extend(problems)
    return files


def _not_a_file(path: str) -> str | None:
    """Why `path` cannot be read as a model file, or None. A device or pipe is refused unread:
    /dev/zero would be read up to the size limit, a pipe might never end."""
    if os.path.isfile(path):
        return None
    if os.path.exists(path):
        return "is not a regular file"
    if os.path.islink(path):
        return "is a symbolic link to nothing"
    return "does not exist"


def parse_files(files: Sequence[str], diags: list[Diagnostic]) -> Iterator[tuple[str, YNode]]:
    """Each file's tree, parsed when asked for: the builder reads one and lets it go before the next
    (a large model's trees together take several times the memory of the model)."""
    for file in files:
        try:
            tree = _read_pack(file) if is_pack(file) else read_yaml_file(file)
        except ModelError as exc:
            diags.extend(exc.diagnostics)
            continue
        yield file, tree


def _read_pack(path: str) -> YNode:
    text = pack_text(path)
    if text is None:
        known = ", ".join(PACK_PREFIX + name for name in pack_names())
        span = Span(path, 1, 1)
        raise ModelError([Diagnostic("file-not-found", f"no policy pack '{path}'; the packs: {known}", span)])
    return parse_yaml(text, path)


def parse_texts(texts: Sequence[tuple[str, str]], diags: list[Diagnostic]) -> Iterator[tuple[str, YNode]]:
    """Files already in memory, as (name, text): what `diff --git` reads with `git show`."""
    for file, text in texts:
        try:
            tree = parse_yaml(text, file)
        except ModelError as exc:
            diags.extend(exc.diagnostics)
            continue
        yield file, tree


def load_model(model_paths: Sequence[str], policy_paths: Sequence[str] = ()) -> Model:
    """Load model files and policy packs (same form) into one validated Model, or raise ModelError."""
    if not model_paths:
        raise UsageError("give at least one model file or folder")
    return load_model_texts((), [*model_paths, *policy_paths])


def load_model_texts(texts: Sequence[tuple[str, str]], paths: Sequence[str] = ()) -> Model:
    """As load_model, the in-memory files first, then the files, folders and packs of `paths`."""
    diags: list[Diagnostic] = []
    with collector.paused():
        files = expand_paths(paths, diags)
        trees = itertools.chain(parse_texts(texts, diags), parse_files(files, diags))
        model, ctx = build_model(trees, diags)
        diags.extend(validate_model(model, ctx.broken))
    if diags:
        raise ModelError(dict.fromkeys(diags))
    return model
