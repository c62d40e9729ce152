"""Located findings about user input: a stable code, a message, a span and a hint."""

from __future__ import annotations

from dataclasses import dataclass

# Stable kebab-case codes. Tests and users match on these, never on wording: add, never rename.
CODES: dict[str, str] = {
    "file-not-found": "a model or policy path does not exist or holds no YAML files",
    "file-too-large": "a file is larger than the loader accepts",
    "yaml-syntax": "the file is not valid YAML",
    "yaml-duplicate-key": "a mapping names the same key twice",
    "yaml-forbidden-tag": "a YAML tag that could construct objects or is unknown",
    "yaml-too-large": "the document expands (through aliases) beyond the node limit",
    "empty-file": "the file holds no document",
    "missing-version": "the file does not start with `segverify: 1`",
    "bad-version": "`segverify:` names a version this release does not read",
    "unknown-key": "a key the format does not define",
    "wrong-type": "a value of the wrong type",
    "missing-field": "a required field is absent",
    "bad-value": "a value outside the allowed choices",
    "duplicate-name": "a name defined twice (across files too)",
    "dangling-ref": "a reference to a zone, host, CIDR or tag that does not exist",
    "unknown-service": "a service name that is neither defined nor built in",
    "unknown-principal": "an account or group that does not exist",
    "unknown-policy": "a waiver names a policy id that does not exist",
    "unknown-tag": "a `tag:` reference that matches no zone or host",
    "member-of-account": "`member_of` names an account; it takes groups only",
    "membership-cycle": "groups are members of each other in a cycle",
    "bad-cidr": "a malformed address or network, or one with host bits set",
    "bad-port": "a malformed port spec, a port outside 0-65535 or an empty range",
    "zones-overlap": "two internal zones share addresses (or two external zones the same network)",
    "host-outside-zone": "a host's address is not inside its zone",
    "hosts-share-address": "two single hosts (not fleets) have the same address",
    "vulnerable-not-offered": "`vulnerable` names a service the host does not offer",
    "bad-date": "a date that is not YYYY-MM-DD",
    "bad-encoding": "the file is not UTF-8 text or holds characters YAML does not allow",
    "json-syntax": "an imported file is not valid JSON",
    "aws-shape": "an AWS describe-* object lacks a field or has one of the wrong type",
    "aws-unknown-ref": "an ENI names a subnet or security group that no imported file describes",
    "layers-unsupported": "a command that does not yet read enforcement layers was given a layered model",
}


@dataclass(frozen=True, slots=True, order=True)
class Span:
    """Where a value was written: file as given, 1-based line and column."""

    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


NO_SPAN = Span("<builtin>", 0, 0)


@dataclass(frozen=True, slots=True)
class Diagnostic:
    code: str
    message: str
    span: Span
    hint: str = ""
    related: Span | None = None

    def __post_init__(self) -> None:
        assert self.code in CODES, f"unregistered diagnostic code {self.code!r}"

    def render(self) -> str:
        text = f"{self.span}: error[{self.code}]: {self.message}"
        if self.related is not None:
            text += f" (see also {self.related})"
        if self.hint:
            text += f"\n    hint: {self.hint}"
        return text

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.span.file, self.span.line, self.span.column, self.code)
