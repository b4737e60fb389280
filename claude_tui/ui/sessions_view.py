"""Saved sessions on screen: tables, search hits, and a replay of recent turns.

Everything saved is shown inert (see :mod:`claude_tui.core.inert`): titles are
the person's first words or whatever a script renamed them to, and replayed
answers are the model's untrusted text.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

from rich.console import Console, ConsoleOptions, RenderResult
from rich.table import Table
from rich.text import Text

from claude_tui.core.attachments import FILE_MARK, Attachment
from claude_tui.core.conversation import Conversation, attachments_of
from claude_tui.core.inert import inert
from claude_tui.core.usage import Totals
from claude_tui.core.web import has_web, sources
from claude_tui.store import SearchHit, SessionInfo
from claude_tui.store.sessions import MATCH_END, MATCH_START
from claude_tui.ui.cost_view import money
from claude_tui.ui.look import Look
from claude_tui.ui.style import PROMPT
from claude_tui.ui.web_view import answer_parts, print_note, print_sources


def title(info: SessionInfo) -> str:
    """The session's title as it may be shown on a terminal."""
    return inert(info.title or "(untitled)")


def resuming_line(info: SessionInfo) -> Text:
    """Which session the chat goes on with, said before its replay."""
    return Text.assemble(("Resuming ", "dim"), (title(info), "bold"), (f" {info.id}", "dim"))


def age(then: float, now: float) -> str:
    """How long ago, in the largest unit that fits: ``45s``, ``3m``, ``5h``, ``12d``."""
    seconds = max(0, int(now - then))
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit} ago"
    return f"{seconds}s ago"


def sessions_table(
    sessions: list[SessionInfo],
    costs: Mapping[str, Totals] | None = None,
    clock: Callable[[], float] = time.time,
) -> SessionsTable:
    """Id, title, age, message count and what each session cost, newest first as given."""
    now = clock()
    rows = [
        (
            info.id,
            title(info),
            age(info.updated_at, now),
            str(info.message_count),
            _cost(info, costs),
            inert(info.model),
        )
        for info in sessions
    ]
    return SessionsTable(rows)


class SessionsTable:
    """The sessions table, laid out for the width it is drawn at.

    Ids, ages, counts and costs are never cut (a cut id cannot be resumed); the
    title takes the room that is left (up to 60) and the model what the title spares.
    """

    HEADERS = ("id", "title", "updated", "msgs", "cost", "model")
    WHOLE = (0, 2, 3, 4)  # the columns shown whole
    TITLE_MAX, TITLE_MIN, MODEL_MAX, MODEL_MIN = 60, 12, 24, 8

    def __init__(self, rows: list[tuple[str, ...]]) -> None:
        self._rows = rows

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        whole = {c: self._widest(c) for c in self.WHOLE}
        room = options.max_width - sum(whole.values()) - 2 * (len(self.HEADERS) - 1)
        title = max(min(self._widest(1), self.TITLE_MAX, room - self.MODEL_MIN), self.TITLE_MIN)
        model = max(min(self._widest(5), self.MODEL_MAX, room - title), self.MODEL_MIN)
        table = Table(box=None, header_style="bold", pad_edge=False)
        for column, header in enumerate(self.HEADERS):
            right = "right" if column in (2, 3, 4) else "left"
            width = whole.get(column) or (title if column == 1 else model)
            table.add_column(header, justify=right, width=width, no_wrap=True, overflow="ellipsis")
        table.columns[0].style, table.columns[5].style = "cyan", "dim"
        for row in self._rows:
            table.add_row(*row[:1], Text(row[1]), *row[2:])
        yield table

    def _widest(self, column: int) -> int:
        """The width a column needs to show every value whole."""
        return max([len(self.HEADERS[column]), *(len(row[column]) for row in self._rows)])


def _cost(info: SessionInfo, costs: Mapping[str, Totals] | None) -> str:
    spent = (costs or {}).get(info.id)
    return money(spent.cost, spent) if spent else "-"


def snippet_text(snippet: str) -> Text:
    """A search snippet with the matched words highlighted and no stray control marks."""
    text = Text()
    highlighted = False
    for part in snippet.replace(MATCH_END, MATCH_START).split(MATCH_START):
        text.append(inert(" ".join(part.split("\n"))), style="bold yellow" if highlighted else "")
        highlighted = not highlighted
    return text


def print_hits(console: Console, hits: list[SearchHit], clock: Callable[[], float]) -> None:
    """Each matching session on one line, its best snippet under it."""
    now = clock()
    for hit in hits:
        info = hit.session
        console.print(
            Text.assemble(
                (info.id, "cyan"), " ", title(info), (f" {age(info.updated_at, now)}", "dim")
            ),
            highlight=False,
        )
        elsewhere = hit.branch != hit.active_branch
        where = Text(f" (in branch {hit.branch})", style="dim") if elsewhere else Text("")
        console.print(Text("  ").append(snippet_text(hit.snippet)).append(where))


def replay(console: Console, conversation: Conversation, look: Look, exchanges: int = 0) -> None:
    """Show the last ``exchanges`` exchanges (0: everything) as they looked when they streamed.

    A resume shows the end of a session, not all of it: each message is cut to
    its first lines (a 1 MB paste would otherwise fill the scrollback), and a dim
    line says how much came before and that /history lists it.
    """
    # Here, not at the top, so the renderer's imports stay off the way to the prompt.
    from claude_tui.ui.markdown_stream import render_markdown

    messages = conversation.messages
    first = _exchange_start(conversation, exchanges) if exchanges else 0
    if first:
        console.print(f"[dim]… {first} earlier messages; /history lists them[/]")
    for message in messages[first:]:
        full = message.text
        text = _clipped(full) if exchanges else full
        if message.role == "user":
            console.print(Text(PROMPT, style="bold cyan").append(inert(text)))
            for attachment in attachments_of(message):
                console.print(file_line(attachment))
        elif text is not full or not has_web(message.content):
            render_markdown(console, text, look)
        else:
            render_answer(console, message.content, look)
        if message.role == "assistant" and message.status != "complete":
            console.print(f"[yellow]({message.status})[/]")
        if text is not full:
            console.print(f"[dim]… {_lines(full) - REPLAY_LINES} more lines[/]")
        console.print()


# How many lines of each message a resume shows.
REPLAY_LINES = 40


def _exchange_start(conversation: Conversation, exchanges: int) -> int:
    """Where the last ``exchanges`` exchanges begin (each starts with a user turn)."""
    starts = [i for i, m in enumerate(conversation.messages) if m.role == "user"]
    return starts[-exchanges] if len(starts) >= exchanges else 0


def _clipped(text: str) -> str:
    """The first lines of a long message; the text itself (same object) if it is short."""
    if _lines(text) <= REPLAY_LINES:
        return text
    head = "\n".join(text.split("\n")[:REPLAY_LINES])
    return head + "\n```" if head.count("```") % 2 else head  # close a fence cut open


def _lines(text: str) -> int:
    return text.count("\n") + 1


def render_answer(console: Console, blocks: list[dict[str, Any]], look: Look) -> None:
    """An answer with server tool calls and citations, drawn as it streamed."""
    from claude_tui.ui.markdown_stream import render_markdown

    for kind, text in answer_parts(blocks):
        if kind == "markdown":
            render_markdown(console, text, look)
        else:
            print_note(console, text)
    print_sources(console, sources(blocks), look.hyperlinks)


def file_line(attachment: Attachment) -> Text:
    """One dim, inert line for an attached file: name, kind, pages or pixels, size."""
    return Text("  " + FILE_MARK + inert(attachment.describe()), style="dim")


def history_lines(
    conversation: Conversation, costs: Mapping[int, Totals] | None = None
) -> list[Text]:
    """The branch's messages as /history shows them: each of your messages numbered as
    /edit takes it, the answer under it with what it cost; first lines only, inert."""
    rows = []
    number = 0
    for seq, message in enumerate(conversation.messages):
        mine = message.role == "user"
        number += mine
        first_line = inert(message.text.strip().split("\n", 1)[0]) or "(no text)"
        note = "" if message.status == "complete" else f" ({message.status})"
        cost = (costs or {}).get(seq)
        spent = f"  {money(cost.cost, cost)}" if cost is not None and not mine else ""
        rows.append(
            Text.assemble(
                (f"{number:>4} " if mine else "     ", "dim"),
                (f"{'you' if mine else 'claude':<7}", "bold"),
                first_line,
                (note, "yellow"),
                (spent, "dim"),
            )
        )
    return rows
