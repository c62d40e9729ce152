"""Fix stage: a fix as edits of the model's own YAML files: a unified diff (`git apply`,
`patch -p1`) and the whole changed model written to a folder, comments and layout kept."""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Iterable
from pathlib import Path

from segverify.diagnostics import Span
from segverify.errors import InternalError
from segverify.fix.apply import apply_changes, deny_positions, deny_rule_name
from segverify.fix.changes import Change
from segverify.fix.textedit import FileEdits, indent_of
from segverify.model.dump import scalar
from segverify.model.ir import Flow, Model
from segverify.model.packs import PACK_PREFIX, is_pack, pack_text
from segverify.outputs import make_folder, write_text

HOST_FIELDS = {
    "remove_login": "logins",
    "remove_session": "sessions",
    "remove_manages": "manages",
    "patch_service": "vulnerable",
}


class Patcher:
    """Applies changes to the text of each model file by the spans the loader recorded."""

    def __init__(self, model: Model) -> None:
        self.model = model
        self.files: dict[str, FileEdits] = {}

    def file(self, name: str) -> FileEdits:
        if name not in self.files:
            self.files[name] = FileEdits(source_text(name).splitlines(keepends=True))
        return self.files[name]

    def apply(self, changes: Iterable[Change]) -> dict[str, str]:
        todo = sorted(set(changes))
        for c in todo:
            self._one(c)
        self._denies([c for c in todo if c.kind == "insert_deny"])
        self._declare_orphans(todo)
        return {name: edits.text() for name, edits in sorted(self.files.items())}

    def _one(self, c: Change) -> None:
        if c.kind == "delete_rule":
            edits, start, end = self._flow_block(self._flow(c.target))
            edits.delete(start, end)
        elif c.kind == "narrow_rule":
            edits, start, end = self._flow_block(self._flow(c.target))
            edits.remove_items(start, end, c.narrow_field, {c.narrow_value})
        elif c.kind in HOST_FIELDS:
            edits, start, end = self._entity_block(
                self.model.hosts[c.target].span.file, self.model.hosts[c.target].span.line
            )
            edits.remove_items(start, end, HOST_FIELDS[c.kind], {c.part})
        elif c.kind == "remove_member":
            p = self.model.principals[c.target]
            edits, start, end = self._entity_block(p.span.file, p.span.line)
            edits.remove_items(start, end, "member_of", {c.part})
        elif c.kind == "require_mfa":
            p = self.model.principals[c.target]
            self._mfa(p.span.file, p.span.line - 1)

    def _declare_orphans(self, changes: list[Change]) -> None:
        """A group exists only while some `member_of` names it, unless `groups` declares it:
        one that loses its last member is declared, so the `logins` naming it stay valid."""
        if not any(c.kind == "remove_member" for c in changes):
            return
        named = {g for p in apply_changes(self.model, changes).principals.values() for g in p.member_of}
        for p in self.model.principals.values():
            if p.kind == "group" and p.name not in named and not self._declared(p.span.file, p.span):
                self._declare_group(p.span.file, p.name)

    def _declared(self, file: str, span: Span) -> bool:
        """Whether the group's span is a key (`groups:` entry), not an item of a `member_of`."""
        after = self.file(file).lines[span.line - 1][span.column - 1 :]
        m = re.match(r"""["']?[^"':,\]\s]+["']?\s*:""", after)
        return m is not None

    def _declare_group(self, file: str, name: str) -> None:
        edits = self.file(file)
        found = next((i for i, ln in enumerate(edits.lines) if re.match(r"groups:\s*(#.*)?$", ln)), None)
        if found is None:
            edits.insert(len(edits.lines), ["groups:\n", f"  {scalar(name)}: {{}}\n"])
        else:
            edits.insert(found + 1, [f"  {scalar(name)}: {{}}\n"])

    def _flow(self, name: str) -> Flow:
        return next(f for f in self.model.flows if f.name == name)

    def _flow_block(self, flow: Flow) -> tuple[FileEdits, int, int]:
        edits = self.file(flow.span.file)
        start = flow.span.line - 1
        if not edits.lines[start].lstrip().startswith("-"):
            raise InternalError(f"patch: rule {flow.name} does not start a list item at {flow.span}")
        return edits, start, edits.block_end(start)

    def _entity_block(self, file: str, line: int) -> tuple[FileEdits, int, int]:
        edits = self.file(file)
        return edits, line - 1, edits.block_end(line - 1)

    def _mfa(self, file: str, start: int) -> None:
        edits = self.file(file)
        end = edits.block_end(start)
        found = edits.find_key(start, end, "mfa")
        if found is not None:
            i, col = found
            edits.edit(i, lambda t: t[:col] + " true" + _after_value(t[col:]))
            return
        line = edits.current(start)
        if "{" in line:
            edits.edit(start, _mfa_inline)
            return
        child = edits.lines[start + 1] if start + 1 < end else line
        width = indent_of(child) if start + 1 < end else indent_of(line) + 2
        edits.insert(start + 1, [" " * width + "mfa: true\n"])

    def _denies(self, denies: list[Change]) -> None:
        positions = deny_positions(self.model, denies)
        for index, changes in positions.items():
            if not self.model.flows:  # no rule at all: a `flows` section of its own
                edits = self.file(self.model.files[0])
                edits.insert(
                    len(edits.lines), ["flows:\n"] + [ln for c in changes for ln in deny_lines(c, 2)]
                )
                continue
            flow = self.model.flows[index] if index is not None else self.model.flows[-1]
            edits, start, end = self._flow_block(flow)
            width = indent_of(edits.lines[start])
            for c in changes:
                edits.insert(start if index is not None else end, deny_lines(c, width))


def _mfa_inline(text: str) -> str:
    return text.replace("{}", "{mfa: true}", 1) if "{}" in text else text.replace("{", "{mfa: true, ", 1)


def _after_value(rest: str) -> str:
    """What follows a scalar value: the `,`/`}` of a flow mapping, or a comment and newline."""
    value = rest.lstrip(" ")
    k = 0
    while k < len(value) and value[k] not in ",}#\n":
        k += 1
    return value[k:] if value[k : k + 1] != "#" else " " + value[k:]


def source_text(name: str) -> str:
    """A model file's text; a shipped pack (`pack:NAME`) is read from the package."""
    text = pack_text(name) if is_pack(name) else Path(name).read_text(encoding="utf-8")
    if text is None:
        raise InternalError(f"the model names a pack that is not shipped: {name}")
    return text


def _file_name(name: str) -> str:
    return f"{name[len(PACK_PREFIX) :]}.yaml" if is_pack(name) else Path(name).name


def deny_lines(c: Change, width: int) -> list[str]:
    pad, inner = " " * width, " " * (width + 2)
    return [
        f"{pad}- name: {scalar(deny_rule_name(c))}\n",
        f"{inner}from: {scalar(c.deny_source)}\n",
        f"{inner}to: {scalar(c.target)}\n",
        f"{inner}services: [{scalar(c.deny_service)}]\n",
        f"{inner}action: deny\n",
        f"{inner}description: inserted by segverify fix\n",
    ]


def unified_diff(model: Model, changes: Iterable[Change]) -> str:
    """The diff of every edited file, paths relative to the working directory (a/ and b/)."""
    out: list[str] = []
    for name, text in Patcher(model).apply(changes).items():
        old = source_text(name)
        rel = Path(os.path.relpath(name)).as_posix()
        out.extend(
            difflib.unified_diff(
                old.splitlines(keepends=True), text.splitlines(keepends=True), f"a/{rel}", f"b/{rel}"
            )
        )
    return "".join(out)


def write_changed(model: Model, changes: Iterable[Change], folder: Path) -> list[Path]:
    """Every file of the model into `folder`, edited ones changed, the rest copied as they are.
    A folder loads in name order and flows concatenate in file order: when the names would
    reorder the files that hold flows, or two names clash, every name gets a number."""
    edited = Patcher(model).apply(changes)
    names = [_file_name(f) for f in model.files]
    with_flows = [_file_name(f) for f in dict.fromkeys(fl.span.file for fl in model.flows)]
    if len(set(names)) != len(names) or sorted(with_flows) != with_flows:
        names = [f"{i:02d}-{n}" for i, n in enumerate(names)]
    make_folder(folder)
    out = []
    for source, name in zip(model.files, names, strict=True):
        target = folder / name
        write_text(target, [edited.get(source) or source_text(source)])
        out.append(target)
    return out
