"""Render stage (audit report): the rules a result's evidence cites, for the report's rule index."""

from __future__ import annotations

from collections.abc import Iterator

from segverify.results import (
    BlastWitness,
    ClosedSetCertificate,
    Hop,
    MatrixWitness,
    PacketWitness,
    PathWitness,
    PolicyResult,
    RegionCertificate,
    ResilienceWitness,
    RuleRef,
)


def cited_rules(r: PolicyResult) -> set[str]:
    """Names of the rules (and defaults) deciding a witness's packets or a certificate's regions and doors."""
    return {ref.name for ref in _witness_rules(r)} | {ref.name for ref in _certificate_rules(r)}


def _witness_rules(r: PolicyResult) -> Iterator[RuleRef]:
    w = r.witness
    if isinstance(w, ResilienceWitness):  # a `resilient` breach: the rules of its choice's path
        w = w.witness
    if isinstance(w, PathWitness):
        yield from _hop_rules(w.path)
    elif isinstance(w, PacketWitness):
        yield w.rule
        yield from w.rules  # with layers: the deciding rule of every layer that applies
    elif isinstance(w, MatrixWitness):
        for p in w.pairs:
            yield p.rule
            yield from p.rules
    elif isinstance(w, BlastWitness):
        for c in w.hosts:
            yield from _hop_rules(c.path)


def _hop_rules(path: tuple[Hop, ...]) -> Iterator[RuleRef]:
    for h in path:
        if h.rule is not None:
            yield h.rule
        yield from h.rules


def _certificate_rules(r: PolicyResult) -> Iterator[RuleRef]:
    c = r.certificate
    if isinstance(c, RegionCertificate):
        yield from c.deciding
    elif isinstance(c, ClosedSetCertificate):
        seen: set[int] = set()  # entries certificates share are one object: look at each once
        for b in c.boundary:
            if id(b) not in seen:
                seen.add(id(b))
                yield from b.rules
