"""Model stage: load, locate and validate YAML into an immutable IR."""
