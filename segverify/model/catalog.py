"""Model stage: the built-in service catalog, present in every model and overridable by name."""

from __future__ import annotations

from segverify.model.intervals import union_all
from segverify.model.ir import Service
from segverify.model.ports import parse_port_spec

# name: (port specs, login). Login services give code execution to whoever holds an allowed
# account's credentials (spec: Services); the rest are data services.
BUILTIN: dict[str, tuple[tuple[str, ...], bool]] = {
    "ssh": (("tcp/22",), True),
    "rdp": (("tcp/3389",), True),
    "winrm": (("tcp/5985-5986",), True),
    "smb": (("tcp/445",), True),
    "vnc": (("tcp/5900",), True),
    "telnet": (("tcp/23",), True),
    "http": (("tcp/80",), False),
    "https": (("tcp/443",), False),
    "dns": (("udp/53", "tcp/53"), False),
    "ldap": (("tcp/389", "udp/389"), False),
    "ldaps": (("tcp/636",), False),
    "kerberos": (("tcp/88", "udp/88"), False),
    "postgres": (("tcp/5432",), False),
    "mysql": (("tcp/3306",), False),
    "mssql": (("tcp/1433",), False),
    "redis": (("tcp/6379",), False),
    # The Kubernetes API runs code: whoever it accepts may start a pod on the cluster's nodes.
    # A login (`logins`: the accounts and tokens allowed to create workloads); the control
    # plane `manages` its nodes, so the login passes on to them (docs/faq.md).
    "kube-api": (("tcp/6443",), True),
    "smtp": (("tcp/25",), False),
    "imaps": (("tcp/993",), False),
    "ntp": (("udp/123",), False),
    "snmp": (("udp/161",), False),
    "syslog": (("udp/514",), False),
    "node-exporter": (("tcp/9100",), False),
    "ping": (("icmp",), False),
}


def builtin_services() -> dict[str, Service]:
    return {
        name: Service(
            name=name,
            ports=union_all(parse_port_spec(s) for s in specs),
            specs=specs,
            login=login,
            builtin=True,
        )
        for name, (specs, login) in sorted(BUILTIN.items())
    }
