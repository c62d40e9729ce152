"""Evidence stage: a certificate file read back into certificates, its rules resolved in the model.

The reader trusts nothing: a value of the wrong shape is bad input (UsageError, exit 2); a rule
the model does not have, or cites at another place, is a reason the certificate does not check.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, cast

from segverify.errors import UsageError
from segverify.model.ir import Model
from segverify.results import (
    AccountsCertificate,
    Blocked,
    BlockedReason,
    Certificate,
    ClosedSetCertificate,
    RegionCertificate,
    RuleRef,
    default_ref,
    layer_default_ref,
    rule_ref,
)

REASONS = ("no-allowed-packet", "no-usable-credential", "mfa")


@dataclass(frozen=True, slots=True)
class Entry:
    """One certificate of the file, as written."""

    id: str
    kind: str
    sha256: str
    value: dict[str, Any]  # the `certificate` value, as read
    choices: tuple[dict[str, Any], ...] = ()  # a resilient proof's choices, each as read
    choices_sha256: str | None = None


@dataclass(frozen=True, slots=True)
class CertificateFile:
    version: str
    date: str
    inputs: tuple[tuple[str, str], ...]
    model_sha256: str
    entries: tuple[Entry, ...]


class Shape(Exception):
    """A value of the file is not what the certificate format says (becomes a UsageError)."""


def read_certificate_file(path: str) -> CertificateFile:
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except OSError as exc:
        raise UsageError(f"cannot read the certificate file {path}: {exc.strerror}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UsageError(f"{path} is not a JSON certificate file: {exc}") from None
    return certificate_file_of(data, path)


def certificate_file_of(data: object, where: str) -> CertificateFile:
    """A certificate file's JSON value, read; UsageError naming `where` if it is not one."""
    try:
        return _file(data)
    except Shape as exc:
        raise UsageError(f"{where} is not a segverify certificate file: {exc}") from None


def _file(data: object) -> CertificateFile:
    doc = _dict(data, "the document")
    if doc.get("segverify") != "1":
        raise Shape('`segverify` must be "1"')
    inputs = tuple(
        (_str(i, "file"), _str(i, "sha256"))
        for i in (_dict(x, "an input") for x in _list(doc.get("inputs"), "inputs"))
    )
    entries = tuple(_entry(_dict(x, "a certificate")) for x in _list(doc.get("certificates"), "certificates"))
    return CertificateFile(
        version=_str(doc, "version"),
        date=_str(doc, "date"),
        inputs=inputs,
        model_sha256=_str(doc, "model_sha256"),
        entries=entries,
    )


def _entry(item: dict[str, Any]) -> Entry:
    choices = tuple(_choice(_dict(c, "a choice")) for c in _list(item.get("choices", []), "choices"))
    whole = item.get("choices_sha256")
    if whole is not None and not isinstance(whole, str):
        raise Shape("`choices_sha256` must be a string")
    return Entry(
        id=_str(item, "id"),
        kind=_str(item, "kind"),
        sha256=_str(item, "sha256"),
        value=_dict(item.get("certificate"), "`certificate`"),
        choices=choices,
        choices_sha256=whole,
    )


def _choice(item: dict[str, Any]) -> dict[str, Any]:
    _str(item, "sha256")
    _dict(item.get("certificate"), "a choice's `certificate`")
    chosen = [k for k in ("every_control_failed", "accounts", "failed") if k in item]
    if len(chosen) != 1:
        raise Shape("a choice has one of `every_control_failed`, `accounts` or `failed`")
    if "every_control_failed" in item and item["every_control_failed"] is not True:
        raise Shape("`every_control_failed` must be true")
    if "accounts" in item:
        _strs(item, "accounts")
        _strs(item, "places")
    for c in _list(item.get("failed", []), "failed"):
        control = _dict(c, "a failed control")
        for key in ("kind", "name", *(k for k in ("from", "to") if k in control)):
            _str(control, key)
    return item


def _dict(value: object, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise Shape(f"{what} must be an object")
    return cast(dict[str, Any], value)


def _list(value: object, what: str) -> list[Any]:
    if not isinstance(value, list):
        raise Shape(f"`{what}` must be a list")
    return value


def _str(item: dict[str, Any], key: str) -> str:
    value = item.get(key)
    if not isinstance(value, str):
        raise Shape(f"`{key}` must be a string")
    return value


def _strs(item: dict[str, Any], key: str) -> tuple[str, ...]:
    values = _list(item.get(key, []), key)
    if not all(isinstance(v, str) for v in values):
        raise Shape(f"`{key}` must list strings")
    return tuple(values)


# ---- certificates ----------------------------------------------------------------------------


class Rules:
    """A certificate's rule citations resolved to the model's rules (unique names); mismatches noted."""

    def __init__(self, model: Model) -> None:
        self.model = model
        # Every layer's rules (names are unique across layers) and every layer's defaults.
        self.by_name = {f.name: rule_ref(f) for f in model.all_flows()}
        for layer in model.layers:
            for intra, action in ((True, layer.intra_zone), (False, layer.inter_zone)):
                ref = layer_default_ref(layer.name, action, intra)
                self.by_name[ref.name] = ref
        self.problems: list[str] = []

    def ref(self, value: object) -> RuleRef:
        item = _dict(value, "a rule")
        name = _str(item, "name")
        if name in ("default:intra_zone", "default:inter_zone"):
            ref = default_ref(self.model.defaults, name == "default:intra_zone")
        elif name in self.by_name:
            ref = self.by_name[name]
        else:
            self.problems.append(f"rule {name} is not a rule of the model")
            return RuleRef(name=name, action="deny" if item.get("action") == "deny" else "allow")
        # By name, action and line: the file is cited as given, relative to where check ran.
        cited = (item.get("action"), item.get("line"))
        actual = (ref.action, ref.span.line if ref.span else None)
        if cited != actual:
            self.problems.append(f"rule {name} is cited as {cited}, the model has {actual}")
        return ref


def parse_certificate(value: dict[str, Any], rules: Rules) -> Certificate:
    """The certificate a `certificate` value describes; raises Shape when it describes none."""
    if "boundary" in value:
        return ClosedSetCertificate(
            hosts=_strs(value, "hosts"),
            credentials=_strs(value, "credentials"),
            senders=_strs(value, "senders"),
            boundary=tuple(
                _blocked(_dict(b, "a boundary entry"), rules) for b in _list(value["boundary"], "boundary")
            ),
            excluded=_strs(value, "excluded"),
        )
    if "deciding" in value:
        queries = value.get("queries")
        if not isinstance(queries, int) or isinstance(queries, bool):
            raise Shape("`queries` must be a number")
        return RegionCertificate(tuple(rules.ref(r) for r in _list(value["deciding"], "deciding")), queries)
    if "zones" in value:
        zones = _dict(value["zones"], "`zones`")
        return AccountsCertificate(tuple((z, _strs(zones, z)) for z in zones))
    raise Shape("a certificate has `boundary`, `deciding` or `zones`")


def _blocked(item: dict[str, Any], rules: Rules) -> Blocked:
    move, reason = item.get("move"), item.get("reason")
    walls = _list(item.get("reasons", []), "reasons")  # absent in entries written before it existed
    known = all(isinstance(w, str) and w in REASONS for w in walls)
    if move not in ("login", "exploit") or reason not in REASONS or not known:
        raise Shape("a boundary entry's move is login or exploit, its reasons among " + ", ".join(REASONS))
    return Blocked(
        move="login" if move == "login" else "exploit",
        to=_str(item, "to"),
        service=_str(item, "service"),
        reason=cast(BlockedReason, reason),
        rules=tuple(rules.ref(r) for r in _list(item.get("rules", []), "rules")),
        reasons=tuple(cast(BlockedReason, w) for w in walls),
    )
