"""The commands: each wires core and adapters for one ``release`` subcommand."""
