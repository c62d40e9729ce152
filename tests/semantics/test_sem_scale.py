"""The checkers stay fast at a few hundred hosts and rules (the CLI runs them before printing)."""

from __future__ import annotations

import time

from segverify.model.ir import BlastRadiusSpec
from segverify.results import ClosedSetCertificate, Status
from segverify.semantics.context import Semantics
from segverify.semantics.policies import certificate_for, evaluate
from segverify.semantics.verify import check_certificate
from tests.semantics.scale import large_model
from tests.strategies import footholds, matrix, policy


def test_a_closed_set_of_hundreds_of_hosts_checks_in_well_under_a_second() -> None:
    model = large_model(zones=40, per_zone=15, rules=600, intra="allow")
    sem = Semantics(model)
    pol = policy(BlastRadiusSpec(footholds("internet", "z3"), 10_000))
    assert evaluate(model, pol, sem)[0] == Status.PROVED
    cert = certificate_for(model, pol, sem)
    assert isinstance(cert, ClosedSetCertificate) and len(cert.hosts) > 300
    start = time.perf_counter()
    assert check_certificate(model, pol, cert, sem) == []
    # Measured about 0.1 s; the bound leaves room for a loaded CI machine.
    assert time.perf_counter() - start < 2.0


def test_a_matrix_of_ten_zones_over_hundreds_of_rules_is_quick() -> None:
    model = large_model()
    pol = matrix(model, [f"z{i}" for i in range(10)])
    start = time.perf_counter()
    status, witness = evaluate(model, pol)
    assert status == Status.VIOLATED and witness is not None
    assert time.perf_counter() - start < 2.0
