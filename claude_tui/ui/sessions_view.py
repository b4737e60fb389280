"""Saved sessions on screen: tables, search hits, and a replay of recent turns.

Everything saved is shown inert (see :mod:`claude_tui.core.inert`): titles are
the person's first words or whatever a script renamed them to, and replayed
answers are the model's untrusted text.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping

from rich.console import Console
from rich.table import Table
from rich.text import Text

from claude_tui.core.conversation import Conversation
from claude_tui.core.inert import inert
from claude_tui.core.usage import Totals
from claude_tui.store import SearchHit, SessionInfo
from claude_tui.store.sessions import MATCH_END, MATCH_START
from claude_tui.ui.cost_view import money
from claude_tui.ui.look import Look
from claude_tui.ui.style import PROMPT


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
) -> Table:
    """Id, title, age, message count and what each session cost, newest first as given."""
    now = clock()
    table = Table(box=None, header_style="bold", pad_edge=False)
    table.add_column("id", style="cyan", no_wrap=True)
    table.add_column("title", overflow="ellipsis", no_wrap=True, max_width=60)
    table.add_column("updated", justify="right", no_wrap=True)
    table.add_column("msgs", justify="right")
    table.add_column("cost", justify="right", no_wrap=True)
    table.add_column("model", style="dim", no_wrap=True)
    for info in sessions:
        spent = (costs or {}).get(info.id)
        table.add_row(
            info.id,
            Text(title(info)),
            age(info.updated_at, now),
            str(info.message_count),
            money(spent.cost, spent) if spent else "-",
            inert(info.model),
        )
    return table


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
        console.print(Text("  ").append(snippet_text(hit.snippet)))


def replay(console: Console, conversation: Conversation, look: Look, last: int) -> None:
    """Show the last ``last`` messages (0: all) the way they looked when they streamed."""
    # Here, not at the top, so the renderer's imports stay off the way to the prompt.
    from claude_tui.ui.markdown_stream import render_markdown

    shown = conversation.messages[-last:] if last else conversation.messages
    hidden = len(conversation.messages) - len(shown)
    if hidden:
        console.print(f"[dim]… {hidden} earlier messages[/]")
    for message in shown:
        if message.role == "user":
            console.print(Text(PROMPT, style="bold cyan").append(inert(message.text)))
        else:
            render_markdown(console, message.text, look)
            if message.status != "complete":
                console.print(f"[yellow]({message.status})[/]")
        console.print()
