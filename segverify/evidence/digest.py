"""Evidence stage: the SHA-256 digests that bind a report and its certificates to their inputs.

Three digests, each defined so that an auditor can recompute it (docs/cli.md):

- an input file: SHA-256 of its bytes, as `sha256sum` prints it (a shipped pack, `pack:NAME`:
  of segverify/packs/NAME.yaml as installed);
- the normalised model: SHA-256 of the model written back in the spec's format
  (segverify/model/dump.py: one canonical YAML text per section, the texts in file-name
  order, concatenated), so reformatting or reordering the YAML does not change it and any
  change to what the model means does;
- a certificate: SHA-256 of its canonical JSON, the `certificate` value of the certificate
  file encoded with sorted keys, no whitespace and ASCII escapes
  (`json.dumps(value, sort_keys=True, separators=(",", ":"))` in UTF-8); each certificate of a
  `resilient` proof's `choices` likewise, and the list of choices (each without its
  `certificate`: what it chooses and its certificate's `sha256`) as `choices_sha256`.
"""

from __future__ import annotations

import hashlib
import json
from json.encoder import encode_basestring_ascii
from typing import Any

from segverify.errors import UsageError
from segverify.model.ir import Model
from segverify.model.packs import is_pack, pack_bytes
from segverify.render.plain import ChoiceDigests, Json, certificate_json, choice_json, rule_json
from segverify.results import Blocked, Certificate, Choice, ClosedSetCertificate, Report, RuleRef

_CHUNK = 1 << 20
_STR = encode_basestring_ascii  # json.dumps's own string encoder (ensure_ascii)


def file_sha256(path: str) -> str:
    """Of a file's bytes; of a shipped pack's (`pack:NAME`, segverify/packs/NAME.yaml) for a pack."""
    if is_pack(path):
        data = pack_bytes(path)
        if data is None:
            raise UsageError(f"no shipped pack is named {path}")
        return hashlib.sha256(data).hexdigest()
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(_CHUNK), b""):
                digest.update(block)
    except OSError as exc:
        raise UsageError(f"cannot read {path} to take its SHA-256: {exc.strerror}") from None
    return digest.hexdigest()


def model_sha256(model: Model) -> str:
    from segverify.model.dump import model_files

    digest = hashlib.sha256()
    for _name, text in sorted(model_files(model).items()):
        digest.update(text.encode("utf-8"))
    return digest.hexdigest()


def canonical(value: object) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


class CertificateDigests:
    """SHA-256 of each certificate's canonical JSON, the shared parts encoded and hashed once.

    At 100,000 hosts the boundaries are ~175,000 entries each, and certificates share entries
    (engine/certificate.Entries) and, between policies from the same footholds, whole
    boundaries: each distinct entry is encoded once, from pieces that entries share in turn
    (a door's service and host, a tuple of rules, a move and its walls), and the hash of a
    boundary seen before (the same entries in the same order) is taken up where it stopped
    (hashlib's copy()). Caches keyed by id() keep the object with its text, so an id cannot
    be reused while it is a key.
    """

    def __init__(self) -> None:
        self._entries: dict[int, bytes] = {}  # by id of an entry (kept alive in _kept)
        self._kept: list[tuple[Blocked, ...]] = []  # every boundary encoded
        self._boundaries: dict[tuple[int, ...], Any] = {}  # entry ids -> hash state after them
        self._rules: dict[RuleRef, str] = {}
        self._rule_lists: dict[int, tuple[tuple[RuleRef, ...], str]] = {}  # by id of a tuple of rules
        self._heads: dict[tuple[str, str, tuple[str, ...]], str] = {}  # (move, reason, walls)
        self._tails: dict[tuple[str, str], str] = {}  # (service, to)

    def of(self, cert: Certificate) -> str:
        if not isinstance(cert, ClosedSetCertificate):
            return hashlib.sha256(canonical(certificate_json(cert)).encode("ascii")).hexdigest()
        # "boundary" sorts before every other key of a closed set (credentials, excluded,
        # hosts, senders), so the canonical text is the boundary list, then the rest's members.
        rest = canonical(certificate_json(cert, lambda _: None))
        rest = rest.replace('{"boundary":null,', "{", 1)
        digest = self._boundary(cert.boundary).copy()
        digest.update(rest[1:].encode("ascii"))
        return str(digest.hexdigest())

    def _boundary(self, entries: tuple[Blocked, ...]) -> Any:
        key = tuple(map(id, entries))
        state = self._boundaries.get(key)
        if state is None:
            self._kept.append(entries)
            known = self._entries.get  # an encoded entry is never empty: `or` encodes the rest
            texts = [known(id(b)) or self._entry(b) for b in entries]
            state = hashlib.sha256(b'{"boundary":[')
            state.update(b",".join(texts))
            state.update(b"],")
            self._boundaries[key] = state
        return state

    def _entry(self, b: Blocked) -> bytes:
        text = self._entries[id(b)] = self._blocked(b).encode("ascii")
        return text

    def _blocked(self, b: Blocked) -> str:
        """canonical(blocked_json(b)), written out: json.dumps per entry was most of the time.

        Keys in sorted order (move, reason, reasons, rules, service, to), empty values left out
        as blocked_json leaves them; tests hold the two equal.
        """
        walls = b.walls
        head = self._heads.get((b.move, b.reason, walls))
        if head is None:
            listed = "[" + ",".join(_STR(w) for w in walls) + "]"
            fields = [("move", _STR(b.move)), ("reason", _STR(b.reason)), ("reasons", listed)]
            head = self._heads[b.move, b.reason, walls] = _members(fields)
        tail = self._tails.get((b.service, b.to))
        if tail is None:
            tail = self._tails[b.service, b.to] = _members([("service", _STR(b.service)), ("to", _STR(b.to))])
        rules = ""
        if b.rules:
            kept = self._rule_lists.get(id(b.rules))
            if kept is None:
                text = '"rules":[' + ",".join(self._rule(r) for r in b.rules) + "]"
                kept = self._rule_lists[id(b.rules)] = (b.rules, text)
            rules = kept[1]
        return "{" + ",".join(part for part in (head, rules, tail) if part) + "}"

    def _rule(self, r: RuleRef) -> str:
        text = self._rules.get(r)
        if text is None:
            text = self._rules[r] = canonical(rule_json(r))
        return text


def _members(fields: list[tuple[str, str]]) -> str:
    """`"key":value` members joined by commas, empty strings left out (as blocked_json does)."""
    return ",".join(f'"{k}":{v}' for k, v in fields if v != '""')


def report_digests(report: Report) -> dict[str, str]:
    """Policy id -> its certificate's SHA-256, for every result that carries a certificate."""
    digests = CertificateDigests()
    return {r.id: digests.of(r.certificate) for r in report.results if r.certificate is not None}


def report_choice_digests(report: Report) -> dict[str, ChoiceDigests]:
    """Policy id -> its choices' certificate digests and `choices_sha256`, for resilient proofs."""
    digests = CertificateDigests()
    found = {}
    for r in report.results:
        if r.certificate is not None and r.choices:
            each = tuple(digests.of(c.certificate) for c in r.choices)
            found[r.id] = (each, choices_sha256(r.choices, each))
    return found


def choice_headers(choices: tuple[Choice, ...], each: tuple[str, ...]) -> list[Json]:
    return [{**choice_json(c), "sha256": sha} for c, sha in zip(choices, each, strict=True)]


def choices_sha256(choices: tuple[Choice, ...], each: tuple[str, ...]) -> str:
    return headers_sha256(choice_headers(choices, each))


def headers_sha256(headers: list[Json]) -> str:
    """SHA-256 of the canonical list of choices, each without its `certificate`."""
    return hashlib.sha256(canonical(headers).encode("ascii")).hexdigest()
