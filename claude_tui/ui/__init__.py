"""Everything that knows the terminal: the REPL, commands and rich rendering."""
