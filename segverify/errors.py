"""The error hierarchy: bad input (exit 2) versus our own bugs (internal errors)."""

from __future__ import annotations

from collections.abc import Iterable

from segverify.diagnostics import Diagnostic

# The exit codes of every command (spec): a check's is decided by results.Report.exit_code,
# the errors' by cli.exits.
EXIT_OK, EXIT_VIOLATED, EXIT_BAD_INPUT, EXIT_UNKNOWN = 0, 1, 2, 3
EXIT_INTERNAL = 70  # EX_SOFTWARE: a bug in segverify (a failed self-check), never a verdict


class SegverifyError(Exception):
    """Root of every error segverify raises on purpose."""


class ModelError(SegverifyError):
    """The input is wrong; carries every diagnostic found, sorted by location."""

    def __init__(self, diagnostics: Iterable[Diagnostic]) -> None:
        self.diagnostics = tuple(sorted(diagnostics, key=Diagnostic.sort_key))
        super().__init__("\n".join(d.render() for d in self.diagnostics))


class UsageError(SegverifyError):
    """A command-line argument is wrong (exit 2)."""


class InternalError(SegverifyError):
    """A self-check failed or an invariant broke: a bug in segverify, never a verdict."""

    def __init__(self, message: str) -> None:
        super().__init__(f"internal error (please report it): {message}")
