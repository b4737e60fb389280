"""What the web adds to an answer on screen: call and result lines, markers, sources.

The streaming view and the replay both go through :func:`answer_parts` or
:class:`WebTrack`, which apply the same rules, so an answer looks the same
live and resumed.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.console import Console
from rich.style import Style
from rich.text import Text

from claude_tui.core.conversation import AnswerBuilder, Block
from claude_tui.core.events import BlockStart, BlockStop, StreamEvent
from claude_tui.core.inert import inert
from claude_tui.core.web import (
    RESULT_TYPES,
    Source,
    call_line,
    is_web_link,
    markers,
    result_lines,
    sources,
)


@dataclass(frozen=True, slots=True)
class Shown:
    """What one event adds: dim lines to print between text, or markers after a text block."""

    notes: tuple[str, ...] = ()
    markers: str = ""


NOTHING = Shown()


class WebTrack:
    """Follows one answer's events for the lines and markers the web adds to it.

    It reads the turn's own answer, which has each event folded in already, so the
    stream is not folded twice.
    """

    def __init__(self, answer: AnswerBuilder, footnote: bool = False) -> None:
        """``footnote`` marks citations ``[^1]``, as the markdown written to files does."""
        self._builder = answer
        self._footnote = footnote
        self._open: dict[int, str] = {}  # index: block type, while it streams

    def follow(self, event: StreamEvent) -> Shown:
        """What to show for ``event``; most events add nothing."""
        if isinstance(event, BlockStart):
            kind = str(event.block.get("type"))
            self._open[event.index] = kind
            if kind in RESULT_TYPES:
                return Shown(notes=tuple(result_lines(event.block)))
        elif isinstance(event, BlockStop):
            kind = self._open.pop(event.index, "")
            if kind == "server_tool_use" or (kind == "text" and self._cites(event.index)):
                return self._stopped(event.index)
        return NOTHING

    def _cites(self, index: int) -> bool:
        return bool(self._builder.block(index).get("citations"))

    def _stopped(self, index: int) -> Shown:
        block = self._builder.block(index)
        line = call_line(block)
        if line is not None:
            return Shown(notes=(line,))
        numbered = sources(self._builder.blocks)
        return Shown(markers=markers(block, numbered, footnote=self._footnote))

    def sources(self) -> list[Source]:
        """The cited sources so far, numbered as the markers show them."""
        return sources(self._builder.blocks)


def answer_parts(blocks: list[Block]) -> list[tuple[str, str]]:
    """An answer as ("markdown", text) and ("note", line) parts, in order, as it streamed."""
    numbered = sources(blocks)
    parts: list[tuple[str, str]] = []
    text = ""
    for block in blocks:
        kind = block.get("type")
        if kind == "text":
            text += block.get("text", "") + markers(block, numbered)
            continue
        lines = [call_line(block)] if kind == "server_tool_use" else []
        lines += result_lines(block) if kind in RESULT_TYPES else []
        if text and any(lines):
            parts.append(("markdown", text))
            text = ""
        parts += [("note", line) for line in lines if line]
    if text:
        parts.append(("markdown", text))
    return parts


def print_note(console: Console, line: str) -> None:
    """One dim, inert line: a search, a fetch, a result."""
    console.print(Text("  " + inert(line), style="dim"), soft_wrap=True)


def print_sources(console: Console, numbered: list[Source], hyperlinks: bool) -> None:
    """The numbered sources under an answer; only http(s) URLs become links."""
    if not numbered:
        return
    console.print(Text("Sources", style="bold"))
    for source in numbered:
        line = Text(f"[{source.number}] ", style="dim")
        line.append(inert(source.title))
        link = source.url if hyperlinks and is_web_link(source.url) else None
        line.append(" " + inert(source.url), style=Style(dim=True, link=link))
        console.print(line, soft_wrap=True)
