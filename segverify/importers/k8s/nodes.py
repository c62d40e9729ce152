"""Kubernetes importer: plain values out of the located YAML tree, and warnings with their place."""

from __future__ import annotations

from dataclasses import dataclass

from segverify.diagnostics import Span
from segverify.model.yamlio import YMap, YNode, YScalar, YSeq


@dataclass(frozen=True, slots=True)
class Warning_:
    """Something read but not imported; `widens` says whether ignoring it can only allow more."""

    span: Span
    message: str
    widens: bool | None = None  # None: neither (a name, a kind that carries no rules)

    def render(self) -> str:
        effect = {
            True: " (ignoring it can only widen: proofs stay sound)",
            False: " (ignoring it may narrow)",
        }
        tail = effect[self.widens] if self.widens is not None else ""
        return f"{self.span}: warning: {self.message}{tail}"


def as_map(node: YNode | None) -> YMap | None:
    return node if isinstance(node, YMap) else None


def as_list(node: YNode | None) -> tuple[YNode, ...]:
    return node.items if isinstance(node, YSeq) else ()


def text(node: YNode | None, default: str = "") -> str:
    if isinstance(node, YScalar) and node.value is not None:
        value = node.value
        if isinstance(value, bool):  # a YAML boolean in a label value: Kubernetes reads text
            return "true" if value else "false"
        return str(value)
    return default


def field(node: YNode | None, *path: str) -> YNode | None:
    for key in path:
        if not isinstance(node, YMap):
            return None
        node = node.get(key)
    return node


def labels(node: YNode | None) -> dict[str, str]:
    m = as_map(node)
    return {} if m is None else {str(k.value): text(v) for k, v in m.entries}
