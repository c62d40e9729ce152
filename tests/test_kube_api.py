"""The Kubernetes API runs code: a deploy token on it takes over the cluster (issue 16).

The built-in kube-api is a login service; the control plane manages the nodes. The model is
docs/faq.md's, with zones, flows and policies around it.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from segverify import api
from segverify.model.load import load_model
from segverify.results import PathWitness, Status

CLUSTER = """\
segverify: 1
zones:
  prod: {networks: [10.20.0.0/16]}
  build: {networks: [10.40.0.0/16]}
SERVICES
hosts:
  k8s-control: {zone: prod, address: 10.20.9.10, services: [kube-api], logins: [deploy-bot],
                manages: [k8s-nodes]}
  k8s-nodes:   {zone: prod, address: 10.20.10.0/24, services: [https]}
  ci-runner:   {zone: build, address: 10.40.0.5, sessions: [deploy-bot]}
accounts: {deploy-bot: {}}
flows: [{name: ci-deploys, from: ci-runner, to: k8s-control, services: [kube-api]}]
policies: [{id: K8S, isolated: {from: ci-runner, to: k8s-nodes}}]
"""


def check(tmp_path: Path, services: str) -> api.PolicyResult:
    path = tmp_path / "cluster.yaml"
    path.write_text(CLUSTER.replace("SERVICES", services), encoding="utf-8")
    (result,) = api.check(load_model([str(path)]), api.CheckOptions(today=date(2026, 11, 23))).results
    return result


def test_a_deploy_token_on_the_kube_api_takes_over_the_nodes(tmp_path: Path) -> None:
    result = check(tmp_path, "")
    assert result.status == Status.VIOLATED
    assert isinstance(result.witness, PathWitness)
    assert [(h.move, h.source or h.at, h.to, h.service) for h in result.witness.path] == [
        ("foothold", None, "ci-runner", None),
        ("harvest", "ci-runner", None, None),
        ("login", "ci-runner", "k8s-control", "kube-api"),
        ("manage", "k8s-control", "k8s-nodes", None),
    ]


@pytest.mark.parametrize("services", ["services: {kube-api: {ports: tcp/6443}}"])
def test_a_data_only_kube_api_is_an_explicit_override(tmp_path: Path, services: str) -> None:
    assert check(tmp_path, services).status == Status.PROVED
