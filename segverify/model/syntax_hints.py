"""Model stage: what a YAML syntax error usually means in a model, said as a hint.

The parser names the token it choked on; these name the habit that produced it, for the few
mistakes that model files make again and again.
"""

from __future__ import annotations

import re

# `::/0` or `::1` unquoted: in YAML a plain value cannot start with `:` inside [...] or after `- `.
_BARE_IPV6 = re.compile(r"(?:^|[\s\[{,])::")
_QUOTED = re.compile(r"\"(?:[^\"\\]|\\.)*\"|'[^']*'")

TAB_HINT = "YAML indents with spaces only: replace the tab at the start of this line by spaces"
IPV6_HINT = 'quote an IPv6 address that starts with a colon: "::/0", "::1"'


def syntax_hint(text: str, lines: list[int]) -> str:
    """A hint for a syntax error reported on these 0-based `lines` of `text`, or ''."""
    rows = text.splitlines()
    for number in lines:
        if not 0 <= number < len(rows):
            continue
        row = rows[number]
        if "\t" in row[: len(row) - len(row.lstrip())]:
            return TAB_HINT
        if _BARE_IPV6.search(_QUOTED.sub('""', row.split(" #")[0])):
            return IPV6_HINT
    return ""
