"""`segverify diff`: what a change between two versions of a model opens, closes and breaks.

packets.py finds every packet whose first-match decision differs (exact, by the cell sweep),
groups.py turns those cells into reported groups (each example re-decided by the reference),
and the other modules compare policies, attack reach and the model's definitions.
"""
