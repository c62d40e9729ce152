"""Model stage: the policy packs shipped inside segverify, named `pack:NAME` (`--policy pack:baseline`).

A pack is read from the installed package, never from the working directory, so CI checks
against the packs of the segverify it runs. Its diagnostics and results name it `pack:NAME`
(as `pack:baseline:27:5`): a path inside site-packages means nothing to the user, and SARIF
and GitHub annotations never point into a file the repository does not hold.
"""

from __future__ import annotations

from importlib import resources

PACK_PREFIX = "pack:"


def pack_names() -> tuple[str, ...]:
    """The shipped packs, sorted."""
    folder = resources.files("segverify") / "packs"
    return tuple(sorted(p.name[: -len(".yaml")] for p in folder.iterdir() if p.name.endswith(".yaml")))


def is_pack(path: str) -> bool:
    return path.startswith(PACK_PREFIX)


def pack_bytes(path: str) -> bytes | None:
    """The bytes of `pack:NAME` as shipped (for its SHA-256), or None when no pack has that name."""
    name = path[len(PACK_PREFIX) :]
    if name not in pack_names():
        return None
    return (resources.files("segverify") / "packs" / f"{name}.yaml").read_bytes()


def pack_text(path: str) -> str | None:
    """The text of `pack:NAME`, or None when no pack has that name."""
    name = path[len(PACK_PREFIX) :]
    if name not in pack_names():
        return None
    return (resources.files("segverify") / "packs" / f"{name}.yaml").read_text(encoding="utf-8")
