"""Model stage: safe, bounded, located YAML (a tree of scalars, mappings and sequences with spans).

PyYAML is used only to compose nodes; no constructor ever runs on a tag we did not allow, so
`!!python/...` tags build nothing. Aliases are counted as expanded (memoised per node, so the
count is linear even for a billion-laughs bomb) and refused beyond MAX_NODES.

Two paths give one answer. The general path (`general_tree`: depth check, compose, count, convert)
reads every document and alone decides every diagnostic. Most files are plain (one document, no
anchors, aliases, tags or duplicate keys): the one-pass path (`plain_tree`) builds their tree from
the parser's events in a single pass, skipping the composer's node graph and the second parse the
depth check costs (docs/bench.md, "Design measurements", has the measured win; bench/yaml_load.py
measures it). On anything else it declines (`_NotPlain`) or meets the parser's own error
(`yaml.YAMLError`), and the general path reads the document from the start. No other exception is
caught: a bug in the one pass surfaces instead of hiding behind the general path. Tests hold the
two paths to the same tree or diagnostics (tests/model/test_plain_path.py).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Container, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.events import (
    DocumentEndEvent,
    DocumentStartEvent,
    Event,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from segverify.diagnostics import Diagnostic, Span
from segverify.errors import ModelError
from segverify.model.syntax_hints import syntax_hint

MAX_FILE_BYTES = 4 * 1024 * 1024
MAX_NODES = 2_000_000
MAX_DEPTH = 100  # a model needs about 8 levels

ScalarValue = str | int | float | bool | date | datetime | None

_STD = "tag:yaml.org,2002:"
# The tags a model may use, resolved implicitly or written out; everything else is refused.
# `value` is PyYAML's implicit tag for a plain `=`, which is just text.
_SCALAR_TAGS = {f"{_STD}{t}" for t in ("str", "int", "float", "bool", "null", "timestamp", "value")}
_SEQ_TAG = f"{_STD}seq"
_MAP_TAG = f"{_STD}map"


@dataclass(frozen=True, slots=True)
class YScalar:
    value: ScalarValue
    span: Span


@dataclass(frozen=True, slots=True)
class YSeq:
    items: tuple[YNode, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class YMap:
    entries: tuple[tuple[YScalar, YNode], ...]
    span: Span

    def keys(self) -> Iterator[str]:
        return (str(k.value) for k, _ in self.entries)

    def get(self, key: str) -> YNode | None:
        for k, v in self.entries:
            if k.value == key:
                return v
        return None

    def key_span(self, key: str) -> Span:
        for k, _ in self.entries:
            if k.value == key:
                return k.span
        return self.span


YNode = YScalar | YSeq | YMap


# libyaml when installed (it parses far faster than pure Python), else PyYAML's own parser; both only
# compose here. libyaml's composer recurses in C without a guard (a few thousand `[` crash the
# process), so nesting is measured first on the event stream, which is iterative and stops at the
# first level too deep.
Loader = type[yaml.SafeLoader] | type[yaml.CSafeLoader]
# Every reader below takes the parser as a parameter (default LOADER): tests run both parsers.
LOADER: Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_OPEN_EVENTS = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
_CLOSE_EVENTS = (yaml.MappingEndEvent, yaml.SequenceEndEvent)


def _span(file: str, node: Node) -> Span:
    # PyYAML marks are 0-based; users and editors count from 1.
    return Span(file, node.start_mark.line + 1, node.start_mark.column + 1)


def _fail(code: str, message: str, span: Span, hint: str = "") -> ModelError:
    return ModelError([Diagnostic(code, message, span, hint)])


class _Converter:
    """Turns composed nodes into the located tree, checking tags, size and duplicate keys."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.sizes: dict[int, int] = {}
        self.active: set[int] = set()
        self.done: dict[int, YNode] = {}
        self.diags: list[Diagnostic] = []
        self.scalars = SafeConstructor()

    def expanded_size(self, node: Node) -> int:
        """Nodes after alias expansion; memoised per node so shared subtrees cost once."""
        key = id(node)
        if key in self.sizes:
            return self.sizes[key]
        if key in self.active:
            raise _fail(
                "yaml-too-large",
                "an alias refers to its own ancestor: the document is infinite",
                _span(self.file, node),
            )
        self.active.add(key)
        size = 1 + sum(self.expanded_size(child) for child in _children(node))
        self.active.discard(key)
        if size > MAX_NODES:
            raise _fail(
                "yaml-too-large",
                f"this value expands to more than {MAX_NODES:,} nodes (through aliases)",
                _span(self.file, node),
                "remove the alias bomb or split the file",
            )
        self.sizes[key] = size
        return size

    def convert(self, node: Node) -> YNode:
        key = id(node)
        if key not in self.done:  # an alias shares the converted subtree (values are immutable)
            self.done[key] = self._convert(node)
        return self.done[key]

    def _convert(self, node: Node) -> YNode:
        span = _span(self.file, node)
        if isinstance(node, ScalarNode) and node.tag in _SCALAR_TAGS:
            return YScalar(self._scalar(node), span)
        if isinstance(node, SequenceNode) and node.tag == _SEQ_TAG:
            return YSeq(tuple(self.convert(item) for item in node.value), span)
        if isinstance(node, MappingNode) and node.tag == _MAP_TAG:
            return self._mapping(node, span)
        raise _fail(
            "yaml-forbidden-tag",
            f"the tag '{node.tag}' is not allowed",
            span,
            "a model uses plain YAML only: strings, numbers, booleans, dates, lists and mappings"
            + ("; merge keys (<<) are not supported, write the keys out" if "merge" in node.tag else ""),
        )

    def _scalar(self, node: ScalarNode) -> ScalarValue:
        return _scalar_value(self.scalars, node)

    def _mapping(self, node: MappingNode, span: Span) -> YMap:
        entries: list[tuple[YScalar, YNode]] = []
        seen: dict[object, Span] = {}
        for key_node, value_node in node.value:
            key = self.convert(key_node)
            if not isinstance(key, YScalar):
                self.diags.append(Diagnostic("wrong-type", "a mapping key must be a plain value", key.span))
                continue
            marker = (type(key.value).__name__, key.value)
            if marker in seen:
                self.diags.append(
                    Diagnostic(
                        "yaml-duplicate-key",
                        f"the key '{key.value}' is given twice (YAML would silently keep the last)",
                        key.span,
                        related=seen[marker],
                    )
                )
                continue
            seen[marker] = key.span
            entries.append((key, self.convert(value_node)))
        return YMap(tuple(entries), span)


def _scalar_value(constructor: SafeConstructor, node: ScalarNode) -> ScalarValue:
    """The value of a scalar whose tag is one of _SCALAR_TAGS."""
    tag = node.tag[len(_STD) :]
    if tag in ("str", "value"):
        return str(node.value)
    method = getattr(constructor, f"construct_yaml_{tag}")
    try:
        value: ScalarValue = method(node)
    except ValueError:  # e.g. a timestamp like 2027-13-45: keep the text, the reader says why
        return str(node.value)
    return value


def _children(node: Node) -> list[Node]:
    if isinstance(node, SequenceNode):
        return list(node.value)
    if isinstance(node, MappingNode):
        return [n for pair in node.value for n in pair]
    return []


def _position(text: str, index: int, file: str) -> Span:
    line = text.count("\n", 0, index) + 1
    return Span(file, line, index - (text.rfind("\n", 0, index) + 1) + 1)


def _too_deep(span: Span) -> ModelError:
    return _fail("yaml-too-large", f"the document is nested more than {MAX_DEPTH} levels deep", span)


def _is_nesting_refusal(exc: yaml.MarkedYAMLError) -> bool:
    """The parser refused the nesting itself (libyaml >= 0.2.5 stops at 1000 levels, and may meet
    them while scanning ahead, before any event reaches our own count)."""
    return "nesting depth" in f"{exc.context} {exc.problem}"


def _nesting_refused(file: str, exc: yaml.MarkedYAMLError) -> ModelError:
    """`yaml-too-large` where the parser refused the nesting (its limit is above MAX_DEPTH, so the
    message holds). Re-measuring with the pure-Python parser would find our own place, but costs
    most of a second on a long line of `[`."""
    mark = exc.problem_mark or exc.context_mark
    return _too_deep(Span(file, mark.line + 1, mark.column + 1) if mark else Span(file, 1, 1))


def _check_depth(text: str, file: str, parser: Loader) -> None:
    loader = parser(text)
    depth = 0
    try:
        while loader.check_event():
            event = loader.get_event()
            depth += isinstance(event, _OPEN_EVENTS) - isinstance(event, _CLOSE_EVENTS)
            if depth > MAX_DEPTH:
                mark = getattr(event, "start_mark", None)
                raise _too_deep(Span(file, mark.line + 1, mark.column + 1) if mark else Span(file, 1, 1))
    finally:
        loader.dispose()


def _compose(text: str, file: str, parser: Loader) -> Node | None:
    nodes = _compose_nodes(text, file, parser, stream=False)
    return nodes[0] if nodes else None


def _compose_nodes(text: str, file: str, parser: Loader, stream: bool) -> list[Node]:
    """One document (stream False: a second is a syntax error) or every document of a stream."""
    loader = None
    try:
        _check_depth(text, file, parser)  # also the first to meet a syntax error
        loader = parser(text)
        if stream:
            nodes: list[Node] = []
            while loader.check_node():
                node = loader.get_node()
                if node is not None:
                    nodes.append(node)
            return nodes
        node = loader.get_single_node()
        return [] if node is None else [node]
    except yaml.MarkedYAMLError as exc:
        if _is_nesting_refusal(exc):
            raise _nesting_refused(file, exc) from None
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = " ".join(p for p in (exc.context, exc.problem) if p)
        marks = [m.line for m in (exc.problem_mark, exc.context_mark) if m is not None]
        hint = syntax_hint(text, marks)
        raise _fail("yaml-syntax", problem or "invalid YAML", Span(file, line, col), hint) from None
    except yaml.reader.ReaderError as exc:
        raise _fail(
            "bad-encoding",
            f"the file holds a character YAML does not allow ({exc.reason})",
            _position(text, exc.position, file),
        ) from None
    except yaml.YAMLError as exc:
        raise _fail("yaml-syntax", str(exc), Span(file, 1, 1)) from None
    finally:
        if loader is not None:
            loader.dispose()


# ---- the one-pass path for plain documents --------------------------------------------------------


class _NotPlain(Exception):
    """The document is not plain: the general path reads it (and reports what is wrong)."""


class _OpenSeq:
    __slots__ = ("span", "items")

    def __init__(self, span: Span) -> None:
        self.span = span
        self.items: list[YNode] = []

    def add(self, node: YNode) -> None:
        self.items.append(node)

    def close(self) -> YNode:
        return YSeq(tuple(self.items), self.span)


class _OpenMap:
    __slots__ = ("span", "entries", "seen", "key")

    def __init__(self, span: Span) -> None:
        self.span = span
        self.entries: list[tuple[YScalar, YNode]] = []
        self.seen: set[ScalarValue] = set()
        self.key: YScalar | None = None

    def add(self, node: YNode) -> None:
        key = self.key
        if key is not None:
            self.entries.append((key, node))
            self.key = None
            return
        # Equal values are a duplicate key (or, rarely, look like one: 1 and true): the general path
        # decides. A key that is not a scalar is refused there too.
        if type(node) is not YScalar or node.value in self.seen:
            raise _NotPlain
        self.seen.add(node.value)
        self.key = node

    def close(self) -> YNode:
        if self.key is not None:
            raise _NotPlain  # a key without a value: the parser never sends this
        return YMap(tuple(self.entries), self.span)


class _Everything:
    def __contains__(self, item: object) -> bool:
        return True


class _PlainBuilder:
    """Builds the located tree of a plain document from its events, node by node as they arrive."""

    def __init__(self, file: str, loader: yaml.SafeLoader | yaml.CSafeLoader) -> None:
        self.file = file
        self.loader = loader
        self.open: list[_OpenSeq | _OpenMap] = []
        self.top: _OpenSeq | _OpenMap | None = None  # open[-1]
        self.nodes = 0
        self.root: YNode | None = None
        self.constructor = SafeConstructor()
        resolvers = loader.yaml_implicit_resolvers
        # Plain text whose first character starts no implicit resolver is a string: skip resolving.
        self.typed_starts: Container[str] = _Everything() if None in resolvers else frozenset(resolvers)
        self.typed: dict[str, ScalarValue] = {}
        self.resolve: Callable[[type[Node], str, tuple[bool, bool]], str] = loader.resolve

    def build(self) -> YNode:
        documents = self.build_stream()
        if len(documents) != 1:
            raise _NotPlain  # no document, or more than one
        return documents[0]

    def build_stream(self) -> list[YNode]:
        """Every document of the stream (importers read multi-document manifests)."""
        get = self.loader.get_event
        handlers: dict[type, Callable[[Any], None]] = {  # local: bound methods kept on self are a cycle
            ScalarEvent: self.scalar,
            SequenceStartEvent: self.start_seq,
            MappingStartEvent: self.start_map,
            SequenceEndEvent: self.end,
            MappingEndEvent: self.end,
        }
        get()  # the stream start
        documents: list[YNode] = []
        while type(start := get()) is not StreamEndEvent:
            if type(start) is not DocumentStartEvent:
                raise _NotPlain
            self.root = None
            while self.root is None:
                event = get()
                handler = handlers.get(type(event))
                if handler is None:
                    raise _NotPlain  # an alias
                handler(event)
            if type(get()) is not DocumentEndEvent:
                raise _NotPlain
            documents.append(self.root)
        if self.nodes > MAX_NODES:
            raise _NotPlain
        return documents

    # The handlers run once per event: they are written out rather than shared, for speed.

    def scalar(self, event: Any) -> None:
        if event.anchor is not None or event.tag is not None:
            raise _NotPlain
        self.nodes += 1
        value: ScalarValue = event.value
        if event.implicit[0] and event.value[:1] in self.typed_starts:
            value = self.plain_value(event)
        mark = event.start_mark
        node = YScalar(value, Span(self.file, mark.line + 1, mark.column + 1))
        if self.top is None:
            self.root = node
        else:
            self.top.add(node)

    def plain_value(self, event: Any) -> ScalarValue:
        """Plain text resolved as the composer resolves it (cached: it depends on the text only)."""
        text = event.value
        if text not in self.typed:
            tag = self.resolve(ScalarNode, text, event.implicit)
            if tag not in _SCALAR_TAGS:
                raise _NotPlain  # e.g. `<<`
            node = ScalarNode(tag, text, event.start_mark, event.end_mark)
            self.typed[text] = _scalar_value(self.constructor, node)
        return self.typed[text]

    def start_seq(self, event: Any) -> None:
        if event.anchor is not None or event.tag is not None:
            raise _NotPlain
        mark = event.start_mark
        self.push(_OpenSeq(Span(self.file, mark.line + 1, mark.column + 1)))

    def start_map(self, event: Any) -> None:
        if event.anchor is not None or event.tag is not None:
            raise _NotPlain
        mark = event.start_mark
        self.push(_OpenMap(Span(self.file, mark.line + 1, mark.column + 1)))

    def push(self, node: _OpenSeq | _OpenMap) -> None:
        self.nodes += 1
        self.open.append(node)
        self.top = node
        if len(self.open) > MAX_DEPTH:
            raise _NotPlain

    def end(self, event: Event) -> None:
        node = self.open.pop().close()
        self.top = self.open[-1] if self.open else None
        if self.top is None:
            self.root = node
        else:
            self.top.add(node)


def plain_tree(text: str, file: str, parser: Loader = LOADER) -> YNode | None:
    """The tree of a plain document in one pass, or None when the document is not plain.

    For a plain document every step of the general path passes and gives this same tree; on
    anything else (anchors, aliases, tags, duplicate keys, several documents, too deep, too many
    nodes, a syntax error or a character YAML refuses) it returns None, and the general path reads
    the document and reports. Only those two refusals are caught: any other exception is a bug.
    """
    try:
        loader = parser(text)  # the pure-Python reader refuses bad characters here
    except yaml.YAMLError:
        return None
    try:
        return _PlainBuilder(file, loader).build()
    except (_NotPlain, yaml.YAMLError):
        return None
    finally:
        loader.dispose()


def plain_stream(text: str, file: str, parser: Loader = LOADER) -> list[YNode] | None:
    """Every document of a plain stream in one pass, or None (then the general path decides);
    the same two refusals as plain_tree are caught, nothing else."""
    try:
        loader = parser(text)
    except yaml.YAMLError:
        return None
    try:
        return _PlainBuilder(file, loader).build_stream()
    except (_NotPlain, yaml.YAMLError):
        return None
    finally:
        loader.dispose()


def parse_yaml(text: str, file: str, parser: Loader = LOADER) -> YNode:
    """Parse one document into the located tree; raises ModelError with every problem found.

    `parser`: libyaml's when installed, else PyYAML's own; both give the same tree or diagnostics.
    """
    plain = plain_tree(text, file, parser)
    return general_tree(text, file, parser) if plain is None else plain


def general_tree(text: str, file: str, parser: Loader = LOADER) -> YNode:
    """Any document through compose, alias-expanded size count and conversion: the tree, or a
    ModelError with every problem found. `parse_yaml` calls it for whatever is not plain."""
    try:
        node = _compose(text, file, parser)
        if node is None:
            raise _fail(
                "empty-file",
                "the file holds no YAML document",
                Span(file, 1, 1),
                "start the file with `segverify: 1`",
            )
        conv = _Converter(file)
        conv.expanded_size(node)
        tree = conv.convert(node)
    except RecursionError:
        raise _fail("yaml-too-large", "the document is nested too deeply", Span(file, 1, 1)) from None
    if conv.diags:
        raise ModelError(conv.diags)
    return tree


def parse_yaml_stream(text: str, file: str, parser: Loader = LOADER) -> list[YNode]:
    """Every document of a multi-document stream (`---`), located; empty documents are skipped.
    Importers read Kubernetes manifests this way; a model file is one document (parse_yaml)."""
    plain = plain_stream(text, file, parser)
    return general_stream(text, file, parser) if plain is None else plain


def general_stream(text: str, file: str, parser: Loader = LOADER) -> list[YNode]:
    """Every document of a stream through the general path (see general_tree)."""
    out: list[YNode] = []
    diags: list[Diagnostic] = []
    try:
        for node in _compose_nodes(text, file, parser, stream=True):
            conv = _Converter(file)
            conv.expanded_size(node)
            out.append(conv.convert(node))
            diags.extend(conv.diags)
    except RecursionError:
        raise _fail("yaml-too-large", "the document is nested too deeply", Span(file, 1, 1)) from None
    if diags:
        raise ModelError(diags)
    return out


def read_yaml_file(path: str) -> YNode:
    """Read and parse one file, refusing anything larger than MAX_FILE_BYTES before reading it all."""
    return parse_yaml(read_text(path), path)


def read_yaml_stream(path: str) -> list[YNode]:
    """Read every document of one file, with the same limits as read_yaml_file."""
    return parse_yaml_stream(read_text(path), path)


def read_text(path: str) -> str:
    """A file's UTF-8 text, refused (ModelError) when unreadable, too large or not UTF-8."""
    start = Span(path, 1, 1)
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise _fail("file-not-found", f"cannot read '{path}': {exc.strerror}", start) from None
    if len(data) > MAX_FILE_BYTES:
        size = os.path.getsize(path)
        raise _fail("file-too-large", f"the file has {size:,} bytes; the limit is {MAX_FILE_BYTES:,}", start)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise _fail(
            "bad-encoding",
            f"the file is not UTF-8 text (byte 0x{data[exc.start]:02x})",
            Span(path, line, col),
        ) from None
    return text
