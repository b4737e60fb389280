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
from claude_tui.core.web import footnotes
from claude_tui.errors import ClaudeTuiError
from claude_tui.interrupts import to_the_end
from claude_tui.ui.turn_view import TurnView, retry_notice, wait_notice
from claude_tui.ui.web_view import WebTrack


def print_plain(turn: Turn, out: TextIO, view: TurnView) -> TurnResult:
    """Write answer text to ``out`` unrendered; ``view`` reports how it ended on stderr.

    Citation markers follow the text they mark, and the sources end the answer as
    markdown reference lines; searches and results go to stderr as notes.
    """
    web = WebTrack(turn.answer, footnote=True)
    ended_with_newline = True

    def write(text: str) -> None:
        nonlocal ended_with_newline
        out.write(text)
        out.flush()
        ended_with_newline = text.endswith("\n")

    try:
        for event in turn:
            shown = web.follow(event)
            for line in shown.notes:
                view.note(line)
            if isinstance(event, TextDelta) and event.text:
                write(event.text)
            elif shown.markers:
                write(shown.markers)
            elif isinstance(event, Retrying):
                view.note(retry_notice(event))
            elif isinstance(event, Waiting) and event.left_s == event.total_s:
                view.note(wait_notice(event))
    except (KeyboardInterrupt, ClaudeTuiError):
        pass
    finally:
        turn.close()
        cited = web.sources()
        if cited:
            write(("" if ended_with_newline else "\n") + "\n" + footnotes(cited) + "\n")
        if not ended_with_newline:
            write("\n")
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
