"""Commands that do not read enforcement layers yet refuse a layered model here, in one place."""

from __future__ import annotations

from segverify.diagnostics import Diagnostic
from segverify.errors import ModelError
from segverify.model.ir import Model


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
