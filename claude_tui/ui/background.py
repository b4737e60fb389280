"""The terminal's background, dark or light, so ``theme = "auto"`` can follow it.

The terminal is asked with OSC 11 and, right after, with DA1 (``ESC [ c``),
which every terminal answers: its reply ends the wait at once in terminals that
ignore OSC 11, so start-up never waits out the timeout there. ``COLORFGBG``
(set by rxvt, Konsole and others) answers when the terminal cannot be asked.
"""

from __future__ import annotations

import functools
import os
import re
import select
import sys
import termios
from collections.abc import Mapping

from claude_tui.ui.keyboard import owns_terminal

QUERY = b"\x1b]11;?\x1b\\\x1b[c"
TIMEOUT_S = 0.25
_COLOUR = re.compile(rb"\]11;rgb:([0-9a-fA-F]{1,4})/([0-9a-fA-F]{1,4})/([0-9a-fA-F]{1,4})")
_DA1_REPLY = re.compile(rb"\x1b\[\?[0-9;]*c")
# COLORFGBG background numbers that are light: white and the bright colours but black.
_LIGHT_COLOURS = frozenset({7, *range(9, 16)})


def background_from(reply: bytes) -> str | None:
    """ "dark" or "light" from an OSC 11 reply (``rgb:RRRR/GGGG/BBBB``); None without one."""
    found = _COLOUR.search(reply)
    if found is None:
        return None
    red, green, blue = (int(part, 16) / (16 ** len(part) - 1) for part in found.groups())
    luminance = 0.2126 * red + 0.7152 * green + 0.0722 * blue
    return "light" if luminance > 0.5 else "dark"


def background_from_env(env: Mapping[str, str]) -> str | None:
    """What ``COLORFGBG`` ("15;0": white on black) says of the background, if set."""
    last = env.get("COLORFGBG", "").rsplit(";", 1)[-1]
    if not last.isdigit():
        return None
    return "light" if int(last) in _LIGHT_COLOURS else "dark"


def ask_terminal(fd_in: int, fd_out: int, timeout: float = TIMEOUT_S) -> bytes:
    """Send the queries and read the replies, with echo and line editing off meanwhile."""
    saved = termios.tcgetattr(fd_in)
    quiet = list(saved)
    quiet[3] &= ~(termios.ECHO | termios.ICANON)
    reply = b""
    try:
        termios.tcsetattr(fd_in, termios.TCSANOW, quiet)
        os.write(fd_out, QUERY)
        while not _DA1_REPLY.search(reply):
            ready, _, _ = select.select([fd_in], [], [], timeout)
            if not ready:
                break
            reply += os.read(fd_in, 1024)
    finally:
        termios.tcsetattr(fd_in, termios.TCSANOW, saved)
    return reply


@functools.cache
def terminal_background() -> str | None:
    """The background of the terminal this process runs in, asked once; None if unknown."""
    try:
        fd_in, fd_out = sys.stdin.fileno(), sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # closed or replaced streams
        return background_from_env(os.environ)
    dumb = os.environ.get("TERM", "dumb") == "dumb"
    if dumb or not owns_terminal(fd_in) or not os.isatty(fd_out):
        return background_from_env(os.environ)  # a background job must not touch the tty
    try:
        reply = ask_terminal(fd_in, fd_out)
    except (OSError, termios.error):
        reply = b""
    return background_from(reply) or background_from_env(os.environ)
