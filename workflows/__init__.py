"""Workflow definitions and the pure domain they run on: no I/O, no database, no web."""
