"""Connectivity: for every ordered pair of hosts and external zones, the services allowed through
every layer. layers.py says what a layer is, compute.py computes, render.py prints."""
