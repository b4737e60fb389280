"""Start the interactive chat or a one-shot answer, with real terminal streams."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass

from rich.console import Console

from claude_tui import paths
from claude_tui.api import preload_sdk
from claude_tui.app import Chat, TurnResult, build_chat, open_store
from claude_tui.config import Config
from claude_tui.errors import NotFoundError, UsageError
from claude_tui.store import SessionInfo, Store
from claude_tui.ui.picker import pick_session
from claude_tui.ui.plain import print_plain
from claude_tui.ui.repl import Repl
from claude_tui.ui.sessions_view import replay
from claude_tui.ui.slash_commands import REPLAY_MESSAGES
from claude_tui.ui.turn_view import TurnView

INTERRUPTED_EXIT = 130
RENDERER = "claude_tui.ui.markdown_stream"
PICKER_SESSIONS = 200


@dataclass(frozen=True)
class Resume:
    """Which saved session to continue: the latest, one named, one picked, or none."""

    latest: bool = False
    ref: str | None = None
    pick: bool = False
    model_flag: str | None = None


def run_repl(config: Config, env: Mapping[str, str], resume: Resume = Resume()) -> int:
    """The interactive chat; the SDK loads in the background while the person types."""
    console = Console(highlight=False)
    store = open_store(env)
    session = _chosen_session(store, resume)
    chat = build_chat(config, env, store, session)
    if session is not None:
        _resume(chat, session, resume, console, config)
    history = paths.history_path(env)
    paths.ensure_private_file(history)
    repl = Repl(
        chat, console, _view(config, console), history_path=history, on_drawn=_preload_answer
    )
    return repl.run()


def _preload_answer() -> None:
    """Load what an answer needs, started once the prompt is up: the import holds the GIL
    for a second or more, and begun earlier it slows building and drawing the prompt."""
    preload_sdk(RENDERER)


def _chosen_session(store: Store, resume: Resume) -> SessionInfo | None:
    if resume.ref is not None:
        return store.resolve(resume.ref)
    if resume.latest:
        latest = store.latest()
        if latest is None:
            raise NotFoundError("no saved session to continue yet")
        return latest
    if resume.pick:
        sessions = store.sessions(PICKER_SESSIONS)
        if not sessions:
            raise NotFoundError("no saved sessions to resume yet")
        chosen = pick_session(sessions)
        if chosen is None:
            raise KeyboardInterrupt
        return chosen
    return None


def _resume(
    chat: Chat, session: SessionInfo, resume: Resume, console: Console, config: Config
) -> None:
    if resume.model_flag is None:
        chat.switch_model(session.model)
    console.print(f"[dim]Resuming[/] [bold]{session.title or session.id}[/] [dim]{session.id}[/]")
    replay(console, chat.conversation, config.code_theme, REPLAY_MESSAGES)


def run_ask(config: Config, env: Mapping[str, str], question: str) -> int:
    """One answer to stdout: rendered for a terminal, raw markdown for a pipe."""
    if not question.strip():
        raise UsageError('nothing to ask: claude-tui ask "question", or pipe the question in')
    console = Console(highlight=False)
    view = _view(config, console)
    turn = build_chat(config, env, open_store(env)).send(question)
    result = view.show(turn) if sys.stdout.isatty() else print_plain(turn, sys.stdout, view)
    return _exit_code(result)


def _view(config: Config, console: Console) -> TurnView:
    errors = Console(stderr=True, highlight=False)
    return TurnView(
        console, errors, code_theme=config.code_theme, thinking_display=config.thinking_display
    )


def _exit_code(result: TurnResult) -> int:
    if result.error is not None:
        return result.error.exit_code
    return 0 if result.status == "complete" else INTERRUPTED_EXIT
