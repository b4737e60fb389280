"""Let ``python -m claude_tui`` behave exactly like the installed script."""

from claude_tui.cli import main

main()
