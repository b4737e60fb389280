"""Start the interactive chat or a one-shot answer, with real terminal streams."""

from __future__ import annotations

import signal
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

from rich.console import Console
from rich.markup import escape

from claude_tui import paths
from claude_tui.api import preload_sdk
from claude_tui.app import Chat, TurnResult, build_chat, open_store, open_tracker
from claude_tui.config import Config
from claude_tui.errors import NotFoundError, UsageError
from claude_tui.store import SessionInfo, Store, Tracker
from claude_tui.ui.picker import pick_session
from claude_tui.ui.plain import print_plain
from claude_tui.ui.repl import Repl
from claude_tui.ui.sessions_view import replay, resuming_line
from claude_tui.ui.slash_commands import REPLAY_MESSAGES
from claude_tui.ui.turn_view import TurnView

INTERRUPTED_EXIT = 130
RENDERER = "claude_tui.ui.markdown_stream"
PICKER_SESSIONS = 200
HANGUP_SIGNALS = (signal.SIGTERM, signal.SIGHUP)


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
    with _metered(env, console) as tracker:
        chat = build_chat(config, env, store, session, tracker)
        if session is not None:
            _resume(chat, session, resume, console, config)
        history = _history(env, console)
        view = _view(config, console)
        repl = Repl(chat, console, view, history_path=history, on_drawn=_preload_answer)
        return repl.run()


def _history(env: Mapping[str, str], console: Console) -> Path | None:
    """The private input-history file; without one, history lasts only this run."""
    path = paths.history_path(env)
    try:
        paths.ensure_private_file(path)
    except OSError as exc:
        reason = escape(f"{path}: {exc.strerror}")
        console.print(f"[yellow]warning:[/] input history not kept ({reason})", highlight=False)
        return None
    return path


@contextmanager
def _metered(env: Mapping[str, str], console: Console) -> Iterator[Tracker]:
    """Run with the usage tracker, flushing it however the run ends, SIGTERM included."""
    tracker = open_tracker(env)
    previous = {sig: signal.signal(sig, _exit_on_signal) for sig in HANGUP_SIGNALS}
    try:
        yield tracker
    finally:
        tracker.close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        warning = tracker.take_warning()
        if warning:
            console.print(f"[yellow]{warning}[/]", highlight=False)


def _exit_on_signal(signum: int, frame: FrameType | None) -> None:
    """Unwind like an exit, so the partial answer is saved and the ledger flushed."""
    raise SystemExit(128 + signum)


def _preload_answer() -> None:
    """Load what an answer needs once the prompt is up: the SDK, then the renderer.

    The imports hold the GIL for a second or more; begun earlier they slow building
    and drawing the prompt.
    """
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
    console.print(resuming_line(session), highlight=False)
    replay(console, chat.conversation, config.code_theme, REPLAY_MESSAGES)


def run_ask(config: Config, env: Mapping[str, str], question: str) -> int:
    """One answer to stdout: rendered for a terminal, raw markdown for a pipe."""
    if not question.strip():
        raise UsageError('nothing to ask: claude-tui ask "question", or pipe the question in')
    console = Console(highlight=False)
    view = _view(config, console)
    store = open_store(env)
    with _metered(env, Console(stderr=True, highlight=False)) as tracker:
        turn = build_chat(config, env, store, tracker=tracker).send(question)
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
