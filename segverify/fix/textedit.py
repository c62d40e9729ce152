"""Fix stage: edits of a model's YAML text by the loader's spans, so untouched lines (comments,
layout, quoting) stay byte for byte as written.

Each edit addresses an original line: replace it (by a list of lines, empty: delete), edit its
text in place (several edits of one line compose), or insert lines before it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field


def indent_of(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


@dataclass
class FileEdits:
    lines: list[str]  # the original text, each line with its newline
    replaced: dict[int, list[str]] = field(default_factory=dict)
    before: dict[int, list[str]] = field(default_factory=dict)

    def current(self, i: int) -> str:
        return "".join(self.replaced.get(i, [self.lines[i]]))

    def edit(self, i: int, fn: Callable[[str], str]) -> None:
        self.replaced[i] = [fn(self.current(i))]

    def delete(self, start: int, end: int) -> None:
        for i in range(start, end):
            self.replaced[i] = []

    def insert(self, i: int, new: list[str]) -> None:
        self.before.setdefault(i, []).extend(new)

    def text(self) -> str:
        out: list[str] = []
        for i in range(len(self.lines) + 1):
            out.extend(self.before.get(i, ()))
            if i < len(self.lines):
                out.extend(self.replaced.get(i, [self.lines[i]]))
        return "".join(out)

    def block_end(self, start: int) -> int:
        """The line after the block that starts at `start`: deeper-indented lines (and blank
        lines between them) belong to it; trailing blank lines do not."""
        base = indent_of(self.lines[start])
        end = start + 1
        last = start + 1
        while end < len(self.lines):
            line = self.lines[end]
            if line.strip() and indent_of(line) <= base:
                break
            end += 1
            if line.strip():
                last = end
        return last

    def find_key(self, start: int, end: int, key: str) -> tuple[int, int] | None:
        """(line, column just after `key:`) of the first `key:` in the lines [start, end)."""
        pattern = re.compile(rf"(?<![\w-]){re.escape(key)}:(?=\s|$)")
        for i in range(start, end):
            text = _uncommented(self.current(i))
            m = pattern.search(text)
            if m is not None:
                return i, m.end()
        return None

    def remove_items(self, start: int, end: int, key: str, gone: set[str]) -> None:
        """Take `gone` out of the list under `key` (inline `[a, b]`, a scalar, or `- a` lines)."""
        found = self.find_key(start, end, key)
        if found is None:
            return
        i, col = found
        rest = self.current(i)[col:].strip()
        if rest == "" or rest.startswith("#"):
            self._remove_block_items(i, end, gone)
        else:
            self.edit(i, lambda text: _edit_inline(text, col, gone))

    def _remove_block_items(self, key_line: int, end: int, gone: set[str]) -> None:
        items = [j for j in range(key_line + 1, end) if self.current(j).lstrip().startswith("- ")]
        kept = 0
        for j in items:
            value = _uncommented(self.current(j)).strip()[2:].strip()
            if _unquote(value) in gone:
                self.replaced[j] = []
            else:
                kept += 1
        if items and not kept:
            self.edit(key_line, lambda text: text.rstrip("\n").rstrip() + " []\n")


def _uncommented(text: str) -> str:
    """The line without a trailing comment (a `#` after a space, outside quotes)."""
    quote = ""
    for k, ch in enumerate(text):
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch == "#" and (k == 0 or text[k - 1] in " \t"):
            return text[:k]
    return text


def _unquote(token: str) -> str:
    token = token.strip()
    if len(token) >= 2 and token[0] == token[-1] and token[0] in "'\"":
        return token[1:-1]
    return token


def _split_flow(body: str) -> Iterator[str]:
    """The items of an inline list body `a, "b, c", d`, as written."""
    quote, start = "", 0
    for k, ch in enumerate(body):
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch == ",":
            yield body[start:k]
            start = k + 1
    if body[start:].strip():
        yield body[start:]


def _edit_inline(text: str, col: int, gone: set[str]) -> str:
    """Rewrite the value that starts after column `col`: `[a, b, c]` or one scalar."""
    head, tail = text[:col], text[col:]
    lead = tail[: len(tail) - len(tail.lstrip(" "))]
    value = tail.lstrip(" ")
    if value.startswith("["):
        close = value.index("]")
        kept = [t.strip() for t in _split_flow(value[1:close]) if _unquote(t) not in gone]
        return head + lead + "[" + ", ".join(kept) + "]" + value[close + 1 :]
    m = re.match(r"[^,}\s#]+|\"[^\"]*\"|'[^']*'", value)
    if m is not None and _unquote(m.group(0)) in gone:
        return head + lead + "[]" + value[m.end() :]
    return text
