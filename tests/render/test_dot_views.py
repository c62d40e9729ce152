"""What each view draws, on the hand-built model and report (no engine, no renderer needed)."""

from __future__ import annotations

import dataclasses
import re

import pytest
from render_fixtures import INTER, addr, flows, rule, svc

from segverify.model.ir import Model
from segverify.render.dot import (
    ViewError,
    pick_result,
    render_architecture,
    render_blast,
    render_matrix,
    render_matrix_html,
    render_matrix_table,
    render_paths,
    render_view,
)
from segverify.render.hops import steps
from segverify.results import (
    Blocked,
    ClosedSetCertificate,
    Hop,
    Packet,
    PacketWitness,
    PathWitness,
    PolicyResult,
    Report,
    Status,
)


def result(report: Report, policy_id: str) -> PolicyResult:
    return next(r for r in report.results if r.id == policy_id)


def matrix_policy(model: Model):  # type: ignore[no-untyped-def]
    return next(p for p in model.policies if p.kind == "matrix")


def lines_with(dot: str, needle: str) -> list[str]:
    return [line for line in dot.splitlines() if needle in line]


# ---- architecture ----------------------------------------------------------------------------


def test_zones_are_clusters_with_stable_ids_and_the_internet_comes_first(model: Model) -> None:
    dot = render_architecture(model)
    clusters = re.findall(r'subgraph "?(cluster_[^" {]+)', dot)
    expected = ["cluster_internet", "cluster_connectivity", "cluster_corp-it", "cluster_production"]
    assert clusters[:4] == expected
    for zone in ("internet", "corp-it", "production", "connectivity"):
        assert f'id="zone-{zone}"' in dot
    assert 'label="internet (external)' in dot


def test_fleets_are_stacks_with_their_cidr_and_single_hosts_are_boxes(model: Model) -> None:
    dot = render_architecture(model)
    (laptops,) = lines_with(dot, 'id="host-laptops"')
    assert "shape=box3d" in laptops and "10.10.0.0/20" in laptops
    (jump,) = lines_with(dot, 'id="host-jump"')
    assert "shape=box " in jump


def test_parallel_rules_share_one_edge_and_zone_references_clip_at_the_cluster(model: Model) -> None:
    dot = render_architecture(model)
    # corp-to-jump is from a zone: drawn from the cluster border to the jump host.
    (edge,) = lines_with(dot, 'id="flow-z_corp-it-h_jump"')
    assert 'ltail="cluster_corp-it"' in edge and "label=ssh" in edge
    assert "corp-to-jump (model.yaml:55)" in edge
    # prod-to-relay: zone to zone, clipped at both clusters.
    (edge,) = lines_with(dot, 'id="flow-z_production-z_connectivity"')
    assert "ltail=cluster_production" in edge and "lhead=cluster_connectivity" in edge


def test_parallel_rules_are_aggregated_into_one_labelled_edge(model: Model) -> None:
    extra = dataclasses.replace(model.flows[2], index=6, name="helpdesk-extra", services=("ssh",))
    twice = dataclasses.replace(model, flows=(*model.flows, extra))
    dot = render_architecture(twice)
    (edge,) = lines_with(dot, 'id="flow-h_laptops-h_relay-01"')
    assert 'label="https, tcp/8080, ssh"' in edge
    assert "helpdesk-to-relay-web (model.yaml:50)" in edge and "helpdesk-extra" in edge


def test_deny_rules_are_not_drawn_and_the_legend_says_so(model: Model) -> None:
    dot = render_architecture(model)
    assert "corp-to-platform-admin" not in dot
    assert "deny rules are not drawn" in dot


def test_manage_edges_are_dashed_purple_and_logins_are_on_the_hosts(model: Model) -> None:
    dot = render_architecture(model)
    (edge,) = lines_with(dot, 'id="manage-h_corp-dc-h_laptops"')
    assert "style=dashed" in edge and 'color="#8a3fb0"' in edge
    (dc,) = lines_with(dot, 'id="host-corp-dc"')
    assert "login: domain-admins" in dc and "sessions: domain-admins" in dc
    assert "alice: all-staff, employees" in dot  # who stands behind the group names


def test_the_legend_lists_exactly_the_styles_drawn(model: Model) -> None:
    dot = render_architecture(model)
    for role in ("host", "fleet", "vulnerable", "flow", "manage"):
        assert f"legend_{role}" in dot
    for role in ("foothold", "hop", "target", "closed", "zone-node"):
        assert f"legend_{role}" not in dot
    no_fleet = dataclasses.replace(model, hosts={k: v for k, v in model.hosts.items() if not v.fleet})
    no_fleet = dataclasses.replace(no_fleet, flows=tuple(f for f in model.flows if f.index != 2))
    assert "legend_fleet" not in render_architecture(no_fleet)


def test_colours_are_six_digit_hex_in_every_view(model: Model, report: Report) -> None:
    texts = [render_architecture(model)]
    texts += [render_paths(model, r) for r in report.results]
    texts += [render_blast(model, result(report, "SEG-007")), render_matrix(model, matrix_policy(model))]
    for dot in texts:
        for value in re.findall(r'(?:color|fillcolor|fontcolor)="?([^" \]]+)', dot):
            assert re.fullmatch(r"#[0-9a-f]{6}", value), value


def test_output_does_not_depend_on_mapping_order(model: Model) -> None:
    shuffled = dataclasses.replace(
        model,
        zones=dict(reversed(list(model.zones.items()))),
        hosts=dict(reversed(list(model.hosts.items()))),
    )
    assert render_architecture(shuffled) == render_architecture(model)


def test_labels_are_escaped_not_interpreted(model: Model) -> None:
    host = dataclasses.replace(model.hosts["jump"], description='<b>"x"\\n</b>', logins=("a\\l",))
    dot = render_architecture(dataclasses.replace(model, hosts={**model.hosts, "jump": host}))
    (line,) = lines_with(dot, 'id="host-jump"')
    assert "login: a\\\\l" in line  # a literal backslash, not a DOT escape
    assert '<b>\\"x\\"' in line  # quotes escaped inside a quoted string, no HTML label


# ---- paths -----------------------------------------------------------------------------------


def test_hops_are_numbered_skipping_footholds(model: Model, report: Report) -> None:
    witness = result(report, "SEG-001").witness
    assert witness is not None
    labels = [s.label for s in steps(witness.path) if not s.is_foothold]  # type: ignore[union-attr]
    assert labels == ["1: harvest alice", "2: ssh as alice", "3: harvest ops-1", "4: ssh as ops-1"]


def test_a_violated_path_is_drawn_red_and_numbered_with_harvest_notes(model: Model, report: Report) -> None:
    dot = render_paths(model, result(report, "SEG-001"))
    (hop2,) = lines_with(dot, 'id="hop-2"')
    assert 'label="2: ssh as alice"' in hop2 and 'color="#d62728"' in hop2
    assert "rule corp-to-jump (model.yaml:55)" in hop2 and "10.10.0.7 -> 10.20.0.5 tcp/22" in hop2
    assert h_line(dot, "laptops").count("peripheries=2") == 1  # the foothold
    assert "attacker at 10.10.0.7" in h_line(dot, "laptops")
    assert 'id="harvest-1"' in dot and 'label="1: harvest alice"' in dot
    assert 'id="harvest-3"' in dot
    assert "target" in h_line(dot, "db") and 'color="#1f3a93"' in h_line(dot, "db")


def h_line(dot: str, host: str) -> str:
    (line,) = lines_with(dot, f'id="host-{host}"')
    return line


def test_a_proof_shades_the_closed_set_and_labels_what_blocks_each_move(model: Model, report: Report) -> None:
    dot = render_paths(model, result(report, "SEG-002"))
    for host in ("laptops", "corp-dc"):
        assert 'fillcolor="#f8cfcf"' in h_line(dot, host)
    assert 'fillcolor="#f8cfcf"' not in h_line(dot, "db")
    assert "via: assumed unusable" in h_line(dot, "jump") and "target" not in h_line(dot, "jump")
    (relay,) = lines_with(dot, 'id="blocked-h_relay-01"')
    assert "relay: denied by default:inter_zone" in relay and "ssh: denied by corp-to-platform-admin" in relay
    assert "style=dashed" in relay and "corp-to-platform-admin (model.yaml:45)" in relay
    assert "credentials: alice, corp-admin, helpdesk" in dot


def test_an_account_foothold_gets_its_own_node_in_its_zone(model: Model, report: Report) -> None:
    dot = render_paths(model, result(report, "SEG-003"))
    internet = dot[dot.index("subgraph cluster_internet") : dot.index("subgraph cluster_connectivity")]
    assert 'id="foothold-internet"' in internet and "holds alice" in internet
    (dc,) = lines_with(dot, 'id="blocked-h_corp-dc"')
    assert "rdp: no usable credential" in dc


def test_packet_witnesses_draw_the_packet_with_its_rule(model: Model, report: Report) -> None:
    dot = render_paths(model, result(report, "SEG-004"))
    (edge,) = lines_with(dot, "id=packet")
    assert edge.lstrip().startswith("h_laptops -> h_jump") and "allowed by corp-to-jump" in edge
    dot = render_paths(model, result(report, "SEG-005"))
    assert len(lines_with(dot, 'id="pair-')) == 2


def test_blocked_moves_into_a_collapsed_zone_name_their_host(model: Model, report: Report) -> None:
    dot = render_paths(model, result(report, "SEG-003"), threshold=2)
    (edge,) = lines_with(dot, 'id="blocked-z_production"')
    assert "jump ssh: denied by default:inter_zone" in edge and "db ssh: denied" in edge


def test_unknown_results_are_drawn_with_their_reason(model: Model) -> None:
    unknown = PolicyResult("SEG-001", "isolated", Status.UNKNOWN, reason="timeout after 5 s")
    dot = render_paths(model, unknown)
    assert "unknown: timeout after 5 s" in dot and 'id="hop-' not in dot


# ---- blast -----------------------------------------------------------------------------------


def test_blast_columns_are_distances(model: Model, report: Report) -> None:
    dot = render_blast(model, result(report, "SEG-007"))
    ranks = re.findall(r"\{rank=same; (\"col_[^}]*)\}", dot)
    assert ranks == ['"col_0" "h_laptops"', '"col_1" "h_jump"', '"col_2" "h_db"']
    assert "3 hosts controlled, max_hosts 2" in dot
    (edge,) = lines_with(dot, 'id="reach-db"')
    assert 'label="ssh as ops-1"' in edge
    assert "harvest: ops-1" in h_line(dot, "jump")
    assert "numbered" not in dot  # blast edges carry no numbers, and the legend does not say they do


def test_a_proved_blast_lists_the_closed_set(model: Model) -> None:
    cert = ClosedSetCertificate(("laptops", "corp-dc"), ("alice",), ("laptops",), ())
    proved = PolicyResult("SEG-007", "blast_radius", Status.PROVED, certificate=cert)
    dot = render_blast(model, proved)
    ranks = re.findall(r"\{rank=same; (\"col_[^}]*)\}", dot)
    assert ranks == ['"col_0" "h_laptops"', '"col_1" "h_corp-dc"']
    assert "2 hosts controlled, max_hosts 2" in dot


# ---- matrix ----------------------------------------------------------------------------------


def test_matrix_colours_follow_the_check(model: Model, report: Report) -> None:
    dot = render_matrix(model, matrix_policy(model), result(report, "SEG-005"))
    (bad,) = lines_with(dot, 'id="matrix-bad-corp-it-connectivity"')
    assert "tcp/8080" in bad and "e.g. tcp/8080 by helpdesk-to-relay-web" in bad
    (ok,) = lines_with(dot, 'id="matrix-ok-corp-it-connectivity"')
    assert "label=https" in ok
    assert lines_with(dot, 'id="matrix-ok-production-connectivity"')
    (unused,) = lines_with(dot, 'id="matrix-unused-connectivity-production"')
    assert "label=postgres" in unused and "style=dashed" in unused


def test_a_proved_matrix_draws_no_red_even_where_rules_read_wider(model: Model) -> None:
    proved = PolicyResult("SEG-005", "matrix", Status.PROVED)
    dot = render_matrix(model, matrix_policy(model), proved)
    assert "matrix-bad" not in dot
    unchecked = render_matrix(model, matrix_policy(model), None)
    assert 'id="matrix-bad-corp-it-production"' in unchecked and "not checked" in unchecked


def test_matrix_tables(model: Model, report: Report) -> None:
    text = render_matrix_table(model, matrix_policy(model), result(report, "SEG-005"))
    rows = text.splitlines()
    assert rows[3].split() == ["corp-it", ".", "ssh!", "https,", "tcp/8080!"]
    assert "(postgres)" in rows[5]
    failing = "corp-it -> production: 10.10.0.1 -> 10.20.0.5 tcp/22 allowed by corp-to-jump (model.yaml:55)"
    assert failing in text
    table = render_matrix_html(model, matrix_policy(model), result(report, "SEG-005"))
    assert table.count("<tr>") == 4 and "#f8cfcf" in table and "&lt;" not in table


# ---- picking a result ------------------------------------------------------------------------


def test_pick_result_prefers_a_violated_policy_and_checks_the_kind(report: Report) -> None:
    assert pick_result("paths", report).id == "SEG-001"
    assert pick_result("paths", report, "SEG-003").id == "SEG-003"
    assert pick_result("blast", report).id == "SEG-007"
    with pytest.raises(ViewError, match="SEG-005' is matrix"):
        pick_result("paths", report, "SEG-005")
    with pytest.raises(ViewError, match="no policy 'NOPE'"):
        pick_result("paths", report, "NOPE")


def test_render_view_dispatches(model: Model, report: Report) -> None:
    assert render_view(model, "architecture") == render_architecture(model)
    assert render_view(model, "matrix") == render_matrix(model, matrix_policy(model), None)
    assert render_view(model, "paths", report) == render_paths(model, result(report, "SEG-001"))
    with pytest.raises(ViewError, match="needs the results"):
        render_view(model, "paths")
    with pytest.raises(ViewError, match="unknown view"):
        render_view(model, "pie")


def test_view_errors_name_no_command_line_flag(model: Model, report: Report) -> None:
    """The renderer is a library: the CLI, not it, knows the flags that chose a view."""
    attempts = [
        lambda: pick_result("paths", report, "SEG-005"),
        lambda: pick_result("paths", report, "NOPE"),
        lambda: pick_result("matrix", Report(())),
        lambda: render_view(model, "paths"),
        lambda: render_view(model, "pie"),
    ]
    for attempt in attempts:
        with pytest.raises(ViewError) as exc:
            attempt()
        assert "--" not in str(exc.value), exc.value


def test_blocked_helpers_cover_every_reason(model: Model) -> None:
    boundary = (
        Blocked("login", "jump", "ssh", "mfa"),
        Blocked("login", "db", "ssh", "no-allowed-packet", (INTER, rule(model, "corp-to-jump"))),
        Blocked("exploit", "db", "postgres", "no-allowed-packet"),
    )
    cert = ClosedSetCertificate(("laptops",), (), ("laptops",), boundary)
    dot = render_paths(model, PolicyResult("SEG-001", "isolated", Status.PROVED, certificate=cert))
    assert "ssh: credential needs MFA" in dot
    assert "ssh: denied by default:inter_zone, corp-to-jump" in dot
    assert "postgres: no allowed packet" in dot


def test_cidr_and_any_references_get_safe_nodes_in_their_zone(model: Model) -> None:
    extra = flows(
        model.services,
        [
            ("v6-in", ("2001:db8::/32",), ("relay-01",), ("https",), "allow", 70),
            ("any-dns", ("any",), ("corp-dc",), ("dns",), "allow", 71),
        ],
    )
    extra = tuple(dataclasses.replace(f, index=len(model.flows) + i) for i, f in enumerate(extra))
    dot = render_architecture(dataclasses.replace(model, flows=model.flows + extra))
    internet = dot[dot.index("subgraph cluster_internet") : dot.index("subgraph cluster_connectivity")]
    assert 'label="2001:db8::/32"' in internet  # inside the zone that holds it
    (edge,) = lines_with(dot, "v6-in (model.yaml:70)")
    tail = edge.split("->")[0].strip()
    assert ":" not in tail  # a colon would be read as a DOT port
    assert lines_with(dot, 'ref_any -> "h_corp-dc"')


def test_a_denied_packet_is_dashed(model: Model) -> None:
    packet = Packet(addr("10.30.0.10"), addr("10.20.1.10"), svc("tcp/9100"))
    denied = PolicyResult("SEG-009", "reachable", Status.VIOLATED, witness=PacketWitness(packet, INTER))
    (edge,) = lines_with(render_paths(model, denied), "id=packet")
    assert edge.lstrip().startswith('"h_relay-01" -> h_db') and "style=dashed" in edge
    assert "denied by default:inter_zone" in edge


def test_an_attack_path_reads_as_a_blast_with_its_foothold_reference_in_the_first_column(
    model: Model,
) -> None:
    hops = (
        Hop("foothold", at="internet", address=addr("203.0.113.9")),
        Hop(
            "exploit",
            to="relay-01",
            source="internet",
            service="relay",
            rule=rule(model, "internet-to-relay"),
        ),
    )
    violated = PolicyResult("SEG-003", "isolated", Status.VIOLATED, witness=PathWitness("relay-01", hops))
    dot = render_blast(model, violated)
    ranks = re.findall(r"\{rank=same; (\"col_[^}]*)\}", dot)
    assert ranks == ['"col_0" "fh_internet"', '"col_1" "h_relay-01"']
    assert "(1 host controlled)" in dot and 'label="exploit relay"' in dot
