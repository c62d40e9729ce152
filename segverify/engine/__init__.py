"""Engine stage: the plain-Python movement engine. No Z3 here, ever (tests/test_import_layers.py).

It answers "what can an attacker do" over the address atoms of one model, and builds the
evidence that the reference semantics later checks; Z3 (encode/) decides each verdict, and
analyses/crosscheck.py says which computation does what.

- atoms.py: address atoms and first match over them (EdgeIndex: which sources open a door)
- edges.py: doors, units and openers: the movement graph (AttackGraph) of a profile; Context
- memo.py: what one check computes once and every policy reuses
- witness.py: the worklist least fixpoint and attack paths read back from it
- shortest.py: the attack path with the fewest moves
- pick.py: a concrete, readable packet for a hop (Found)
- certificate.py: closed-set certificates: the closed set and why every door out of it is shut

Callers ask through segverify.session.Session (verdicts, reach, what-if changes) or api.check.
"""
