"""Lint stage: the wording pieces findings share: rule citations, address and service lists."""

from __future__ import annotations

from collections.abc import Iterable

from segverify.model.addresses import format_set
from segverify.model.intervals import IntervalSet
from segverify.model.ports import ALL_SERVICES, PROTOCOL_NAMES
from segverify.results import RuleRef

LIST_LIMIT = 4  # entries of a CIDR or service list before "and N more"


def rule_text(r: RuleRef) -> str:
    """`name (deny, file:line)`; a default: `default:inter_zone (deny)`."""
    where = f", {r.span.file}:{r.span.line}" if r.span is not None and r.span.line >= 1 else ""
    return f"{r.name} ({r.action}{where})"


def rules_text(rules: Iterable[RuleRef]) -> str:
    return ", ".join(rule_text(r) for r in rules)


def capped(items: list[str]) -> str:
    if len(items) <= LIST_LIMIT:
        return ", ".join(items)
    return ", ".join(items[:LIST_LIMIT]) + f" and {len(items) - LIST_LIMIT} more"


def addresses_text(addrs: IntervalSet) -> str:
    return capped(format_set(addrs))


def services_list(svcs: IntervalSet) -> list[str]:
    """`["tcp/22", "tcp/8000-8100", "icmp"]`; the whole space is `["any"]`."""
    if svcs == ALL_SERVICES:
        return ["any"]
    return [_range(lo, hi) for lo, hi in svcs]


def services_text(svcs: IntervalSet) -> str:
    return capped(services_list(svcs))


def _range(lo: int, hi: int) -> str:
    proto, first = divmod(lo, 65536)
    last_proto, last = divmod(hi, 65536)
    name = PROTOCOL_NAMES.get(proto, f"proto {proto}")
    if last_proto != proto:
        return f"{name}/{first} through {PROTOCOL_NAMES.get(last_proto, f'proto {last_proto}')}/{last}"
    if first == 0 and last == 65535:
        return name if name == "icmp" else f"{name}/any"
    return f"{name}/{first}" if first == last else f"{name}/{first}-{last}"
