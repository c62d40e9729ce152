"""Diff stage: the report as text for a terminal, and as a pull-request comment (markdown)."""

from __future__ import annotations

from segverify.diff.attack import ReachChange
from segverify.diff.changes import Definition
from segverify.diff.groups import Group
from segverify.diff.policies import PolicyChange
from segverify.diff.report import DiffReport
from segverify.diff.shape import services_text
from segverify.model.addresses import format_set
from segverify.render.hops import packet_text, rule_text
from segverify.render.text import hop_lines, witness_lines

COMMENT_LIMIT = 65_536  # GitHub's limit on a comment body, in characters
TRUNCATED = "\n_Truncated to fit a comment: see the JSON report (`--format json`) for everything._\n"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def summary(report: DiffReport) -> str:
    p = report.packets
    fixed = sum(1 for x in report.policies if x.change == "fixed")
    parts = [
        f"{len(report.regressed())} regressed, {fixed} fixed",
        f"packets: {_count(len(p.opened), 'group')} opened, {len(p.closed)} closed",
        f"attack reach: {len(report.gained)} gained, {len(report.lost)} lost",
    ]
    if report.intended is not None:
        parts.append(
            f"intent: {len(report.intended.collateral)} collateral, {len(report.intended.unmet)} unmet"
        )
    changes = report.changes
    parts.append(
        f"model: {len(changes.added)} added, {len(changes.removed)} removed, {len(changes.changed)} changed"
    )
    return "policies: " + "; ".join(parts)


def _zones(g: Group) -> str:
    return f"{g.from_zone or '(no zone)'} -> {g.to_zone or '(no zone)'}"


def group_lines(label: str, g: Group) -> list[str]:
    return [
        f"{label} {_zones(g)}: {rule_text(g.before)} -> {rule_text(g.after)}",
        f"  src: {', '.join(format_set(g.src))}",
        f"  dst: {', '.join(format_set(g.dst))}",
        f"  services: {', '.join(services_text(g.svc))}",
        f"  example: {packet_text(g.example)}",
    ]


def policy_lines(p: PolicyChange) -> list[str]:
    old = p.before.status.value if p.before else "absent"
    new = p.after.status.value if p.after else "absent"
    lines = [f"{p.change.upper():<10} {p.id}: {old} -> {new}"]
    if p.change == "regressed" and p.after is not None and p.after.witness is not None:
        lines += witness_lines(p.after.witness)
    return lines


def reach_lines(label: str, r: ReachChange) -> list[str]:
    what = f"host {r.host}" if r.host is not None else f"credential {r.credential}"
    lines = [f"{label} {what} from {r.foothold} ({r.profile})"]
    return lines + ["  " + line for line in hop_lines(r.witness)]


def definition_text(label: str, d: Definition) -> str:
    where = " -> ".join(str(s) for s in (d.before, d.after) if s is not None)
    fields = f" [{', '.join(d.fields)}]" if d.fields else ""
    return f"{label} {d.kind} {d.name}{fields}" + (f" ({where})" if where else "")


def render_text(report: DiffReport) -> str:
    lines: list[str] = []
    for p in report.policies:
        lines += policy_lines(p)
    for label, groups in (("OPENED", report.packets.opened), ("CLOSED", report.packets.closed)):
        for g in groups:
            lines += group_lines(label, g)
    if report.intended is not None:
        for g in report.intended.collateral:
            lines += group_lines("COLLATERAL", g)
        for g in report.intended.unmet:
            lines += group_lines("UNMET", g)
    for r in report.gained:
        lines += reach_lines("GAINED", r)
    for r in report.lost:
        lines += reach_lines("LOST", r)
    c = report.changes
    for label, items in (("ADDED", c.added), ("REMOVED", c.removed), ("CHANGED", c.changed)):
        lines += [definition_text(label, d) for d in items]
    lines.append(("\n" if lines else "") + summary(report))
    return "\n".join(lines) + "\n"


# ---- markdown ----------------------------------------------------------------------------------


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _rule_cell(g: Group, side: str) -> str:
    r = g.before if side == "before" else g.after
    return f"{r.action} by `{_cell(r.name)}`"


def _group_row(label: str, g: Group) -> str:
    cells = [
        label,
        _cell(_zones(g)),
        _cell(", ".join(format_set(g.src))),
        _cell(", ".join(format_set(g.dst))),
        _cell(", ".join(services_text(g.svc))),
        _rule_cell(g, "before"),
        _rule_cell(g, "after"),
        f"`{packet_text(g.example)}`",
    ]
    return "| " + " | ".join(cells) + " |\n"


GROUP_HEADER = (
    "| | zones | src | dst | services | before | after | example |\n|---|---|---|---|---|---|---|---|\n"
)


def _details(title: str, lines: list[str]) -> str:
    body = "\n".join(lines)
    # A blank line first: an HTML block right under a table row would end up inside the table.
    return f"\n<details><summary>{_cell(title)}</summary>\n\n```text\n{body}\n```\n</details>\n"


def markdown_blocks(report: DiffReport) -> list[str]:
    """The comment in blocks (a table row, a details section): truncation never splits one."""
    blocks = [f"**segverify diff**: {summary(report)}\n\n"]
    blocks += _policy_blocks(report)
    blocks += _group_blocks(
        "Packets",
        [("opened", g) for g in report.packets.opened],
        [("closed", g) for g in report.packets.closed],
    )
    if report.intended is not None:
        i = report.intended
        blocks += _group_blocks(
            "Outside the intent", [("collateral", g) for g in i.collateral], [("unmet", g) for g in i.unmet]
        )
    blocks += _reach_blocks(report)
    c = report.changes
    if not c.empty():
        blocks.append("\n### Model changes\n\n")
        for label, items in (("added", c.added), ("removed", c.removed), ("changed", c.changed)):
            blocks += [f"- {_cell(definition_text(label, d))}\n" for d in items]
    return blocks


def _policy_blocks(report: DiffReport) -> list[str]:
    changed = [p for p in report.policies if p.change != "unchanged"]
    if not changed:
        return []
    blocks = ["### Policies\n\n| policy | before | after | change |\n|---|---|---|---|\n"]
    for p in changed:
        old, new = (x.status.value if x else "absent" for x in (p.before, p.after))
        blocks.append(f"| `{_cell(p.id)}` | {old} | {new} | **{p.change}** |\n")
    return blocks + [
        _details(f"{p.id}: witness after the change", policy_lines(p)[1:]) for p in report.regressed()
    ]


def _group_blocks(title: str, *parts: list[tuple[str, Group]]) -> list[str]:
    rows = [row for part in parts for row in part]
    if not rows:
        return []
    return [f"\n### {title}\n\n" + GROUP_HEADER] + [_group_row(label, g) for label, g in rows]


def _reach_blocks(report: DiffReport) -> list[str]:
    if not (report.gained or report.lost):
        return []
    blocks = ["\n### Attack reach\n\n"]
    for r in report.gained:
        lines = reach_lines("gained", r)
        blocks.append(_details(lines[0], lines[1:]))
    return blocks + [f"- {reach_lines('lost', r)[0]}\n" for r in report.lost]


def render_markdown(report: DiffReport, limit: int = COMMENT_LIMIT) -> str:
    out, size = [], 0
    blocks = markdown_blocks(report)
    for k, block in enumerate(blocks):
        if size + len(block) + (len(TRUNCATED) if k < len(blocks) - 1 else 0) > limit:
            out.append(TRUNCATED)
            break
        out.append(block)
        size += len(block)
    return "".join(out)
