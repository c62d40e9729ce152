"""Importers: files in, model IR out, every input object traced to file:line."""
