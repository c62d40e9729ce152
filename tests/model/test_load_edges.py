"""Loader edges: what counts as a model file, and the hints for mistakes model files make often."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from segverify.diagnostics import Diagnostic
from segverify.errors import ModelError
from segverify.model.load import load_model
from segverify.model.yamlio import parse_yaml

QUICKSTART = Path(__file__).resolve().parents[2] / "examples" / "quickstart" / "model.yaml"
TEXT = QUICKSTART.read_text()
LOADERS = [yaml.SafeLoader] + ([yaml.CSafeLoader] if hasattr(yaml, "CSafeLoader") else [])


def problems(*paths: Path | str) -> list[Diagnostic]:
    with pytest.raises(ModelError) as info:
        load_model([str(p) for p in paths])
    return list(info.value.diagnostics)


def edited(tmp_path: Path, old: str, new: str) -> list[Diagnostic]:
    """The diagnostics of the quickstart with one edit."""
    assert old in TEXT
    path = tmp_path / "model.yaml"
    path.write_text(TEXT.replace(old, new, 1))
    return problems(path)


# ---- which files are read ------------------------------------------------------------------------


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero here")
def test_a_link_to_a_device_is_not_a_regular_file(tmp_path: Path) -> None:
    link = tmp_path / "zero.yaml"
    link.symlink_to("/dev/zero")
    (diag,) = problems(link)
    assert (diag.code, diag.message) == ("file-not-found", f"'{link}' is not a regular file")


def test_a_pipe_is_not_read_and_a_broken_link_is_named(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.yaml")  # reading it would wait forever
    (tmp_path / "gone.yaml").symlink_to(tmp_path / "nowhere")
    messages = [d.message for d in problems(tmp_path)]  # in a folder too, not skipped silently
    assert messages == [
        f"'{tmp_path / 'gone.yaml'}' is a symbolic link to nothing",
        f"'{tmp_path / 'pipe.yaml'}' is not a regular file",
    ]


def test_yaml_suffixes_in_any_case_are_model_files_and_hidden_files_are_not(tmp_path: Path) -> None:
    zones, rest = TEXT.split("\nhosts:", 1)
    (tmp_path / "10-ZONES.YAML").write_text(zones + "\n")
    (tmp_path / "20-rest.Yml").write_text("segverify: 1\nhosts:" + rest)
    (tmp_path / ".pre-commit-config.yaml").write_text("repos: []\n")  # not a model: would be unknown-key
    (tmp_path / "notes.txt").write_text("not yaml at all: [")
    (tmp_path / "sub.yaml").mkdir()  # folders are not recursive
    model = load_model([str(tmp_path)])
    assert (len(model.zones), len(model.hosts), len(model.policies)) == (3, 5, 3)


def test_a_hidden_file_given_by_name_is_read(tmp_path: Path) -> None:
    path = tmp_path / ".model.yaml"
    path.write_text(TEXT)
    assert len(load_model([str(path)]).zones) == 3


# ---- hints ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("loader", LOADERS, ids=lambda loader: loader.__name__)
@pytest.mark.parametrize(
    ("old", "new", "line", "hint"),
    [
        ('"::/0"', "::/0", 5, "quote an IPv6 address"),
        ("from: internet", "from: [::/0]", 50, "quote an IPv6 address"),
        ("    vulnerable: [https]", "\tvulnerable: [https]", 33, "replace the tab"),
    ],
)
def test_syntax_errors_carry_the_usual_cause(
    loader: type[yaml.SafeLoader], old: str, new: str, line: int, hint: str
) -> None:
    assert old in TEXT
    with pytest.raises(ModelError) as info:
        parse_yaml(TEXT.replace(old, new, 1), "model.yaml", loader)
    (diag,) = info.value.diagnostics
    assert (diag.code, diag.span.line) == ("yaml-syntax", line)
    assert hint in diag.hint


def test_a_syntax_error_elsewhere_gets_no_such_hint(tmp_path: Path) -> None:
    (diag,) = edited(tmp_path, "services: [https]", "services: [https")
    assert diag.code == "yaml-syntax"
    assert "IPv6" not in diag.hint and "tab" not in diag.hint


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("to: db", "to: no", "`to` must be a name"),
        ("zone: shop", "zone: on", "`zone` must be a name"),
        ("logins: [shop-ops]\n    tags", "logins: [shop-ops, off]\n    tags", "`logins` lists names"),
        ("  db:", "  yes:", "`hosts` must be keyed by host names"),
    ],
)
def test_yaml_1_1_booleans_as_names_say_quote_them(tmp_path: Path, old: str, new: str, field: str) -> None:
    diag = next(d for d in edited(tmp_path, old, new) if d.code == "wrong-type")
    assert diag.message.startswith(field)
    assert "the boolean" in diag.message
    assert "quote such a word meant as text ('no')" in diag.hint


@pytest.mark.parametrize(("written", "found"), [("10", "the int 10"), ("10.20", "the float 10.2")])
def test_an_address_is_called_an_address(tmp_path: Path, written: str, found: str) -> None:
    (diag,) = edited(tmp_path, "address: 10.20.2.10", f"address: {written}")
    assert (
        diag.message
        == f"`address` must be an address (text, such as 10.20.0.5 or 10.20.0.0/16), found {found}"
    )
    assert "write the whole address" in diag.hint


def test_a_number_among_networks_is_an_address_too(tmp_path: Path) -> None:
    diag = edited(tmp_path, "networks: [10.20.0.0/16]", "networks: [10.20]")[0]
    assert diag.message == "`networks` lists addresses (text), found the float 10.2"


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("tcp/-1", "'tcp/-1': a port is a number 0-65535, and a range is written tcp/N-M"),
        ("tcp/5-", "'tcp/5-': a port number is missing"),
    ],
)
def test_a_negative_or_missing_port_says_so(tmp_path: Path, spec: str, message: str) -> None:
    (diag,) = edited(tmp_path, "services: [postgres]", f"services: [{spec}]")
    assert (diag.code, diag.message) == ("bad-port", message)


@pytest.mark.parametrize(
    ("networks", "shared"),
    [
        ("[10.10.128.0/17]", "the addresses 10.10.128.0/17"),
        ("[10.20.0.0/16, 10.10.100.10/32]", "the address 10.10.100.10"),
        ("[10.10.1.0/24, 10.10.4.0/23]", "addresses 10.10.1.0/24 and 10.10.4.0/23"),
        ("[10.10.1.0/24, 10.10.3.0/24, 10.10.5.0/24, 10.10.7.0/24]", "10.10.5.0/24 and 1 more range"),
    ],
)
def test_overlapping_zones_name_the_shared_addresses(tmp_path: Path, networks: str, shared: str) -> None:
    diags = edited(tmp_path, "networks: [10.20.0.0/16]", f"networks: {networks}")
    (diag,) = [d for d in diags if d.code == "zones-overlap"]
    assert diag.message.startswith("zones 'office' and 'shop' share ")
    assert diag.message.endswith(shared)
