"""The quickstart example loads into the expected model, and the CLI validates it."""

from __future__ import annotations

from typer.testing import CliRunner  # noqa: TID251 (tests drive the CLI)

from segverify.cli import app
from segverify.model.load import load_model


def test_quickstart_loads() -> None:
    model = load_model(["examples/quickstart"])
    assert list(model.zones) == ["internet", "office", "shop"]
    assert [h for h in model.hosts.values() if h.fleet] == [model.hosts["laptops"]]
    assert model.hosts["laptops"].span.line == 10
    assert [f.index for f in model.flows] == list(range(len(model.flows)))
    assert {p.kind for p in model.policies} == {"isolated", "only_via", "no_flow"}


def test_cli_validate_prints_summary() -> None:
    result = CliRunner().invoke(app, ["validate", "examples/quickstart"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("valid: 3 zones, 5 hosts (1 fleet), 3 accounts, 3 groups, 5 flows")
