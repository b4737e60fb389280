"""Answers for pipes and scripts: the raw markdown text, as it arrives, nothing else.

Deliberately not made inert (see :mod:`claude_tui.core.inert`): a script piping
`ask` wants the exact text, control characters included, and this path is taken
only when stdout is not a terminal.
"""

from __future__ import annotations

import re
from typing import TextIO

from claude_tui.app import Turn, TurnResult
from claude_tui.core.events import Retrying, TextDelta, Waiting
from claude_tui.errors import ClaudeTuiError
from claude_tui.interrupts import to_the_end
from claude_tui.ui.turn_view import TurnView, retry_notice, wait_notice


def print_plain(turn: Turn, out: TextIO, view: TurnView) -> TurnResult:
    """Write answer text to ``out`` unrendered; ``view`` reports how it ended on stderr."""
    ended_with_newline = True
    try:
        for event in turn:
            if isinstance(event, TextDelta) and event.text:
                out.write(event.text)
                out.flush()
                ended_with_newline = event.text.endswith("\n")
            elif isinstance(event, Retrying):
                view.note(retry_notice(event))
            elif isinstance(event, Waiting) and event.left_s == event.total_s:
                view.note(wait_notice(event))
    except (KeyboardInterrupt, ClaudeTuiError):
        pass
    finally:
        turn.close()
        if not ended_with_newline:
            out.write("\n")
            out.flush()
    return to_the_end(lambda: view.conclude(turn, quiet=True))


class Unpadded:
    """A text stream that drops the spaces rich pads each line with to the console width.

    Written to a pipe or a file, ``sessions show`` would otherwise end every line with
    up to 80 spaces.
    """

    _PADDING = re.compile(r" +(?=\n)")

    def __init__(self, out: TextIO) -> None:
        self._out = out

    def write(self, text: str) -> int:
        self._out.write(self._PADDING.sub("", text))
        return len(text)

    def flush(self) -> None:
        self._out.flush()

    def isatty(self) -> bool:
        return False
