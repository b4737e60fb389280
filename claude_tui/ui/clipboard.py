"""Copy to the person's clipboard with OSC 52, which works over SSH and in tmux."""

from __future__ import annotations

import base64
from typing import TextIO


def osc52(text: str) -> str:
    """The escape sequence that asks the terminal to put ``text`` on the clipboard."""
    payload = base64.b64encode(text.encode("utf-8")).decode("ascii")
    return f"\x1b]52;c;{payload}\x07"


def copy_to_clipboard(stream: TextIO, text: str) -> None:
    """Write the OSC 52 request straight to the terminal, bypassing any renderer."""
    stream.write(osc52(text))
    stream.flush()


def code_blocks(markdown: str) -> list[str]:
    """The fenced and indented code blocks of an answer, in order, as plain text."""
    # Here, not at the top: /copy is rare and markdown-it is not needed to draw the prompt.
    from markdown_it import MarkdownIt

    tokens = MarkdownIt("commonmark").parse(markdown)
    return [t.content for t in tokens if t.type in ("fence", "code_block")]
