"""Data files shipped with claude-tui (the price table)."""
