"""The audit report's rule index and the matrix view on layered models: every layer's rules, named
with their layer, in a fixed order; a model without layers renders byte for byte as before."""

from __future__ import annotations

import re
from pathlib import Path
from textwrap import dedent

import pytest
from render_fixtures import check_golden
from typer.testing import CliRunner  # noqa: TID251 (tests drive the CLI)

from segverify import api
from segverify.cli import app
from segverify.model.load import load_model_texts
from segverify.render.dot_matrix import matrix_cells, matrix_spec
from segverify.render.html import indexed_rules, rules_html

ROOT = Path(__file__).resolve().parent.parent.parent
TODAY = "2026-11-23"

LAYERED = """\
    segverify: 1
    zones:
      office:  {networks: [10.1.0.0/16]}
      servers: {networks: [10.2.0.0/16]}
    hosts:
      pc:  {zone: office, address: 10.1.0.5}
      web: {zone: servers, address: 10.2.0.10, services: [https, ssh]}
    flows:
      - {name: office-to-servers, from: office, to: servers, services: [https, ssh]}
    defaults: {intra_zone: allow, inter_zone: deny}
    layers:
      - name: host-fw
        applies_to: {to: web}
        flows:
          - {name: web-https, from: any, to: web, services: [https]}
          - {from: 10.1.0.0/24, to: web, services: [ssh]}
        defaults: {intra_zone: deny, inter_zone: deny}
      - name: edge
        flows:
          - {name: edge-any, from: any, to: any, services: [https]}
        defaults: {intra_zone: allow, inter_zone: allow}
    policies:
      - id: L-001
        reachable: {from: office, to: web, services: [ssh]}
      - id: L-002
        matrix:
          zones: [office, servers]
          allow:
            office -> servers: [https, ssh]
    """


def rows(section: str) -> list[list[str]]:
    """The index's body rows as plain text cells."""
    body = section[section.index("<tbody>") :]
    return [
        [re.sub(r"<[^>]+>", "", cell) for cell in re.findall(r"<td>(.*?)</td>", row)]
        for row in re.findall(r"<tr>(.*?)</tr>", body)
    ]


def test_the_rule_index_lists_every_layers_rules_named_with_their_layer() -> None:
    model = load_model_texts([("m.yaml", dedent(LAYERED))])
    report = api.check(model)
    section = rules_html(model, report, {r.id: r.id for r in report.results})
    assert "<th>layer</th>" in section
    got = [(r[1], r[2], r[3]) for r in rows(section)]
    assert got == [
        ("top level", "office-to-servers", "allow"),
        ("top level", "default:intra_zone", "allow"),
        ("top level", "default:inter_zone", "deny"),
        ("host-fw", "web-https", "allow"),
        ("host-fw", "rule-3", "allow"),  # unnamed: its position among every layer's rules
        ("host-fw", "default:intra_zone@host-fw", "deny"),
        ("host-fw", "default:inter_zone@host-fw", "deny"),
        ("edge", "edge-any", "allow"),
        ("edge", "default:intra_zone@edge", "allow"),
        ("edge", "default:inter_zone@edge", "allow"),
    ]
    by_rule = {r[2]: r for r in rows(section)}
    # L-001's witness (ssh from outside the admins' subnet) cites the deciding rule of every layer
    assert (
        "L-001" in by_rule["office-to-servers"][-1] and "L-001" in by_rule["default:inter_zone@host-fw"][-1]
    )
    assert "where the layer applies: any → web" in by_rule["web-https"][4]
    assert "where the layer applies" not in by_rule["edge-any"][4]  # edge applies everywhere
    assert by_rule["default:inter_zone@host-fw"][5] == "m.yaml:12"  # a layer's default: where the layer is
    assert [r[0] for r in rows(section)][:5] == ["1", "", "", "2", "3"]
    assert rules_html(model, report, {r.id: r.id for r in report.results}) == section  # deterministic


def test_indexed_rules_of_a_model_without_layers_are_the_top_level_ones() -> None:
    model = load_model_texts(
        [("m.yaml", dedent(re.sub(r"(?ms)^    layers:\n.*?(?=^    policies:)", "", LAYERED)))]
    )
    assert [(layer, ref.name) for layer, ref, _, _ in indexed_rules(model)] == [
        ("", "office-to-servers"),
        ("", "default:intra_zone"),
        ("", "default:inter_zone"),
    ]


def test_the_unlayered_report_is_unchanged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The flagship example's rule index, byte for byte as before layers were indexed."""
    monkeypatch.chdir(ROOT)
    out = tmp_path / "flawed.html"
    args = ["examples/remote-access-vendor/flawed", "-p", "policies/three-plane.yaml"]
    args += ["-p", "policies/baseline.yaml", "--today", TODAY, "--report", str(out)]
    result = CliRunner().invoke(app, ["check", *args])
    assert result.exit_code == 1, result.stderr
    text = out.read_text(encoding="utf-8")
    section = text[text.index('<section id="rules">') :]
    section = section[: section.index("</section>") + len("</section>")]
    assert "<th>layer</th>" not in section
    check_golden("example-remote-access-vendor_flawed-rule-index.html", section + "\n")


def test_the_layered_report_indexes_the_layers(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(dedent(LAYERED), encoding="utf-8")
    out = tmp_path / "r.html"
    result = CliRunner().invoke(app, ["check", str(path), "--today", TODAY, "--report", str(out)])
    assert result.exit_code == 1, result.stderr
    text = out.read_text(encoding="utf-8")
    for name in ("web-https", "rule-3", "default:inter_zone@host-fw", "edge-any", "default:inter_zone@edge"):
        assert f"<td>{name}</td>" in text
    ids = re.findall(r' id="([^"]+)"', text)
    assert len(ids) == len(set(ids))


def test_the_matrix_lists_every_layers_rules_opening_a_pair() -> None:
    model = load_model_texts([("m.yaml", dedent(LAYERED))])
    policy = next(p for p in model.policies if p.id == "L-002")
    cells = {(c.source, c.destination): c for c in matrix_cells(model, matrix_spec(policy), None)}
    listed = [(o.rule, o.service) for o in cells["office", "servers"].openings]
    assert listed == [
        ("office-to-servers (m.yaml:9)", "https"),
        ("office-to-servers (m.yaml:9)", "ssh"),
        ("host-fw:web-https (m.yaml:15)", "https"),
        ("host-fw:rule-3 (m.yaml:16)", "ssh"),
        ("edge:edge-any (m.yaml:20)", "https"),
        ("default:inter_zone@edge", "any"),
    ]
    assert cells["office", "servers"].allowed == ("https", "ssh")
    assert cells["office", "servers"].excess == ()
    # servers -> office: the top level opens nothing, so what `edge` opens is not read as opened
    back = cells["servers", "office"]
    assert [o.rule for o in back.openings] == ["edge:edge-any (m.yaml:20)", "default:inter_zone@edge"]
    assert back.allowed == () and back.excess == ()


def test_a_layer_that_closes_a_service_keeps_it_from_reading_as_opened() -> None:
    text = dedent(LAYERED).replace("office -> servers: [https, ssh]", "office -> servers: [https]")
    model = load_model_texts([("m.yaml", text)])
    policy = next(p for p in model.policies if p.id == "L-002")
    cell = next(c for c in matrix_cells(model, matrix_spec(policy), None) if c.source == "office")
    assert cell.allowed == ("https",)
    assert cell.excess == ("ssh",)  # host-fw opens ssh from the admins' subnet: still opened somewhere
    closed = text.replace(
        "- {from: 10.1.0.0/24, to: web, services: [ssh]}", "- {from: 10.1.0.0/24, to: web, services: [http]}"
    )
    model = load_model_texts([("m.yaml", closed)])
    cell = next(c for c in matrix_cells(model, matrix_spec(policy), None) if c.source == "office")
    assert cell.excess == ()  # no layer below the top level opens ssh to the servers' zone any more
