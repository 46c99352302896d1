"""The pure core: no git, GitHub, HTTP, subprocess or file I/O (tests/test_layers.py)."""
