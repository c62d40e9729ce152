"""Text edits by span on hand-written YAML of every style: flow and block mappings, inline and
block lists, scalars, comments. The edited text must load to the model the changes build."""

from __future__ import annotations

from pathlib import Path

from segverify.fix.apply import apply_changes
from segverify.fix.changes import Change
from segverify.fix.patch import Patcher
from segverify.model.load import load_model

MODEL = """\
segverify: 1
zones:
  dmz: {networks: [10.1.0.0/24]}
  lan: {networks: [10.2.0.0/24]}
hosts:
  web:   # the web server
    zone: dmz
    address: 10.1.0.10
    services: [ssh, https]
    logins:
      - alice      # a block list
      - admins
    sessions: admins
    vulnerable: [https]
  pc: {zone: lan, address: 10.2.0.5, services: [rdp], logins: [bob, "carol"], manages: [web]}
accounts:
  alice: {}
  bob: {member_of: [admins, staff]}
  carol:
    member_of:
      - admins
flows:
  - name: lan-to-web    # keep this comment
    from: [lan, pc]
    to: web
    services: [ssh, https]
"""


def edited(tmp_path: Path, *changes: Change) -> str:
    path = tmp_path / "m.yaml"
    path.write_text(MODEL)
    model = load_model([str(path)])
    (text,) = Patcher(model).apply(changes).values()
    path.write_text(text)
    loaded = load_model([str(path)])
    built = apply_changes(model, changes)
    for name, h in built.hosts.items():
        got = loaded.hosts[name]
        assert (got.logins, got.sessions, got.vulnerable) == (h.logins, h.sessions, h.vulnerable)
        assert [r.text for r in got.manages] == [r.text for r in h.manages]
    for name, p in built.principals.items():
        assert (loaded.principals[name].mfa, loaded.principals[name].member_of) == (p.mfa, p.member_of)
    assert [(f.name, [r.text for r in f.sources], f.services) for f in loaded.flows] == [
        (f.name, [r.text for r in f.sources], f.services) for f in built.flows
    ]
    return text


def test_block_list_item_and_scalar_removed(tmp_path: Path) -> None:
    text = edited(tmp_path, Change("remove_login", "web", "alice"), Change("remove_session", "web", "admins"))
    assert "      - admins\n" in text and "alice      #" not in text and "    sessions: []\n" in text
    assert "  web:   # the web server\n" in text


def test_inline_lists_quoted_items_and_comments(tmp_path: Path) -> None:
    text = edited(
        tmp_path,
        Change("remove_login", "pc", "carol"),
        Change("remove_manages", "pc", "web"),
        Change("narrow_rule", "lan-to-web", "from:pc"),
        Change("patch_service", "web", "https"),
    )
    assert "logins: [bob], manages: []}" in text
    assert "    from: [lan]\n" in text and "# keep this comment" in text and "vulnerable: []" in text


def test_mfa_in_flow_and_block_mappings_and_members(tmp_path: Path) -> None:
    text = edited(
        tmp_path,
        Change("require_mfa", "alice"),
        Change("require_mfa", "bob"),
        Change("require_mfa", "carol"),
        Change("remove_member", "bob", "staff"),
    )
    assert "  alice: {mfa: true}\n" in text and "  bob: {mfa: true, member_of: [admins]}\n" in text
    assert "  carol:\n    mfa: true\n    member_of:\n" in text


def test_deleted_rule_and_inserted_deny(tmp_path: Path) -> None:
    text = edited(tmp_path, Change("insert_deny", "web", "pc ssh"))
    assert "  - name: fix-deny-pc-to-web-ssh\n    from: pc\n" in text
    assert text.index("fix-deny-pc-to-web-ssh") < text.index("lan-to-web")
    text = edited(tmp_path, Change("delete_rule", "lan-to-web"))
    assert "lan-to-web" not in text and text.endswith("flows:\n")
