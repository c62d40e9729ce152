"""Fixtures for the diagram tests: a hand-built model and its report."""

from __future__ import annotations

import pytest
from render_fixtures import quickstart, quickstart_report

from segverify.model.ir import Model
from segverify.results import Report


@pytest.fixture(scope="session")
def model() -> Model:
    return quickstart()


@pytest.fixture(scope="session")
def report(model: Model) -> Report:
    return quickstart_report(model)
