"""Kubernetes importer: the objects that matter to connectivity, parsed from the located YAML."""

from __future__ import annotations

from dataclasses import dataclass

from segverify.diagnostics import Span
from segverify.importers.k8s.nodes import Warning_, as_list, as_map, field, labels, text
from segverify.model.yamlio import YMap, YNode, YScalar

WORKLOAD_KINDS = ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "ReplicationController")
PROTOCOLS = ("TCP", "UDP", "SCTP")


@dataclass(frozen=True, slots=True)
class Selector:
    """A label selector: matchLabels and matchExpressions, all of which must hold ({} selects all)."""

    match: tuple[tuple[str, str], ...] = ()
    expressions: tuple[tuple[str, str, tuple[str, ...]], ...] = ()

    def selects(self, lab: dict[str, str]) -> bool:
        if any(lab.get(k) != v for k, v in self.match):
            return False
        return all(_holds(lab, key, op, values) for key, op, values in self.expressions)


def _holds(lab: dict[str, str], key: str, op: str, values: tuple[str, ...]) -> bool:
    if op == "In":
        return key in lab and lab[key] in values
    if op == "NotIn":  # a pod without the key is selected (Kubernetes' definition)
        return lab.get(key) not in values
    if op == "Exists":
        return key in lab
    return key not in lab  # DoesNotExist (read_selector refuses any other operator)


@dataclass(frozen=True, slots=True)
class Workload:
    """A bare Pod or a controller's pod template: one host of the model."""

    namespace: str
    name: str
    kind: str
    labels: dict[str, str]
    ports: dict[str, tuple[str, int]]  # container port name -> (protocol, number)
    span: Span
    offered: tuple[str, ...] = ()  # every container port as a port spec (`tcp/8080`): the host's services
    owners: tuple[tuple[str, str], ...] = ()  # (kind, name) of metadata.ownerReferences


@dataclass(frozen=True, slots=True)
class Namespace:
    name: str
    labels: dict[str, str]
    span: Span


@dataclass(frozen=True, slots=True)
class IpBlock:
    cidr: str
    excepts: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Peer:
    pods: Selector | None
    namespaces: Selector | None
    ip_block: IpBlock | None
    span: Span


@dataclass(frozen=True, slots=True)
class PortRule:
    protocol: str
    port: int | str | None  # None: every port of the protocol; str: a named container port
    end_port: int | None
    span: Span


@dataclass(frozen=True, slots=True)
class Rule:
    peers: tuple[Peer, ...] | None  # None: every source (ingress) or destination (egress)
    ports: tuple[PortRule, ...] | None  # None: every protocol and port
    span: Span


@dataclass(frozen=True, slots=True)
class NetworkPolicy:
    namespace: str
    name: str
    pod_selector: Selector
    ingress: tuple[Rule, ...] | None  # None: the policy does not isolate for ingress
    egress: tuple[Rule, ...] | None
    span: Span


def offered_ports(pod_spec: YMap | None) -> tuple[str, ...]:
    out = set()
    for key in ("initContainers", "containers"):
        for c in as_list(field(pod_spec, key)):
            for p in as_list(field(c, "ports")):
                number = field(p, "containerPort")
                proto = text(field(p, "protocol"), "TCP")
                if isinstance(number, YScalar) and isinstance(number.value, int) and proto in PROTOCOLS:
                    out.add(f"{proto.lower()}/{number.value}")
    return tuple(sorted(out))


# The fields of networking.k8s.io/v1 NetworkPolicy that carry meaning; any other is warned about.
KNOWN_FIELDS = {
    "spec": frozenset({"podSelector", "policyTypes", "ingress", "egress"}),
    "from": frozenset({"from", "ports"}),
    "to": frozenset({"to", "ports"}),
    "peer": frozenset({"podSelector", "namespaceSelector", "ipBlock"}),
    "port": frozenset({"protocol", "port", "endPort"}),
}

WHERE = {
    "spec": "a NetworkPolicy spec",
    "from": "an ingress rule",
    "to": "an egress rule",
    "peer": "a peer",
    "port": "a port entry",
}


class Parser:
    """Parses objects, collecting a warning for each part it cannot import."""

    def __init__(self) -> None:
        self.warnings: list[Warning_] = []

    def known_fields(self, node: YMap | None, kind: str) -> None:
        """Warn about fields this importer does not read (another API's, L7, a typo)."""
        for key in node.keys() if node is not None else ():
            if key not in KNOWN_FIELDS[kind]:
                where = WHERE[kind]
                message = f"field '{key}' of {where} is not networking.k8s.io/v1: ignored"
                self.warn(node.key_span(key) if node is not None else Span("", 0, 0), message, False)

    def warn(self, span: Span, message: str, widens: bool | None = None) -> None:
        self.warnings.append(Warning_(span, message, widens))

    def selector(self, node: YNode | None) -> Selector | None:
        m = as_map(node)
        if m is None:
            return None
        exprs = []
        for item in as_list(m.get("matchExpressions")):
            e = as_map(item)
            op = text(field(e, "operator"))
            if e is None or op not in ("In", "NotIn", "Exists", "DoesNotExist"):
                span = item.span
                self.warn(
                    span, f"matchExpressions operator '{op}' is not one Kubernetes knows: selects nothing"
                )
                return Selector(expressions=(("", "In", ()),))
            values = tuple(sorted(text(v) for v in as_list(e.get("values"))))
            exprs.append((text(e.get("key")), op, values))
        return Selector(tuple(sorted(labels(m.get("matchLabels")).items())), tuple(exprs))

    def workload(self, obj: YMap, kind: str, namespace: str) -> Workload:
        meta = as_map(obj.get("metadata"))
        if kind == "Pod":
            template_meta, pod_spec = meta, as_map(obj.get("spec"))
        else:
            template = field(obj, "spec", "template")
            if kind == "CronJob":
                template = field(obj, "spec", "jobTemplate", "spec", "template")
            template_meta, pod_spec = as_map(field(template, "metadata")), as_map(field(template, "spec"))
        return Workload(
            namespace=namespace,
            name=text(field(meta, "name")),
            kind=kind,
            labels=labels(field(template_meta, "labels")),
            ports=self.container_ports(pod_spec),
            span=obj.span,
            offered=offered_ports(pod_spec),
            owners=tuple(
                (text(field(o, "kind")), text(field(o, "name")))
                for o in as_list(field(meta, "ownerReferences"))
            ),
        )

    def container_ports(self, pod_spec: YMap | None) -> dict[str, tuple[str, int]]:
        out: dict[str, tuple[str, int]] = {}
        for key in ("initContainers", "containers"):
            for c in as_list(field(pod_spec, key)):
                for p in as_list(field(c, "ports")):
                    name, number = text(field(p, "name")), field(p, "containerPort")
                    if name and isinstance(number, YScalar) and isinstance(number.value, int):
                        out[name] = (text(field(p, "protocol"), "TCP"), number.value)
        return out

    def policy(self, obj: YMap, namespace: str) -> NetworkPolicy:
        spec = as_map(obj.get("spec"))
        self.known_fields(spec, "spec")
        pod_selector = self.selector(field(spec, "podSelector")) or Selector()
        types = [text(t) for t in as_list(field(spec, "policyTypes"))]
        has_egress = bool(as_list(field(spec, "egress")))
        if not types:  # Kubernetes' default: Ingress always, Egress when there are egress rules
            types = ["Ingress"] + (["Egress"] if has_egress else [])
        return NetworkPolicy(
            namespace=namespace,
            name=text(field(obj, "metadata", "name")),
            pod_selector=pod_selector,
            ingress=self.rules(field(spec, "ingress"), "from") if "Ingress" in types else None,
            egress=self.rules(field(spec, "egress"), "to") if "Egress" in types else None,
            span=obj.span,
        )

    def rules(self, node: YNode | None, peers_key: str) -> tuple[Rule, ...]:
        out = []
        for item in as_list(node):
            r = as_map(item)
            self.known_fields(r, peers_key)
            peers_node, ports_node = field(r, peers_key), field(r, "ports")
            peers = [self.peer(p) for p in as_list(peers_node)]
            ports = [self.port(p) for p in as_list(ports_node)]
            out.append(
                Rule(
                    peers=tuple(p for p in peers if p is not None) if peers else None,
                    ports=tuple(p for p in ports if p is not None) if ports else None,
                    span=item.span,
                )
            )
        return tuple(out)

    def peer(self, node: YNode) -> Peer | None:
        m = as_map(node)
        if m is None:
            return None
        self.known_fields(m, "peer")
        block = as_map(m.get("ipBlock"))
        ip_block = None
        if block is not None:
            excepts = tuple(text(e) for e in as_list(block.get("except")))
            ip_block = IpBlock(text(block.get("cidr")), excepts)
        return Peer(
            self.selector(m.get("podSelector")), self.selector(m.get("namespaceSelector")), ip_block, m.span
        )

    def port(self, node: YNode) -> PortRule | None:
        m = as_map(node)
        if m is None:
            return None
        self.known_fields(m, "port")
        proto = text(m.get("protocol"), "TCP")
        if proto not in PROTOCOLS:
            self.warn(
                m.span, f"protocol '{proto}' is not TCP, UDP or SCTP: this port entry is ignored", False
            )
            return None
        port_node, end_node = m.get("port"), m.get("endPort")
        port: int | str | None = None
        if isinstance(port_node, YScalar) and port_node.value is not None:
            port = port_node.value if isinstance(port_node.value, int) else text(port_node)
        end = end_node.value if isinstance(end_node, YScalar) and isinstance(end_node.value, int) else None
        return PortRule(proto, port, end, m.span)
