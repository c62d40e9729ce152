"""Reference semantics in plain Python: the oracle and the checker of every answer. No z3 here, ever."""
