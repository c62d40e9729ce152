"""The one hop model (render/hops.py): text, SARIF, DOT and HTML number and word the same steps."""

from __future__ import annotations

from segverify.render.hops import packet_text, steps
from segverify.render.html_policies import hop_rows
from segverify.render.sarif import hop_messages
from segverify.render.text import hop_lines
from segverify.results import Hop, Packet, RuleRef

PACKET = Packet(src=167772161, dst=167772162, svc=(6 << 16) | 22)
RULE = RuleRef(name="office-ssh", action="allow", index=0)
P = packet_text(PACKET)
PATH = (
    Hop(move="foothold", to=None, at="office", credential="alice"),
    Hop(
        move="login", source="office", to="jump", service="ssh", credential="alice", packet=PACKET, rule=RULE
    ),
    Hop(move="harvest", at="jump", credential="ops"),
    Hop(move="manage", source="jump", to="db"),
    Hop(move="exploit", source="jump", to="web", service="https", packet=PACKET),
)


def test_footholds_carry_no_number_and_moves_count_from_one() -> None:
    assert [s.number for s in steps(PATH)] == [0, 1, 2, 3, 4]
    assert [s.label for s in steps(PATH)][1:] == [
        "1: ssh as alice",
        "2: harvest ops",
        "3: manage",
        "4: exploit https",
    ]


def test_every_renderer_numbers_the_same_steps() -> None:
    text = [line.split(".")[0].strip() for line in hop_lines(PATH) if "foothold" not in line]
    sarif = [m.split(":")[0] for m in hop_messages(PATH) if not m.startswith("foothold")]
    html = [row[0] for row in hop_rows(PATH) if row[0]]
    assert text == sarif == html == ["1", "2", "3", "4"]


def test_sarif_says_on_one_line_what_text_says_on_two() -> None:
    lines, messages = hop_lines(PATH), hop_messages(PATH)
    assert lines[0] == "   foothold: holds alice's credentials, sends from any address of office"
    assert messages[0] == "foothold: holds alice's credentials, sends from any address of office"
    assert lines[1] == (f"  1. login office -> jump on ssh as alice\n       packet {P}, allow by office-ssh")
    assert messages[1] == f"1: login office -> jump on ssh as alice, packet {P}, allow by office-ssh"
    assert messages[2] == "2: harvest ops's credentials from a session on jump"
    assert messages[3] == "3: jump manages db: control passes"
    assert messages[4] == f"4: exploit jump -> web on https, packet {P}"


def test_harvest_and_manage_name_no_packet_or_rule() -> None:
    odd = (Hop(move="harvest", at="jump", credential="ops", packet=PACKET, rule=RULE),)
    assert hop_messages(odd) == ["1: harvest ops's credentials from a session on jump"]
    assert hop_lines(odd) == ["  1. harvest ops's credentials from a session on jump"]
