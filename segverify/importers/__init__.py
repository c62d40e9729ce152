"""Importers: configurations that are already deployed (Kubernetes, AWS) in, segverify models out.

Each importer reads its own files, traces every input object to file:line, and writes a model
folder that the ordinary loader reads back; warnings name what was ignored and whether ignoring
it can only widen what the model allows (sound for proofs) or may narrow it.
"""
