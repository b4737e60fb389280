"""Copy to the person's clipboard: OSC 52, and a local clipboard tool where there is one.

OSC 52 works over SSH and in tmux, but many terminals ignore it without a word.
Where a desktop session has wl-copy, xclip, xsel or pbcopy, the text goes there
too, and /copy says which; where there is none, it says how to get one.
"""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
from collections.abc import Callable, Mapping
from typing import TextIO

# Each tool, its arguments, and the variable its desktop session sets (None: always).
TOOLS: tuple[tuple[str, tuple[str, ...], str | None], ...] = (
    ("wl-copy", (), "WAYLAND_DISPLAY"),
    ("xclip", ("-selection", "clipboard"), "DISPLAY"),
    ("xsel", ("--clipboard", "--input"), "DISPLAY"),
    ("pbcopy", (), None),
)
TOOL_TIMEOUT_S = 5


def osc52(text: str) -> str:
    """The escape sequence that asks the terminal to put ``text`` on the clipboard."""
    payload = base64.b64encode(text.encode("utf-8")).decode("ascii")
    return f"\x1b]52;c;{payload}\x07"


def copy_to_clipboard(stream: TextIO, text: str) -> None:
    """Write the OSC 52 request straight to the terminal, bypassing any renderer."""
    stream.write(osc52(text))
    stream.flush()


def copy_with_tool(
    text: str,
    env: Mapping[str, str] = os.environ,
    which: Callable[[str], str | None] = shutil.which,
) -> str | None:
    """Hand ``text`` to the first clipboard tool that works here; its name, or None."""
    for name, args, session in TOOLS:
        path = which(name)
        if path is None or (session is not None and not env.get(session)):
            continue
        try:
            subprocess.run(
                [path, *args],
                input=text.encode("utf-8"),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                timeout=TOOL_TIMEOUT_S,
                check=True,
            )
        except (OSError, subprocess.SubprocessError):
            continue
        return name
    return None


def code_blocks(markdown: str) -> list[str]:
    """The fenced and indented code blocks of an answer, in order, as plain text."""
    # Here, not at the top: /copy is rare and markdown-it is not needed to draw the prompt.
    from markdown_it import MarkdownIt

    tokens = MarkdownIt("commonmark").parse(markdown)
    return [t.content for t in tokens if t.type in ("fence", "code_block")]
