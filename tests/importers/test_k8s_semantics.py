"""The Kubernetes importer follows NetworkPolicy semantics, case by case (small hand-made clusters)."""

from __future__ import annotations

from pathlib import Path

from k8shelp import connections, namespace, pod, pods_only, policy

ALL = ["any"]


def test_no_policy_allows_everything_between_pods_and_outside(tmp_path: Path) -> None:
    conns = connections(tmp_path, pod("a"), pod("b"))
    assert pods_only(conns) == {("default.a", "default.b"): ALL, ("default.b", "default.a"): ALL}
    assert conns[("default.a", "ext-0.0.0.0-10.243.255.255")] == ALL
    assert ("default.a", "default.a") not in conns  # no self-pairs


def test_ingress_isolation_admits_the_union_of_rules(tmp_path: Path) -> None:
    spec = """
        podSelector: {matchLabels: {app: db}}
        ingress:
        - from: [{podSelector: {matchLabels: {app: web}}}]
          ports: [{port: 5432}, {protocol: UDP, port: 53, endPort: 60}]
    """
    more = """
        podSelector: {matchLabels: {app: db}}
        policyTypes: [Ingress]
        ingress: [{from: [{podSelector: {matchLabels: {app: web}}}], ports: [{protocol: SCTP, port: 9}]}]
    """
    docs = [pod("db", labels="{app: db}"), pod("web", labels="{app: web}"), pod("x"), policy("p", spec)]
    conns = pods_only(connections(tmp_path, *docs, policy("q", more)))
    assert conns[("default.web", "default.db")] == ["tcp/5432", "udp/53-60", "sctp/9"]
    assert ("default.x", "default.db") not in conns
    assert conns[("default.db", "default.x")] == ALL  # egress is not isolated


def test_both_ends_must_allow(tmp_path: Path) -> None:
    egress = """
        podSelector: {matchLabels: {app: web}}
        policyTypes: [Egress]
        egress: [{to: [{podSelector: {matchLabels: {app: db}}}], ports: [{port: 80, endPort: 90}]}]
    """
    ingress = """
        podSelector: {matchLabels: {app: db}}
        ingress: [{ports: [{port: 85, endPort: 100}]}]
    """
    docs = [
        pod("db", labels="{app: db}"),
        pod("web", labels="{app: web}"),
        policy("e", egress),
        policy("i", ingress),
    ]
    conns = pods_only(connections(tmp_path, *docs))
    assert conns[("default.web", "default.db")] == ["tcp/85-90"]


def test_named_ports_resolve_on_each_destination(tmp_path: Path) -> None:
    spec = """
        podSelector: {}
        ingress: [{ports: [{port: http}]}]
    """
    a = pod("a", ports="[{name: http, containerPort: 8080}]")
    b = pod("b", ports="[{name: http, containerPort: 80, protocol: UDP}]")
    conns = pods_only(connections(tmp_path, a, b, pod("c", labels="{}"), policy("p", spec)))
    assert conns[("default.b", "default.a")] == ["tcp/8080"]
    assert ("default.a", "default.b") not in conns  # the rule says TCP, b's `http` is UDP


def test_namespace_selectors_and_match_expressions(tmp_path: Path) -> None:
    spec = """
        podSelector: {}
        ingress:
        - from:
          - namespaceSelector: {matchExpressions: [{key: team, operator: In, values: [blue]}]}
            podSelector: {matchExpressions: [{key: role, operator: NotIn, values: [batch]}]}
    """
    docs = [
        pod("api", ns="prod"),
        namespace("blue", "{team: blue}"),
        namespace("red", "{team: red}"),
        pod("web", ns="blue"),
        pod("job", ns="blue", labels="{role: batch}"),
        pod("web", ns="red"),
        policy("p", spec, ns="prod"),
    ]
    conns = pods_only(connections(tmp_path, *docs))
    into_api = sorted(src for src, dst in conns if dst == "prod.api")
    assert into_api == ["blue.web"]


def test_pod_before_its_namespace_keeps_the_labels(tmp_path: Path) -> None:
    spec = """
        podSelector: {}
        ingress: [{from: [{namespaceSelector: {matchLabels: {team: blue}}}]}]
    """
    docs = [
        pod("web", ns="blue"),
        policy("p", spec, ns="prod"),
        pod("api", ns="prod"),
        namespace("blue", "{team: blue}"),
    ]
    assert ("blue.web", "prod.api") in connections(tmp_path, *docs)


def test_ip_block_with_except_and_external_zones(tmp_path: Path) -> None:
    spec = """
        podSelector: {}
        policyTypes: [Ingress, Egress]
        ingress: [{from: [{ipBlock: {cidr: 192.168.0.0/16, except: [192.168.1.0/24]}}]}]
        egress: [{to: [{ipBlock: {cidr: 203.0.113.0/24}}], ports: [{port: 443}]}]
    """
    conns = connections(tmp_path, pod("a"), policy("p", spec))
    assert conns == {
        ("ext-192.168.0.0-192.168.0.255", "default.a"): ALL,
        ("ext-192.168.2.0-192.168.255.255", "default.a"): ALL,
        ("default.a", "ext-203.0.113.0-203.0.113.255"): ["tcp/443"],
    }


def test_empty_rule_allows_all_and_empty_list_allows_nothing(tmp_path: Path) -> None:
    open_spec = "podSelector: {matchLabels: {app: a}}\ningress: [{}]"
    shut_spec = "podSelector: {matchLabels: {app: b}}\ningress: []"
    docs = [
        pod("a", labels="{app: a}"),
        pod("b", labels="{app: b}"),
        policy("o", open_spec),
        policy("s", shut_spec),
    ]
    conns = pods_only(connections(tmp_path, *docs))
    assert conns == {("default.b", "default.a"): ALL}


def test_default_policy_types_egress_only_when_rules_are_given(tmp_path: Path) -> None:
    # Kubernetes adds Egress to missing policyTypes only for a non-empty egress list (NCA differs).
    bug = Path(__file__).parent / "nca_bugs" / "empty-egress-list.yaml"
    conns = connections(tmp_path, bug.read_text(encoding="utf-8"))
    assert conns[("default.client", "default.server")] == ALL
    assert ("default.server", "default.client") not in conns


def test_exists_beside_a_namespace_selector(tmp_path: Path) -> None:
    bug = Path(__file__).parent / "nca_bugs" / "exists-beside-namespace-selector.yaml"
    conns = connections(tmp_path, bug.read_text(encoding="utf-8"))
    assert conns[("other.client", "default.server")] == ALL


WEB_DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: c, image: x}]}
"""


def test_workloads_and_typed_lists(tmp_path: Path) -> None:
    deployment = WEB_DEPLOYMENT
    pod_list = """\
apiVersion: v1
kind: PodList
items:
- metadata: {name: db, namespace: shop, labels: {app: db}}
  spec: {containers: [{name: c, image: x}]}
"""
    spec = """
        podSelector: {matchLabels: {app: db}}
        ingress: [{from: [{podSelector: {matchLabels: {app: web}}}], ports: [{port: 5432}]}]
    """
    conns = pods_only(connections(tmp_path, deployment, pod_list, policy("db", spec, ns="shop")))
    assert conns == {("shop.web", "shop.db"): ["tcp/5432"], ("shop.db", "shop.web"): ALL}


def test_pods_owned_by_an_imported_workload_are_its_replicas(tmp_path: Path) -> None:
    deployment = WEB_DEPLOYMENT
    replica = """\
apiVersion: v1
kind: Pod
metadata:
  name: web-5d8f-abcde
  namespace: shop
  labels: {app: web}
  ownerReferences: [{kind: Deployment, name: web, apiVersion: apps/v1, uid: x}]
spec: {containers: [{name: c, image: x}]}
"""
    relabelled = replica.replace("web-5d8f-abcde", "web-5d8f-fghij").replace(
        "{app: web}", "{app: web, canary: 'yes'}"
    )
    conns = pods_only(connections(tmp_path, deployment, replica, relabelled))
    # the replica is the Deployment's host; the pod whose labels differ keeps its own
    assert set(conns) == {("shop.web", "shop.web-5d8f-fghij"), ("shop.web-5d8f-fghij", "shop.web")}
