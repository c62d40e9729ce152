"""The error hierarchy: bad input (exit 2) versus our own bugs (internal errors)."""

from __future__ import annotations

from collections.abc import Iterable

from segverify.diagnostics import Diagnostic
from segverify.model.ir import Model


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


def require_no_layers(model: Model, what: str) -> None:
    """Refuse (exit 2, at the first layer) what does not yet read `layers:`: a wrong answer is worse."""
    if model.layers:
        layer = model.layers[0]
        raise ModelError(
            [
                Diagnostic(
                    "layers-unsupported",
                    f"{what} does not read enforcement layers yet; layer '{layer.name}' is defined here",
                    layer.span,
                    hint="`segverify check` reads them; remove `layers:` to use this command",
                )
            ]
        )
