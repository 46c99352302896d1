"""``python -m release_orchestrator``: the ``release`` command."""

from .cli import main

main()
