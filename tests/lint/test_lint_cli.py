"""`segverify lint` from the command line: the worked example's findings, codes, formats, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner  # noqa: TID251 (tests drive the CLI)

from segverify.cli import app
from segverify.lint.codes import CODES

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = "examples/acl-lint"
DATA = "tests/lint/data"

# The findings examples/acl-lint/README.md promises: (line, level, code, rule or subject).
EXPECTED = [
    (8, "note", "unused", "laptops"),
    (19, "error", "shadowed", "laptops-to-web"),
    (23, "warning", "shadowed", "laptops-no-db"),
    (32, "warning", "overly-broad", "anywhere-ssh-to-web"),
    (32, "warning", "partially-shadowed", "anywhere-ssh-to-web"),
    (36, "warning", "redundant-with-default", "web-to-db"),
]


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(autouse=True)
def _at_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def findings(*args: str) -> tuple[int, list[dict[str, object]]]:
    code, out, _ = run("lint", *args, "--format", "json")
    doc = json.loads(out)
    assert set(doc) == {"segverify_lint", "findings"} and doc["segverify_lint"] == 1
    return code, doc["findings"]


def named(f: dict[str, object]) -> str:
    where = f["rule"] if "rule" in f else f["subject"]
    assert isinstance(where, dict)
    return str(where["name"])


def test_the_worked_example_gives_the_findings_its_readme_promises() -> None:
    code, found = findings(EXAMPLE)
    got = [(f["rule" if "rule" in f else "subject"]["line"], f["level"], f["code"], named(f)) for f in found]  # type: ignore[index]
    assert got == EXPECTED
    assert code == 1  # the shadowed permit is an error
    shadowed = [f for f in found if f["code"] == "shadowed"]
    assert all(
        f["related"] == [{"name": "office-no-servers", "file": "examples/acl-lint/model.yaml", "line": 14}]
        for f in shadowed
    )
    partial = next(f for f in found if f["code"] == "partially-shadowed")
    assert partial["witness"] == {"src": "10.10.0.1", "dst": "10.20.0.10", "proto": "tcp", "port": 22}
    readme = (ROOT / EXAMPLE / "README.md").read_text(encoding="utf-8")
    promised = readme.split("Expected findings")[1].split("```\n")[1]
    assert promised == run("lint", EXAMPLE)[1], "the README's expected output is out of date"


def test_json_findings_keep_the_contract() -> None:
    _, found = findings(EXAMPLE)
    for f in found:
        where = "rule" if "rule" in f else "subject"
        assert set(f) - {"witness", "overlap"} == {"code", "level", "message", where, "related"}
        assert f["level"] in ("error", "warning", "note") and f["code"] in CODES
        for r in f["related"]:  # type: ignore[attr-defined]
            assert set(r) == {"name", "file", "line"}
        if "witness" in f:
            assert set(f["witness"]) == {"src", "dst", "proto", "port"}  # type: ignore[arg-type]
    partial = next(f for f in found if f["code"] == "partially-shadowed")
    assert partial["overlap"] == {
        "sources": ["10.10.0.0/16"],
        "destinations": ["10.20.0.10/32"],
        "services": ["tcp/22"],
    }


def test_select_and_ignore_pick_codes_and_the_exit_follows_errors() -> None:
    code, found = findings(EXAMPLE, "--select", "shadowed")
    assert code == 1 and {f["code"] for f in found} == {"shadowed"}
    code, found = findings(EXAMPLE, "--ignore", "shadowed,unused")
    assert code == 0 and {f["code"] for f in found} == {
        "overly-broad",
        "partially-shadowed",
        "redundant-with-default",
    }


@pytest.mark.parametrize("option", ["--select", "--ignore"])
def test_an_unknown_code_is_a_usage_error(option: str) -> None:
    code, out, err = run("lint", EXAMPLE, option, "shadowed,no-such-code")
    assert code == 2 and out == ""
    assert err.strip().splitlines() == [err.strip()] and "no-such-code" in err


def test_bad_input_exits_2_with_a_location(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("segverify: 1\nflows:\n  - name: x\n    from: nowhere\n    to: any\n    services: [any]\n")
    code, out, err = run("lint", str(bad))
    assert code == 2 and out == "" and "bad.yaml:4" in err
    assert run("lint", EXAMPLE, "--format", "xml")[0] == 2


def test_non_rule_findings_name_their_subject() -> None:
    code, found = findings(f"{DATA}/hygiene.yaml", "--today", "2026-01-01")
    got = {(f["code"], named(f), f["level"]) for f in found}
    assert got == {
        ("unused", "corporate", "note"),
        ("unused", "fleet", "note"),
        ("unused", "legacy-fax", "note"),
        ("unused", "laptops", "note"),  # sessions of interns, who log in nowhere; and unreached
        ("unused", "app", "note"),  # logins for a group with no members
        ("unused", "ghost", "note"),
        ("overly-broad", "office-to-servers-any", "warning"),
        ("overly-broad", "internet-ssh", "warning"),
        ("empty-rule", "v4-to-v6", "warning"),
        ("stale-waiver", "P-1", "warning"),
    }
    assert code == 0
    subjects = {f["subject"]["kind"] for f in found if "subject" in f}  # type: ignore[index]
    assert subjects == {"tag", "service", "host", "account", "waiver"}
    _, zoning = findings(f"{DATA}/unzoned.yaml", "--select", "unzoned")
    assert {(named(f), f["level"]) for f in zoning} == {
        ("spare", "warning"),
        ("partner-to-portal", "warning"),
    }


def test_text_github_and_sarif_carry_every_finding(tmp_path: Path) -> None:
    code, text, _ = run("lint", EXAMPLE)
    assert code == 1
    assert "examples/acl-lint/model.yaml:19:5: error[shadowed]: rule laptops-to-web" in text
    assert text.rstrip().endswith("1 error, 4 warnings, 1 note")
    _, github, _ = run("lint", EXAMPLE, "--format", "github")
    assert (
        github.count("::error ") == 1 and github.count("::warning ") == 4 and github.count("::notice ") == 1
    )
    out = tmp_path / "lint.sarif"
    assert run("lint", EXAMPLE, "--format", "sarif", "--output", str(out))[0] == 1
    run_ = json.loads(out.read_text(encoding="utf-8"))["runs"][0]
    assert [r["id"] for r in run_["tool"]["driver"]["rules"]] == sorted(CODES)
    assert [r["ruleId"] for r in run_["results"]] == [c for _, _, c, _ in EXPECTED]
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run_["results"]}
    assert uris == {"examples/acl-lint/model.yaml"}


def test_the_broad_prefix_threshold_widens_what_counts_as_the_internet(tmp_path: Path) -> None:
    model = tmp_path / "m.yaml"
    model.write_text(
        "segverify: 1\nzones:\n  servers: {networks: [10.20.0.0/16]}\n"
        "hosts:\n  web: {zone: servers, address: 10.20.0.10, services: [ssh]}\n"
        "flows:\n  - {name: partner-ssh, from: 198.51.100.0/24, to: web, services: [ssh]}\n"
    )
    _, found = findings(str(model), "--select", "overly-broad")
    assert found == []
    _, found = findings(str(model), "--select", "overly-broad", "--broad-prefix4", "24")
    assert [(f["code"], named(f)) for f in found] == [("overly-broad", "partner-ssh")]
    assert found[0]["witness"] == {"src": "198.51.100.1", "dst": "10.20.0.10", "proto": "tcp", "port": 22}
    assert run("lint", str(model), "--broad-prefix4", "33")[0] == 2


def test_a_layered_model_is_linted_layer_by_layer() -> None:
    code, found = findings(f"{DATA}/layers.yaml")
    got = [(f["code"], named(f), f.get("layer")) for f in found]
    assert got == [
        ("unused", "pc", None),
        ("shadowed", "web-https-office", "host-fw"),  # dead in its own layer, whatever the others say
        ("empty-rule", "db-postgres", "host-fw"),  # the layer applies only to packets to web
        ("redundant-with-default", "web-ssh-deny", "host-fw"),
    ]
    assert code == 0
    assert all(str(f["message"]).startswith("layer host-fw: ") for f in found if "layer" in f)
    redundant = found[-1]
    assert "default:inter_zone@host-fw (deny)" in str(redundant["message"])
    assert redundant["witness"] == {"src": "10.1.0.1", "dst": "10.2.0.5", "proto": "tcp", "port": 22}


@pytest.mark.parametrize(
    ("example", "exit_code", "layers"),
    [
        ("examples/k8s-app/model", 0, {"egress", "ingress"}),
        (
            "examples/aws-vpc/model",
            0,  # no error: the importer writes no final deny that the ACL's rule 32767 already is
            {"network-acls-outbound", "network-acls-inbound", "security-groups-egress"}
            | {"security-groups-ingress"},
        ),
    ],
)
def test_the_imported_examples_lint_with_their_layers(example: str, exit_code: int, layers: set[str]) -> None:
    code, found = findings(example)
    assert code == exit_code
    assert not [f for f in found if f["level"] == "error"]
    assert {f["layer"] for f in found if "layer" in f} == layers
    # the rule findings of a layered model are all about some layer's rules (top-level: none here)
    assert all("layer" in f for f in found if f["code"] in ("shadowed", "partially-shadowed"))


def test_an_unzoned_cidr_in_a_layer_names_the_layer(tmp_path: Path) -> None:
    model = tmp_path / "m.yaml"
    model.write_text(
        "segverify: 1\nzones:\n  office: {networks: [10.1.0.0/16]}\n"
        "hosts:\n  pc: {zone: office, address: 10.1.0.5, services: [https]}\n"
        "layers:\n  - name: fw\n    flows:\n"
        "      - {name: partner, from: 192.0.2.0/24, to: pc, services: [https]}\n"
    )
    _, found = findings(str(model), "--select", "unzoned")
    assert [(named(f), f.get("layer")) for f in found] == [("partner", "fw")]
    assert str(found[0]["message"]).startswith("layer fw: rule partner: 192.0.2.0/24 reaches outside")
