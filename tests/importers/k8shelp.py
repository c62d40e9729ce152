"""Helpers for the Kubernetes importer tests: manifests written to a folder, connectivity read back."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from typer.testing import CliRunner  # noqa: TID251 (tests drive the CLI)

from segverify.cli import app

POD = """\
apiVersion: v1
kind: Pod
metadata: {{name: {name}, namespace: {ns}, labels: {labels}}}
spec: {{containers: [{{name: c, image: x, ports: {ports}}}]}}
"""


def pod(name: str, ns: str = "default", labels: str = "{}", ports: str = "[]") -> str:
    return POD.format(name=name, ns=ns, labels=labels, ports=ports)


def policy(name: str, spec: str, ns: str = "default") -> str:
    head = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n"
    head += f"metadata: {{name: {name}, namespace: {ns}}}\n"
    return head + "spec:\n" + textwrap.indent(textwrap.dedent(spec).strip("\n"), "  ") + "\n"


def namespace(name: str, labels: str = "{}") -> str:
    return f"apiVersion: v1\nkind: Namespace\nmetadata: {{name: {name}, labels: {labels}}}\n"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def connections(folder: Path, *docs: str) -> dict[tuple[str, str], list[str]]:
    """`connectivity --from k8s --format json` of the documents, as {(src, dst): services}."""
    path = folder / "manifests.yaml"
    path.write_text("---\n".join(docs), encoding="utf-8")
    code, out, err = run("connectivity", "--from", "k8s", str(path), "--format", "json")
    assert code == 0, err
    body = json.loads(out)
    assert body["segverify_connectivity"] == 1
    return {(c["src"], c["dst"]): c["services"] for c in body["connections"]}


def pods_only(conns: dict[tuple[str, str], list[str]]) -> dict[tuple[str, str], list[str]]:
    return {k: v for k, v in conns.items() if not k[0].startswith("ext-") and not k[1].startswith("ext-")}
