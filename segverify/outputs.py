"""Output files: refused before any work when they cannot be written, then written whole or not at all.

A report or picture goes to a temporary file beside its target, renamed over it only once all is
written, so a full disk, a failed renderer or an interrupt never leaves half a report that a CI
job would read as a whole one. Devices, pipes, a process's streams (`/dev/stdout`) and /proc
cannot be renamed over and need not be: they are written in place. Every failure is an
OutputError (a usage error, exit 2) naming the path and the problem; the CLI adds the option.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from pathlib import Path

from segverify.errors import UsageError

# Written in place: renaming a file over these would replace a process's stream or fail.
_IN_PLACE_ROOTS = ("/dev/stdout", "/dev/stderr", "/dev/fd/", "/proc/", "/sys/")


class OutputError(UsageError):
    """An output path that cannot be written: `'PATH' PROBLEM`, for the CLI to prefix the option."""

    def __init__(self, path: str | Path, problem: str) -> None:
        super().__init__(f"'{path}' {problem}")


def check_file(path: Path) -> None:
    """Refuse, before any work, a file output that is a folder, lies below a file or in a folder
    that cannot be written (the temporary file goes there)."""
    if path.is_dir():
        raise OutputError(path, "is a folder: give a file name")
    if not _in_place(path):
        _check_parents(path)


def same_files(files: dict[str, Path]) -> tuple[str, str, Path] | None:
    """Two options naming one file (the later write would replace the earlier), or None.
    Devices and streams (`/dev/null`, `/dev/stdout`) may be named by several."""
    seen: dict[str, str] = {}
    for option, path in files.items():
        if _in_place(path):
            continue
        real = os.path.realpath(path)
        if real in seen:
            return seen[real], option, path
        seen[real] = option
    return None


def check_folder(path: Path) -> None:
    """Refuse, before any work, a folder output that exists as something else."""
    if path.exists() and not path.is_dir():
        raise OutputError(path, "is not a folder")
    _check_parents(path)


def _check_parents(path: Path) -> None:
    for parent in Path(os.path.realpath(path)).parents:
        if parent.exists():
            if not parent.is_dir():
                raise OutputError(path, f"cannot be created: '{parent}' is not a folder")
            if not os.access(parent, os.W_OK | os.X_OK):
                raise OutputError(path, f"cannot be written: the folder '{parent}' is not writable")
            return


def make_folder(path: Path) -> None:
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(path, f"cannot be created: {reason(exc)}") from None


def write_text(path: Path, pieces: Iterable[str]) -> None:
    write_bytes(path, (piece.encode("utf-8") for piece in pieces))


def write_bytes(path: Path, pieces: Iterable[bytes]) -> None:
    """Write the pieces to `path`: whole, or not at all (see the module docstring)."""
    check_file(path)
    if _in_place(path):
        _write_in_place(path, pieces)
        return
    target = Path(os.path.realpath(path))  # a link to a file: replace the file, keep the link
    make_folder(target.parent)
    temporary = _temporary_beside(path, target)
    try:
        _write_all(temporary, pieces)
        _keep_mode(target, temporary)
        os.replace(temporary, target)
    except OSError as exc:
        raise OutputError(path, f"cannot be written: {reason(exc)}") from None
    finally:
        if temporary.exists():
            temporary.unlink()


def _in_place(path: Path) -> bool:
    for name in (os.path.abspath(path), os.path.realpath(path)):
        if name.startswith(_IN_PLACE_ROOTS):
            return True
    try:
        return not stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return False  # nothing there yet: a new file


def _write_in_place(path: Path, pieces: Iterable[bytes]) -> None:
    # Appending: `-o /dev/stdout >> log` adds to the log as a shell redirection does.
    try:
        with open(path, "ab") as out:
            for piece in pieces:
                out.write(piece)
    except OSError as exc:
        raise OutputError(path, f"cannot be written: {reason(exc)}") from None


def _temporary_beside(path: Path, target: Path) -> Path:
    for attempt in range(100):
        candidate = target.with_name(f".{target.name}.{os.getpid()}.{attempt}.tmp")
        try:
            os.close(os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
        except FileExistsError:
            continue
        except OSError as exc:
            raise OutputError(path, f"cannot be written: {reason(exc)}") from None
        return candidate
    raise OutputError(path, f"cannot be written: no free temporary name in '{target.parent}'")


def _write_all(path: Path, pieces: Iterable[bytes]) -> None:
    with open(path, "wb") as out:
        for piece in pieces:
            out.write(piece)


def _keep_mode(target: Path, temporary: Path) -> None:
    """A report written again keeps the permissions its file had."""
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        return
    os.chmod(temporary, mode)


def reason(exc: OSError) -> str:
    """The operating system's reason, as a clause: `no space left on device`."""
    return exc.strerror.lower() if exc.strerror else str(exc)
