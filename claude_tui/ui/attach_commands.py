"""/attach and /detach: files queued for the next message, each shown as one inert line."""

from __future__ import annotations

import os
import shlex
from pathlib import Path

from claude_tui.core.attachments import sniff
from claude_tui.errors import UsageError
from claude_tui.ui.commands import CommandContext
from claude_tui.ui.sessions_view import file_line


def attach(repl: CommandContext, arg: str) -> None:
    """Queue files (quoted paths with spaces work, ``~`` expands); alone, list the queue."""
    chat = repl.chat
    if not arg:
        queued = chat.attachments.queued if chat.attachments else []
        if not queued:
            repl.console.print("Nothing attached; /attach PATH queues a file for the next message.")
        for number, attachment in enumerate(queued, start=1):
            repl.console.print(file_line(attachment).append(f"  /detach {number}"))
        return
    try:
        names = shlex.split(arg)
    except ValueError as exc:
        raise UsageError(f"/attach: {exc} (quote paths with spaces)") from None
    for name in names:
        repl.console.print(file_line(chat.attach(name)))


def detach(repl: CommandContext, arg: str) -> None:
    """Drop queued file N, or all of them."""
    chat = repl.chat
    number = None
    if arg:
        if not (arg.isascii() and arg.isdigit()):
            raise UsageError("/detach takes the number /attach lists, or nothing for all")
        number = int(arg)
    dropped = chat.attachments.detach(number) if chat.attachments else []
    names = ", ".join(a.name for a in dropped) or "nothing"
    repl.console.print(f"Detached {names}.", highlight=False, markup=False)


def dropped_file(line: str) -> str | None:
    """The path a line holds when it is only the path of an image or PDF (a file dragged in).

    Terminals paste a dragged file as its path, quoted or with escaped spaces.
    """
    text = line.strip()
    if not text or "\n" in text or len(text) > os.pathconf("/", "PC_PATH_MAX"):
        return None
    try:
        words = shlex.split(text)
    except ValueError:
        return None
    if len(words) != 1:
        return None
    try:
        path = Path(words[0]).expanduser()
        if not path.is_file():
            return None
        with path.open("rb") as file:
            sniffed = sniff(file.read(16))
    except (OSError, RuntimeError):  # RuntimeError: ~someone who does not exist
        return None
    return words[0] if sniffed is not None and sniffed[0] in ("image", "pdf") else None
