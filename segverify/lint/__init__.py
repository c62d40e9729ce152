"""Lint stage: rule hygiene of a model, exact over every packet, each witness replayed (`segverify lint`)."""
