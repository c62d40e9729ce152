"""Lint stage: the registry of finding codes (as mypy's error codes): code, default level, one line.

Codes are stable kebab-case names that `--select`/`--ignore`, SARIF rule ids and tests match on:
add, never rename. A code's level may rise or fall with the finding (a shadowed rule behind rules
of its own action is a warning, not an error); the registry holds the level it usually has.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Level = Literal["error", "warning", "note"]


@dataclass(frozen=True, slots=True)
class Code:
    name: str
    level: Level
    doc: str


CODES: dict[str, Code] = {
    c.name: c
    for c in (
        Code(
            "shadowed",
            "error",
            "a rule that decides no packet: earlier rules decide all it matches (warning: same action)",
        ),
        Code(
            "partially-shadowed",
            "note",
            "part of a rule's packets is decided by earlier rules (a warning when by the opposite action)",
        ),
        Code(
            "redundant-with-default",
            "warning",
            "removing the rule changes no packet's decision: the defaults (or later rules) decide the same",
        ),
        Code(
            "overly-broad",
            "warning",
            "an allow between internal zones on any service, or from the whole internet onto a login service",
        ),
        Code(
            "empty-rule",
            "warning",
            "a rule that matches no packet at all (e.g. IPv4 sources, IPv6 destinations)",
        ),
        Code(
            "unzoned",
            "warning",
            "a rule's CIDR outside every zone, or a zone network no rule or host touches",
        ),
        Code(
            "unused",
            "note",
            "a service, account, group or tag nothing uses; a login for a memberless group; a session "
            "no one can replay; a host no allow rule reaches",
        ),
        Code("stale-waiver", "warning", "a waiver whose policy now holds"),
    )
}


def parse_codes(text: str | None, option: str) -> frozenset[str]:
    """`a,b,c` as codes; an unknown code is a ValueError whose message names the known ones."""
    if text is None:
        return frozenset()
    names = frozenset(part.strip() for part in text.split(",") if part.strip())
    unknown = sorted(names - CODES.keys())
    if unknown:
        raise ValueError(f"{option}: unknown code {', '.join(unknown)} (known: {', '.join(sorted(CODES))})")
    return names


def enabled(select: frozenset[str], ignore: frozenset[str]) -> frozenset[str]:
    """The codes to report: the selected ones (all when none is selected) minus the ignored."""
    return (select or frozenset(CODES)) - ignore
