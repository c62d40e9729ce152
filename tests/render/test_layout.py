"""Large models: zones collapse, shown paths expand their zones, counts are capped, and it is quick."""

from __future__ import annotations

import re
import time

from render_fixtures import big_model, big_path

from segverify.render.dot import render_architecture, render_paths
from segverify.render.dot_layout import PATHS_HOSTS_PER_ZONE, plan_layout


def host_nodes(dot: str) -> list[str]:
    return re.findall(r'id="host-([^"]+)"', dot)


def test_a_small_model_shows_every_host() -> None:
    model = big_model(3, 10)
    assert len(host_nodes(render_architecture(model))) == 30


def test_past_the_threshold_every_zone_is_one_node_and_rules_join_zones() -> None:
    model = big_model(6, 15)  # 90 hosts > 60
    dot = render_architecture(model)
    assert host_nodes(dot) == []
    assert "subgraph cluster_z" not in dot
    assert len(re.findall(r"shape=folder", dot)) == 7  # six zones and the internet
    assert 'ID="legend_zone-node"' in dot  # the legend says what a folder is
    (edge,) = [line for line in dot.splitlines() if 'id="flow-z_z00-z_z01"' in line]
    assert "label=ssh" in edge
    assert "2 hosts" not in dot and "15 hosts" in dot


def test_a_path_expands_the_zones_it_crosses_and_only_those() -> None:
    model = big_model(6, 15)
    dot = render_paths(model, big_path(model))
    clusters = set(re.findall(r"subgraph cluster_(z\d\d)", dot))
    assert clusters == {"z00", "z01", "z02"}
    assert {"z00-h000", "z01-h005", "z02-h007"} <= set(host_nodes(dot))
    assert 'id="zone-z05"' in dot  # collapsed, still there with its id
    assert "hop-2" in dot and 'label="2: ssh as op"' in dot


def test_hidden_targets_are_counted_on_their_stand_in() -> None:
    model = big_model(3, 30)
    dot = render_paths(model, big_path(model))
    z02 = dot[dot.index("subgraph cluster_z02") :]
    # The pinned host (on the path) is shown on top of the cap.
    hidden = 30 - PATHS_HOSTS_PER_ZONE - 1
    assert f"... {hidden} more hosts" in z02 and f"target: {hidden} hosts" in z02
    assert len([h for h in host_nodes(dot) if h.startswith("z02-")]) == PATHS_HOSTS_PER_ZONE + 1
    assert "z02-h007" in host_nodes(dot)


def test_zone_count_is_capped() -> None:
    model = big_model(100, 1)
    layout = plan_layout(model, threshold=10, max_zones=20)
    assert len(layout.collapsed) + len(layout.clusters) == 20 and len(layout.hidden_zones) == 81
    dot = render_architecture(model, threshold=10)
    assert "... 21 more zones" in dot


def test_a_large_model_renders_quickly_and_small() -> None:
    model = big_model(40, 120)  # 4800 hosts
    start = time.monotonic()
    dot = render_architecture(model)
    elapsed = time.monotonic() - start
    assert elapsed < 10, elapsed
    assert len(dot) < 100_000 and host_nodes(dot) == []
