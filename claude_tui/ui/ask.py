"""``claude-tui ask``: one answer to stdout, without the interactive prompt's imports."""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence

from rich.console import Console
from rich.markup import escape

from claude_tui.app import Chat, Turn, TurnResult, build_chat, open_store, paused
from claude_tui.config import Config
from claude_tui.core.web import PAUSE_LIMIT
from claude_tui.errors import ClaudeTuiError, UsageError
from claude_tui.ui.lifecycle import metered, settle, turn_view
from claude_tui.ui.plain import print_plain
from claude_tui.ui.turn_view import TurnView

INTERRUPTED_EXIT = 130


def run_ask(
    config: Config, env: Mapping[str, str], question: str, files: Sequence[str] = ()
) -> int:
    """One answer to stdout: rendered for a terminal, raw markdown for a pipe.

    ``files`` are checked before anything is sent; one that cannot go is one line.
    """
    if not question.strip():
        raise UsageError('nothing to ask: claude-tui ask "question", or pipe the question in')
    console = Console(highlight=False)
    view = turn_view(config, console, in_chat=False)
    store = open_store(env)
    errors = Console(stderr=True, highlight=False)
    with metered(env, errors) as tracker:
        chat = build_chat(config, env, store, tracker=tracker)
        try:
            result = _answer(chat, question, files, view)
        except ClaudeTuiError as exc:
            exc.chat_advice = ""  # it names chat commands, which ask has none of
            raise
        for notice in chat.take_notices():
            errors.print(f"[yellow]{escape(notice)}[/]", highlight=False)
        settle(chat, errors)
    return _exit_code(result)


def _answer(chat: Chat, question: str, files: Sequence[str], view: TurnView) -> TurnResult:
    """Attach, send, show, and go on with a turn the web tools paused."""
    for path in files:
        chat.attach(path)
    result = _show(chat.send(question), view)
    for number in range(1, PAUSE_LIMIT + 1):
        if not paused(result):
            break
        view.note(f"the web tools are still at work: going on ({number})")
        result = _show(chat.continue_paused(), view)
    return result


def _show(turn: Turn, view: TurnView) -> TurnResult:
    return view.show(turn) if sys.stdout.isatty() else print_plain(turn, sys.stdout, view)


def _exit_code(result: TurnResult) -> int:
    if result.error is not None:
        return result.error.exit_code
    return 0 if result.status == "complete" else INTERRUPTED_EXIT
