"""Fix stage: the `--costs` file, per-kind costs and per-name overrides, read with locations.

    kinds: {delete_rule: 5, insert_deny: never}   # any of changes.CHANGE_KINDS; never: not used
    names: {internet-to-corp-vpn: 50}         # a rule, host, zone or account: every change to it

A change naming several items (an inserted deny: its source and destination) costs the
highest of their overrides. Costs are whole numbers from 1 up.
"""

from __future__ import annotations

from segverify.diagnostics import Diagnostic, Span
from segverify.errors import ModelError
from segverify.fix.changes import CHANGE_KINDS, DEFAULT_COSTS, ChangeKind, Costs
from segverify.model.yamlio import YMap, YNode, YScalar, read_yaml_file


def read_costs(path: str | None, keep: frozenset[str]) -> Costs:
    if path is None:
        return Costs(keep=keep)
    root = read_yaml_file(path)
    diags: list[Diagnostic] = []
    kinds: dict[ChangeKind, int | None] = dict(DEFAULT_COSTS)
    names: dict[str, int] = {}
    if not isinstance(root, YMap):
        raise ModelError([_diag("a mapping with `kinds` and `names`", root.span)])
    for key, value in root.entries:
        if key.value == "kinds":
            for k, v in _numbers(value, diags, never=True).items():
                if k in CHANGE_KINDS:
                    kinds[k] = v
                else:
                    diags.append(_diag(f"a change kind ({', '.join(CHANGE_KINDS)}), not '{k}'", value.span))
        elif key.value == "names":
            names.update((k, v) for k, v in _numbers(value, diags).items() if v is not None)
        else:
            diags.append(_diag(f"`kinds` or `names`, not '{key.value}'", key.span))
    if diags:
        raise ModelError(diags)
    return Costs(kinds=kinds, names=names, keep=keep)


def _numbers(node: YNode, diags: list[Diagnostic], never: bool = False) -> dict[str, int | None]:
    if not isinstance(node, YMap):
        diags.append(_diag("a mapping of names to costs", node.span))
        return {}
    out: dict[str, int | None] = {}
    for key, value in node.entries:
        if never and isinstance(value, YScalar) and value.value == "never":
            out[str(key.value)] = None
            continue
        ok = isinstance(value, YScalar) and isinstance(value.value, int) and not isinstance(value.value, bool)
        if ok and int(value.value) >= 1:  # type: ignore[union-attr, arg-type]
            out[str(key.value)] = int(value.value)  # type: ignore[union-attr, arg-type]
        else:
            diags.append(_diag(f"a whole number from 1 up as the cost of '{key.value}'", value.span))
    return out


def _diag(expected: str, span: Span) -> Diagnostic:
    return Diagnostic("bad-value", f"the costs file needs {expected}", span)
