"""Encode stage: packet questions over a region, one solver per region with assumptions.

A query asks for a packet in a sub-region that the flows allow (or deny). Many queries over
one rule list share one solver: each is guarded by a fresh literal and checked under that
assumption, rather than a fresh solver per query that would rebuild the rule list each time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import z3

from segverify.encode.context import PacketVars, new_packet_vars
from segverify.encode.flows import FlowSets, LayerChain, Region, build_chain
from segverify.encode.sets import member, range_member
from segverify.encode.solve import Budget, Outcome, new_solver, solve
from segverify.engine.pick import DOCUMENTATION, WISHES, Found, Wish
from segverify.model.addresses import ADDR_BITS
from segverify.results import Packet, RuleRef

Want = Literal["allow", "deny"]


@dataclass(frozen=True, slots=True)
class NoPacket:
    """No packet of the region is decided as asked: the solver proved it (unsat), or the region is empty."""


Answer = Found | NoPacket | Outcome  # a packet, none exists, or the solver gave up


class RegionSolver:
    """The flows over `region` (and any sub-region of it), encoded once."""

    def __init__(self, sets: FlowSets, region: Region, budget: Budget, pv: PacketVars | None = None) -> None:
        self.sets = sets
        self.pv = pv if pv is not None else new_packet_vars()
        self.chain = build_chain(sets, self.pv, region)
        self.solver = new_solver(self.pv.ctx, budget)
        self.solver.add(*self.chain.definitions)
        # Bit 128 is the address family: a packet goes IPv4 to IPv4 or IPv6 to IPv6, never across.
        top = ADDR_BITS - 1
        self.solver.add(z3.Extract(top, top, self.pv.src) == z3.Extract(top, top, self.pv.dst))
        self._literals = 0

    def _guard(self, condition: z3.BoolRef) -> z3.BoolRef:
        self._literals += 1
        lit = z3.Bool(f"q_{self._literals}", self.pv.ctx)
        self.solver.add(z3.Implies(lit, condition))
        return lit

    def _inside(self, sub: Region) -> z3.BoolRef:
        pv = self.pv
        return z3.And(member(pv, "src", sub.src), member(pv, "dst", sub.dst), range_member(pv.svc, sub.svc))

    def find(self, sub: Region, want: Want) -> Answer:
        if sub.is_empty():
            return NoPacket()
        allowed = self.chain.allowed
        decision = allowed if want == "allow" else z3.Not(allowed)
        query = self._guard(z3.And(self._inside(sub), decision))
        outcome = solve(self.solver, query)
        if outcome.verdict == "unknown":
            return outcome
        if outcome.verdict == "unsat":
            return NoPacket()
        first = self._decode()
        return self._polish(query) or first

    def _polish(self, query: z3.BoolRef) -> Found | None:
        """Once a packet exists, prefer one a reader recognises: the engine's wishes (engine/pick.py
        WISHES: tcp, a documentation source, no network or broadcast address), in its order, so
        packet witnesses and attack-path hops read alike.

        Only witnesses pay for this; proofs (unsat) never reach it.
        """
        for wish in WISHES:
            terms = self._wish_terms(wish)
            if not terms:
                return None  # the last wish asks nothing: the packet found first stands
            if solve(self.solver, query, self._guard(z3.And(*terms))).verdict == "sat":
                return self._decode()
        return None

    def _wish_terms(self, wish: Wish) -> list[z3.BoolRef]:
        pv, ctx = self.pv, self.pv.ctx

        def plain(var: z3.BitVecRef) -> z3.BoolRef:
            # engine/pick.plain: low byte not 0 or 255, and not in 0.0.0.0/8 ("this network").
            low, high = z3.Extract(7, 0, var), z3.Extract(31, 24, var)
            byte = [z3.BitVecVal(v, 8, ctx) for v in (0, 255)]
            return z3.And(low != byte[0], low != byte[1], high != byte[0])

        terms = []
        if wish.tcp:
            terms.append(z3.Extract(23, 16, pv.svc) == z3.BitVecVal(6, 8, ctx))
        if wish.documentation:
            terms.append(member(pv, "src", DOCUMENTATION))
        if wish.plain:
            terms += [plain(pv.src), plain(pv.dst)]
        return terms

    def deciding(self, sub: Region) -> list[RuleRef] | Outcome:
        """Every rule or default that decides some packet of `sub` in a layer that applies to it:
        one check per rule found, layer by layer."""
        found: list[RuleRef] = []
        for position, layer in enumerate(self.chain.layers):
            terms = self._decision_terms(layer)
            inside = self._inside(sub)
            assumptions = [self._guard(z3.And(inside, layer.applies) if layer.name else inside)]
            while True:
                outcome = solve(self.solver, *assumptions)
                if outcome.verdict == "unknown":
                    return outcome
                if outcome.verdict == "unsat":
                    break
                rule = self._layer_decision(position)
                found.append(rule)
                assumptions.append(self._guard(z3.Not(terms[rule.name])))
        return sorted(found, key=_rule_order)

    def _layer_decision(self, position: int) -> RuleRef:
        """The deciding rule of one layer (which applies) in the solver's model."""
        if len(self.chain.layers) == 1:
            return self._decode().rule
        model = self.solver.model()
        layers = self.chain.layers
        applying = [
            x for x in layers if not x.name or z3.is_true(model.eval(x.applies, model_completion=True))
        ]
        return self.chain.decided_by(model)[applying.index(layers[position])]

    def _decision_terms(self, layer: LayerChain) -> dict[str, z3.BoolRef]:
        chain = self.chain
        terms = {f.name: h for f, h in zip(layer.rules, layer.hits, strict=True)}
        terms[layer.intra.name] = z3.And(layer.unmatched, chain.same_zone)
        terms[layer.inter.name] = z3.And(layer.unmatched, z3.Not(chain.same_zone))
        return terms

    def _decode(self) -> Found:
        model = self.solver.model()
        pv = self.pv

        def value(var: z3.BitVecRef) -> int:
            return int(model.eval(var, model_completion=True).as_long())

        packet = Packet(value(pv.src), value(pv.dst), value(pv.svc))
        rules = self.chain.decided_by(model)
        cited = next((r for r in rules if r.action == "deny"), rules[0])
        return Found(packet, cited, rules if self.sets.model.layers else ())


def _rule_order(rule: RuleRef) -> tuple[int, str]:
    return (rule.index if rule.index is not None else 1 << 30, rule.name)
