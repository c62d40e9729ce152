"""Z3 encoding: the only package that imports z3."""
