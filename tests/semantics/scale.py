"""Test support: a deterministic large model (zones x hosts, hundreds of rules) for timing the checkers."""

from __future__ import annotations

import random

from segverify.model.ir import Defaults, Model
from tests.strategies import account, flow, host, make_model, zone

SERVICES = ["ssh", "rdp", "https", "postgres", "smb"]


def large_model(
    zones: int = 20, per_zone: int = 15, rules: int = 300, intra: str = "deny", seed: int = 1
) -> Model:
    rnd = random.Random(seed)
    zs = [zone(f"z{i}", f"10.{i}.0.0/16") for i in range(zones)] + [
        zone("internet", "0.0.0.0/0", external=True)
    ]
    principals = [account(f"u{i}", f"g{i % 10}", mfa=i % 7 == 0) for i in range(60)]
    hosts = []
    for z in range(zones):
        for j in range(per_zone):
            address = f"10.{z}.{j}.0/24" if j % 5 == 0 else f"10.{z}.{100 + j}.{j + 1}"
            svcs = rnd.sample(SERVICES, 2)
            vulnerable = svcs[:1] if rnd.random() < 0.05 else []
            hosts.append(
                host(
                    f"h{z}-{j}",
                    f"z{z}",
                    address,
                    services=svcs,
                    logins=[f"g{rnd.randrange(10)}"],
                    sessions=[f"u{rnd.randrange(60)}"],
                    vulnerable=vulnerable,
                )
            )
    names = [h.name for h in hosts]
    flows = []
    for i in range(rules):
        src = rnd.choice(
            [
                f"z{rnd.randrange(zones)}",
                rnd.choice(names),
                f"10.{rnd.randrange(zones)}.{rnd.randrange(16)}.0/26",
            ]
        )
        dst = rnd.choice([f"z{rnd.randrange(zones)}", rnd.choice(names)])
        svc = rnd.choice(["ssh", "https", "postgres", "rdp", "tcp/8000-9000"])
        flows.append(flow(f"f{i}", src, dst, svc, rnd.choice(["allow", "allow", "deny"])))
    return make_model(zs, hosts, principals, flows, Defaults(intra_zone=intra, inter_zone="deny"))  # type: ignore[arg-type]
