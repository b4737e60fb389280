"""One way to see rendered output as a person would: through a terminal emulator."""

from __future__ import annotations

import io

import pyte
from rich.console import Console

from claude_tui.ui.markdown_stream import render_markdown


def make_console(width: int, height: int = 30) -> tuple[Console, io.StringIO]:
    """A terminal-like console writing into memory."""
    buffer = io.StringIO()
    console = Console(
        file=buffer, width=width, height=height, force_terminal=True, color_system=None
    )
    return console, buffer


def screen_lines(raw: str, width: int) -> list[str]:
    """What a terminal shows after ``raw``: cursor moves applied, trailing blanks dropped."""
    screen = pyte.Screen(width, 5000)
    pyte.ByteStream(screen).feed(raw.replace("\n", "\r\n").encode())
    lines = [line.rstrip() for line in screen.display]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def one_shot(text: str, width: int) -> list[str]:
    """The screen after printing the whole markdown document at once, as a replay does."""
    console, buffer = make_console(width)
    render_markdown(console, text)
    return screen_lines(buffer.getvalue(), width)
