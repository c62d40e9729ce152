"""Kubernetes importer: Pods, workloads, Namespaces and NetworkPolicies into a layered model.

read.py finds the objects, objects.py parses them, select.py matches label selectors,
policy.py applies the NetworkPolicy semantics and emit.py writes the model folder.
"""
