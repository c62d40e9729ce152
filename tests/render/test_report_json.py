"""What the JSON report says of proofs and blast witnesses: summaries and digests, nearest paths."""

from __future__ import annotations

import hashlib
import json

from segverify.evidence.digest import CertificateDigests
from segverify.render.plain import BLAST_PATHS, certificate_json, certificate_summary, witness_json
from segverify.results import (
    BlastWitness,
    Blocked,
    ClosedSetCertificate,
    ControlledHost,
    Hop,
    RuleRef,
)

DENY = RuleRef(name="deny-all", action="deny", index=3)
DEFAULT = RuleRef(name="default:inter_zone", action="deny")


def test_a_blast_witness_keeps_the_nearest_paths_and_names_every_host() -> None:
    hosts = tuple(ControlledHost(f"h{i:03d}", (Hop("foothold", to="h000"),)) for i in range(BLAST_PATHS + 20))
    small = witness_json(BlastWitness(hosts, max_hosts=3))
    assert small["count"] == len(hosts) == len(small["hosts"])
    assert [h["host"] for h in small["hosts"]] == [c.host for c in hosts]
    assert all("path" in h for h in small["hosts"][:BLAST_PATHS])
    assert not any("path" in h for h in small["hosts"][BLAST_PATHS:])
    # A max_hosts above the cap still shows a path for one host more than it allows.
    wide = witness_json(BlastWitness(hosts, max_hosts=BLAST_PATHS + 5))
    assert sum(1 for h in wide["hosts"] if "path" in h) == BLAST_PATHS + 6


def test_a_closed_set_summary_counts_by_reason_and_rule() -> None:
    boundary = (
        Blocked("login", "a", "ssh", "no-allowed-packet", (DENY, DEFAULT)),
        Blocked("exploit", "b", "http", "no-allowed-packet", (DEFAULT,)),
        Blocked("login", "c", "rdp", "mfa"),
        Blocked("login", "d", "ssh", "no-usable-credential"),
    )
    cert = ClosedSetCertificate(("x", "y"), ("alice",), ("zone:corp",), boundary, excluded=("jump",))
    assert certificate_summary(cert) == {
        "hosts": 2,
        "credentials": 1,
        "senders": 1,
        "excluded": 1,
        "boundary": 4,
        "blocked": {"no-allowed-packet": 2, "mfa": 1, "no-usable-credential": 1},
        "denied_by": {"default:inter_zone": 2, "deny-all": 1},
    }
    canonical = json.dumps(certificate_json(cert), sort_keys=True, separators=(",", ":"))
    assert CertificateDigests().of(cert) == hashlib.sha256(canonical.encode()).hexdigest()


def test_one_digester_over_shared_entries_and_boundaries_gives_each_canonical_hash() -> None:
    """The digester reuses encoded entries, rule lists, door texts and boundary hashes across
    certificates: each hash must still be that of the certificate's own canonical JSON."""
    rules = (DENY, DEFAULT)
    same_rules = tuple(rules)  # an equal tuple, another object
    entries = (
        Blocked("login", "ünïcode-host", "ssh", "no-allowed-packet", rules, ("no-allowed-packet",)),
        Blocked("login", "b", "ssh", "mfa", (), ("mfa",)),
        Blocked("exploit", "b", "http", "no-allowed-packet", same_rules),
        Blocked(
            "login",
            'c\u2028"q',
            "rdp",
            "no-usable-credential",
            (DEFAULT,),
            ("no-allowed-packet", "no-usable-credential"),
        ),
        Blocked("login", "d", "", "mfa"),
    )
    boundaries = [entries, entries, entries[::-1], entries[1:], (), entries[:2] + entries[:2]]
    certs = [
        ClosedSetCertificate(
            (f"x{i}",), ("alice",) * (i % 2), ("zone:corp",), b, excluded=("jump",) * (i % 3 == 0)
        )
        for i, b in enumerate(boundaries)
    ]
    digests = CertificateDigests()
    for cert in certs + certs[::-1]:
        canonical = json.dumps(certificate_json(cert), sort_keys=True, separators=(",", ":"))
        assert digests.of(cert) == hashlib.sha256(canonical.encode()).hexdigest()
