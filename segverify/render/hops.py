"""Render stage: the one hop model of an attack path: its numbering and its wording.

Foothold steps carry no number; every other step (login, exploit, manage, harvest) takes the
next number in the order of the path. The text report, SARIF code flows and related locations,
the DOT diagrams and the HTML report all render from `steps()`, so the numbers agree
everywhere and no renderer re-parses another's text.
"""

from __future__ import annotations

from dataclasses import dataclass

from segverify.model.addresses import format_address
from segverify.render.plain import packet_json
from segverify.results import Hop, Packet, RuleRef


def rule_text(r: RuleRef) -> str:
    where = f" ({r.span})" if r.span is not None and r.span.line else ""
    return f"{r.action} by {r.name}{where}"


def packet_text(p: Packet) -> str:
    j = packet_json(p)
    return f"{j['src']} -> {j['dst']} {j['proto']}/{j['port']}"


@dataclass(frozen=True, slots=True)
class Step:
    """One hop of a path with its number (0: a foothold, which carries none)."""

    number: int
    hop: Hop

    @property
    def is_foothold(self) -> bool:
        return self.number == 0

    @property
    def words(self) -> str:
        """The step in words, on one line, without its packet and rule."""
        return _foothold(self.hop) if self.is_foothold else _move(self.hop)

    @property
    def packet(self) -> str:
        """The packet the step sends, or ""."""
        h = self.hop
        return packet_text(h.packet) if h.packet is not None and _sends(h) else ""

    @property
    def rule(self) -> str:
        """The rule that decides the step's packet, or ""."""
        h = self.hop
        if h.rule is None or not _sends(h):
            return ""
        # Through enforcement layers one rule cannot say why a packet passed: name every layer's.
        layers = f" (every layer: {', '.join(r.name for r in h.rules)})" if len(h.rules) > 1 else ""
        return rule_text(h.rule) + layers

    @property
    def label(self) -> str:
        """A diagram's short label: `1: ssh as alice`, `2: exploit relay`, `3: manage`, `4: harvest ops-1`."""
        h, n = self.hop, self.number
        if h.move == "login":
            return f"{n}: {h.service} as {h.credential}"
        if h.move == "exploit":
            return f"{n}: exploit {h.service}"
        if h.move == "harvest":
            return f"{n}: harvest {h.credential}"
        return f"{n}: {h.move}"

    def text_line(self) -> str:
        """The text report's line: `   foothold: ...`, or `  1. login ...` with the packet below."""
        if self.is_foothold:
            return "   foothold: " + self.words
        text = f"{self.number:>3}. " + self.words
        if self.packet:
            text += f"\n       packet {self.packet}"
        return text + (f", {self.rule}" if self.rule else "")

    def message(self) -> str:
        """One line for SARIF: `foothold: ...`, `1: login ..., packet ..., allowed by ...`."""
        if self.is_foothold:
            return "foothold: " + self.words
        parts = [f"{self.number}: {self.words}"] + ([f"packet {self.packet}"] if self.packet else [])
        return ", ".join(parts) + (f", {self.rule}" if self.rule else "")


def steps(path: tuple[Hop, ...]) -> list[Step]:
    out, n = [], 0
    for h in path:
        if h.move == "foothold":
            out.append(Step(0, h))
            continue
        n += 1
        out.append(Step(n, h))
    return out


def _sends(h: Hop) -> bool:
    """Footholds, harvests and manages send no packet: their wording names neither packet nor rule."""
    return h.move not in ("foothold", "harvest", "manage")


def _foothold(h: Hop) -> str:
    where = h.to if h.to is not None else f"any address of {h.at}"
    text = f"controls {h.to}" if h.to is not None else f"sends from {where}"
    if h.credential:
        text = f"holds {h.credential}'s credentials, " + text
    if h.address is not None:
        text += f" (e.g. {format_address(h.address)})"
    return text


def _move(h: Hop) -> str:
    if h.move == "harvest":
        return f"harvest {h.credential}'s credentials from a session on {h.at}"
    if h.move == "manage":
        return f"{h.source} manages {h.to}: control passes"
    text = f"{h.move} {h.source} -> {h.to} on {h.service}"
    return text + (f" as {h.credential}" if h.credential else "")
