"""Encode stage: one z3 context per check, with the packet variables every query shares."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import z3

from segverify.model.addresses import ADDR_BITS
from segverify.model.intervals import IntervalSet
from segverify.model.ports import SVC_BITS


@dataclass
class PacketVars:
    """src and dst in the 129-bit address space, svc = proto*65536 + port (24 bits)."""

    ctx: z3.Context
    src: z3.BitVecRef
    dst: z3.BitVecRef
    svc: z3.BitVecRef
    # Membership terms already built, per end and address set: a rule's sets recur in every
    # packet policy's chain, and each is costly to build through the Python API.
    members: dict[tuple[Literal["src", "dst"], IntervalSet], z3.BoolRef] = field(default_factory=dict)


def new_packet_vars() -> PacketVars:
    # A fresh context per check: no global solver state, so checks are independent and
    # reproducible (architecture: no z3.main_ctx()).
    ctx = z3.Context()
    return PacketVars(
        ctx=ctx,
        src=z3.BitVec("src", ADDR_BITS, ctx=ctx),
        dst=z3.BitVec("dst", ADDR_BITS, ctx=ctx),
        svc=z3.BitVec("svc", SVC_BITS, ctx=ctx),
    )
