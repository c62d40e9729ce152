"""Renderers: Report -> text, JSON, SARIF, JUnit, DOT; images.py runs the renderer."""
