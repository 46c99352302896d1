"""Thin adapters: git, GitHub, PyPI, files, logs, the clock and interrupts."""
