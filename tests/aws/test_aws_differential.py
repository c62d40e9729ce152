"""Differential: the imported model (layer by layer through segverify's semantics) against the AWS oracle."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from segverify.importers.aws.command import import_aws
from tests.aws.generate import probe_addresses, probe_services, random_vpc
from tests.aws.layered import allowed, deciding, load_layers
from tests.aws.oracle import Aws


def _compare(seed: int, tmp_path: Path) -> int:
    doc = random_vpc(seed)
    source = tmp_path / f"vpc-{seed}.json"
    source.write_text(json.dumps(doc, indent=2))
    text, _ = import_aws([str(source)])
    layers, aws = load_layers(text), Aws(doc)
    addresses, checked = probe_addresses(doc), 0
    for src in addresses:
        for dst in addresses:
            if src == dst:
                continue
            for proto, port in probe_services():
                want = aws.allowed(src, dst, proto, port)
                got = allowed(layers, src, dst, proto * 65536 + port)
                why = deciding(layers, src, dst, proto * 65536 + port)
                assert got == want, f"seed {seed}: {src} -> {dst} {proto}/{port}: {why}"
                checked += 1
    return checked


@pytest.mark.parametrize("seed", range(12))
def test_imported_model_filters_as_aws_does(seed: int, tmp_path: Path) -> None:
    assert _compare(seed, tmp_path) > 0


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(12, 400))
def test_imported_model_filters_as_aws_does_many(seed: int, tmp_path: Path) -> None:
    assert _compare(seed, tmp_path) > 0
