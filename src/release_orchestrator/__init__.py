"""Cut a Python release, watch its publish run, explain trusted-publishing failures."""

__version__ = "0.1.0"
