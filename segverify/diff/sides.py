"""Diff stage: the two versions to compare, from paths or from a git ref, each error naming its side."""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from dataclasses import replace

from segverify.errors import ModelError, UsageError
from segverify.model.ir import Model
from segverify.model.load import YAML_SUFFIXES, load_model, load_model_texts


def load_side(side: str, paths: Sequence[str], policies: Sequence[str], ref: str | None = None) -> Model:
    """One version; `ref`: the paths as they are at that git ref, read into memory (nothing written)."""
    try:
        if ref is None:
            return load_model(paths, policies)
        return load_model_texts(git_texts(ref, paths), policies)
    except ModelError as exc:
        raise ModelError(replace(d, message=f"in {side}: {d.message}") for d in exc.diagnostics) from None


def _git(args: Sequence[str]) -> str:
    try:
        done = subprocess.run(["git", *args], capture_output=True, text=True, check=False)
    except OSError as exc:
        raise UsageError(f"--git needs git on the PATH: {exc.strerror}") from None
    if done.returncode != 0:
        reason = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"exit {done.returncode}"
        raise UsageError(f"--git: git {' '.join(args[:2])} failed: {reason}")
    return done.stdout


def git_texts(ref: str, paths: Sequence[str]) -> list[tuple[str, str]]:
    """(ref:path, text) of each model file at `ref`; a folder gives its *.yaml and *.yml, sorted."""
    _git(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"])
    out: list[tuple[str, str]] = []
    for path in paths:
        for name in _files_at(ref, path):
            out.append((f"{ref}:{name}", _git(["show", f"{ref}:./{name}"])))
    return out


def _files_at(ref: str, path: str) -> list[str]:
    entries = [line.split("\t", 1) for line in _git(["ls-tree", ref, "--", path]).splitlines()]
    if not entries:
        raise UsageError(f"--git: '{path}' does not exist at {ref}")
    if len(entries) == 1 and entries[0][0].split()[1] == "blob" and entries[0][1] == path.rstrip("/"):
        return [entries[0][1]]
    inside = [
        line.split("\t", 1) for line in _git(["ls-tree", ref, "--", path.rstrip("/") + "/"]).splitlines()
    ]
    files = sorted(n for meta, n in inside if meta.split()[1] == "blob" and n.endswith(YAML_SUFFIXES))
    if not files:
        raise UsageError(f"--git: the folder '{path}' holds no *.yaml or *.yml files at {ref}")
    return files
