"""Fixtures for the CI-gate tests: the real `check` reports, computed once per session."""

from __future__ import annotations

import os

import pytest
from ci_real import ROOT, check_model, real_inputs

from segverify.model.ir import Model
from segverify.results import Report


@pytest.fixture(scope="session")
def real_checks() -> dict[str, tuple[Model, Report]]:
    """Checked from the repository root, so reports cite files as a CI run in a checkout would."""
    before = os.getcwd()
    os.chdir(ROOT)
    try:
        return {folder: check_model([folder], packs) for folder, packs in real_inputs()}
    finally:
        os.chdir(before)


@pytest.fixture(scope="session")
def real_reports(real_checks: dict[str, tuple[Model, Report]]) -> dict[str, Report]:
    return {folder: report for folder, (_, report) in real_checks.items()}
