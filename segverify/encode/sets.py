"""Encode stage: membership of a bit-vector in an IntervalSet.

Address sets become disjunctions of prefix tests, each one `Extract` equality on the high
bits, which Z3 solves faster than `bvule` ranges on long rule lists.
Service sets are few short ranges, encoded as unsigned bounds.
"""

from __future__ import annotations

from typing import Literal

import z3

from segverify.encode.context import PacketVars
from segverify.model.addresses import ADDR_BITS, prefix_blocks
from segverify.model.intervals import IntervalSet


def member(pv: PacketVars, end: Literal["src", "dst"], addrs: IntervalSet) -> z3.BoolRef:
    """pv.src or pv.dst in addrs, built once per check."""
    key = (end, addrs)
    if key not in pv.members:
        pv.members[key] = addr_member(pv.src if end == "src" else pv.dst, addrs)
    return pv.members[key]


def addr_member(var: z3.BitVecRef, addrs: IntervalSet) -> z3.BoolRef:
    ctx = var.ctx
    tests = []
    for start, k in prefix_blocks(addrs):
        if k >= ADDR_BITS:
            return z3.BoolVal(True, ctx)
        width = ADDR_BITS - k
        tests.append(z3.Extract(ADDR_BITS - 1, k, var) == z3.BitVecVal(start >> k, width, ctx))
    return _any(tests, ctx)


def range_member(var: z3.BitVecRef, values: IntervalSet) -> z3.BoolRef:
    ctx = var.ctx
    size = var.size()
    tests = []
    for lo, hi in values:
        if lo == 0 and hi == (1 << size) - 1:
            return z3.BoolVal(True, ctx)
        if lo == hi:
            tests.append(var == z3.BitVecVal(lo, size, ctx))
        else:
            tests.append(
                z3.And(z3.ULE(z3.BitVecVal(lo, size, ctx), var), z3.ULE(var, z3.BitVecVal(hi, size, ctx)))
            )
    return _any(tests, ctx)


def _any(tests: list[z3.BoolRef], ctx: z3.Context) -> z3.BoolRef:
    if not tests:
        return z3.BoolVal(False, ctx)
    return tests[0] if len(tests) == 1 else z3.Or(tests)
