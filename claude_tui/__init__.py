"""claude-tui: a terminal chat client for Anthropic's Claude."""

__version__ = "0.1.0"
