"""`segverify import k8s` and `segverify connectivity` from the command line: files, warnings, errors."""

from __future__ import annotations

import json
from pathlib import Path

from k8shelp import pod, policy, run

from bench.synth.k8s import generate_cluster

SPEC = """
    podSelector: {matchLabels: {app: db}}
    ingress: [{from: [{podSelector: {matchLabels: {app: web}}}], ports: [{port: 5432}]}]
"""


def manifests(folder: Path) -> Path:
    sub = folder / "k8s" / "nested"
    sub.mkdir(parents=True)
    (sub / "pods.yaml").write_text(pod("db", labels="{app: db}") + "---\n" + pod("web", labels="{app: web}"))
    (folder / "k8s" / "policy.yml").write_text(policy("db", SPEC))
    return folder / "k8s"


def test_import_writes_a_commented_model_traced_to_each_object(tmp_path: Path) -> None:
    code, _, err = run("import", "k8s", str(manifests(tmp_path)), "--output", str(tmp_path / "model"))
    assert code == 0, err
    text = (tmp_path / "model" / "cluster.yaml").read_text()
    assert "segverify: 1" in text
    assert '"default.db": {zone: "default", address: 10.244.0.1}' in text
    assert "nested/pods.yaml:1 Pod default/db" in text  # each host names its file and object
    assert "policy.yml:6 NetworkPolicy default/db ingress rule 1" in text
    assert "imported: 2 hosts" in err


def test_the_same_input_gives_the_same_bytes(tmp_path: Path) -> None:
    src = tmp_path / "c.yaml"
    src.write_text(generate_cluster(3, pods=12, policies=5))
    outs = []
    for name in ("a", "b"):
        assert run("import", "k8s", str(src), "-o", str(tmp_path / name))[0] == 0
        outs.append((tmp_path / name / "cluster.yaml").read_bytes())
    assert outs[0] == outs[1]


def test_unsupported_objects_are_warned_about_with_their_place(tmp_path: Path) -> None:
    calico = "apiVersion: crd.projectcalico.org/v1\nkind: GlobalNetworkPolicy\nmetadata: {name: deny}\n"
    bad_name = pod("Web_1")
    sctp_less = policy("p", "podSelector: {}\ningress: [{ports: [{protocol: ICMP}]}]")
    (tmp_path / "c.yaml").write_text("---\n".join([pod("a"), calico, bad_name, sctp_less]))
    code, _, err = run("import", "k8s", str(tmp_path / "c.yaml"), "-o", str(tmp_path / "out"))
    assert code == 0
    lines = [line for line in err.splitlines() if "warning" in line]
    assert any(
        ":6:1: warning: a Calico GlobalNetworkPolicy" in line and "may narrow" in line for line in lines
    )
    assert any(":10:1: warning: Pod name 'Web_1' would be rejected" in line for line in lines)
    assert any("protocol 'ICMP'" in line for line in lines)


def test_bad_yaml_is_exit_2_with_its_place(tmp_path: Path) -> None:
    (tmp_path / "c.yaml").write_text(pod("a") + "---\nkind: Pod\nmetadata: [unclosed\n")
    code, out, err = run("connectivity", "--from", "k8s", str(tmp_path / "c.yaml"))
    assert code == 2 and out == ""
    assert f"{tmp_path / 'c.yaml'}:8:1: error[yaml-syntax]" in err and "Traceback" not in err


def test_connectivity_formats(tmp_path: Path) -> None:
    path = manifests(tmp_path)
    outputs = {}
    for fmt in ("txt", "json", "csv", "dot"):
        code, out, err = run("connectivity", "--from", "k8s", str(path), "--format", fmt)
        assert code == 0, err
        outputs[fmt] = out
    assert "default.web => default.db : tcp/5432\n" in outputs["txt"]
    assert "default.web,default.db,tcp/5432\n" in outputs["csv"]
    assert '"default.web" -> "default.db" [label="tcp/5432"];' in outputs["dot"]
    body = json.loads(outputs["json"])
    assert set(body) == {"segverify_connectivity", "connections"}
    pairs = [(c["src"], c["dst"]) for c in body["connections"]]
    assert pairs == sorted(pairs) and ("default.db", "default.db") not in pairs
    assert run("connectivity", "--from", "k8s", str(path), "--format", "xml")[0] == 2
    assert run("connectivity", "--from", "nope", str(path))[0] == 2


def test_connectivity_of_an_ordinary_model() -> None:
    code, out, err = run("connectivity", "examples/quickstart", "--format", "json")
    assert code == 0, err
    assert json.loads(out)["connections"]


def test_check_from_k8s_reads_manifests_and_policy_packs(tmp_path: Path) -> None:
    """The imported model is loaded with the packs; an unknown host in a pack is bad input (exit 2)
    with the pack's own place, which shows the pack was read against the imported model."""
    pack = tmp_path / "pack.yaml"
    pack.write_text(
        "segverify: 1\npolicies:\n  - id: K-1\n    no_flow: {from: default.web, to: default.nothere}\n"
    )
    code, _, err = run("check", "--from", "k8s", str(manifests(tmp_path)), "--policy", str(pack))
    assert code == 2
    assert f"{pack}:4:" in err and "default.nothere" in err
    assert run("check", "--from", "yaml", str(tmp_path))[0] == 2


def test_fields_outside_networking_v1_are_warned_about(tmp_path: Path) -> None:
    spec = """
        podSelector: {}
        ingress:
        - from: [{podSelector: {}, serviceAccountSelector: {}}]
          ports: [{port: 80, http: {paths: [/admin]}}]
          action: Deny
    """
    (tmp_path / "c.yaml").write_text(pod("a") + "---\n" + policy("p", spec))
    code, _, err = run("import", "k8s", str(tmp_path / "c.yaml"), "-o", str(tmp_path / "out"))
    assert code == 0
    for field, line in (("serviceAccountSelector", 12), ("http", 13), ("action", 14)):
        assert any(
            f":{line}:" in w and f"field '{field}'" in w and "may narrow" in w for w in err.splitlines()
        )
