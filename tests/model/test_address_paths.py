"""The shortcuts around ipaddress give exactly what ipaddress gives, and are taken for plain text."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from segverify.model import addresses, build_network
from segverify.model.addresses import AddressError, parse_network, plain_ipv4
from segverify.model.load import load_model

# Text near an address: digits, dots, a slash, colons, a scope, letters, space.
near_addresses = st.text(alphabet="0123456789./:%abf- ", max_size=22)


@st.composite
def ipv4_networks(draw: st.DrawFn) -> str:
    length = draw(st.integers(0, 32))
    value = draw(st.integers(0, (1 << 32) - 1)) >> (32 - length) << (32 - length) if length else 0
    text = str(ipaddress.IPv4Address(value))
    return text if length == 32 and draw(st.booleans()) else f"{text}/{length}"


def reference(text: str) -> tuple[int, int] | None:
    try:
        net = ipaddress.ip_network(text, strict=True)
    except ValueError:
        return None
    return (int(net.network_address), net.prefixlen) if net.version == 4 else None


@settings(max_examples=1000)
@given(st.one_of(near_addresses, ipv4_networks()))
@example("10.0.0.1/032")
@example("010.0.0.1")
@example("10.0.0.1/33")
@example("10.0.0.1/31")
@example("256.0.0.0")
@example("1.2.3.4/255.255.255.255")
def test_plain_ipv4_agrees_with_ipaddress(text: str) -> None:
    plain = plain_ipv4(text)
    if plain is not None:  # never accepts what ipaddress refuses, never reads it differently
        assert plain == reference(text)


@given(ipv4_networks())
def test_plain_ipv4_reads_what_ipaddress_writes(text: str) -> None:
    assert plain_ipv4(text) == reference(text)


def slow_is_network(text: str) -> bool:
    try:
        parse_network(text)
    except AddressError as exc:
        return bool(exc.hint)
    return True


@settings(max_examples=1000)
@given(st.one_of(near_addresses, ipv4_networks()))
@example("fe80::1%eth0")
@example("10.0.0.1/8")
@example("s000-web")
def test_is_network_agrees_with_parsing(text: str) -> None:
    assert build_network._is_network(text) == slow_is_network(text)


def test_names_and_plain_addresses_skip_ipaddress(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    parsed: list[str] = []

    def counting(text: str) -> addresses.IPNetwork:
        parsed.append(text)
        return parse_network(text)

    monkeypatch.setattr(build_network, "parse_network", counting)
    path = tmp_path / "m.yaml"
    path.write_text(
        "segverify: 1\nzones: {lan: {networks: [10.0.0.0/8, 'fd00::/64']}}\n"
        "hosts:\n  web: {zone: lan, address: 10.0.0.1}\n  pool: {zone: lan, address: 10.0.1.0/24}\n"
        "  v6: {zone: lan, address: 'fd00::1'}\n"
    )
    model = load_model([str(path)])
    assert parsed == ["10.0.0.0/8", "fd00::/64", "fd00::1"]  # zone networks and the IPv6 host only
    assert (model.hosts["web"].address, model.hosts["web"].fleet) == ("10.0.0.1", False)
    assert (model.hosts["pool"].address, model.hosts["pool"].addresses.size()) == ("10.0.1.0/24", 256)
