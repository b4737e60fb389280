"""Start the interactive chat with real terminal streams, resuming a session if asked."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from claude_tui import paths
from claude_tui.api import preload_sdk
from claude_tui.app import Chat, build_chat, open_store
from claude_tui.config import Config
from claude_tui.errors import ClaudeTuiError, NotFoundError
from claude_tui.store import SessionInfo, Store
from claude_tui.ui.lifecycle import metered, settle, turn_view
from claude_tui.ui.look import Look
from claude_tui.ui.picker import pick_session
from claude_tui.ui.repl import Repl
from claude_tui.ui.sessions_view import replay, resuming_line
from claude_tui.ui.turn_view import error_line

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
    with metered(env, console) as tracker:
        chat = build_chat(config, env, store, session, tracker)
        view = turn_view(config, console)  # first: it asks the terminal for its background
        _say_if_no_key(chat, console)
        if session is not None:
            _resume(chat, session, resume, console, view.look, config.resume_show)
        history = _history(env, console)
        repl = Repl(
            chat,
            console,
            view,
            history_path=history,
            on_drawn=_preload_answer,
            resume_show=config.resume_show,
            vi_mode=config.editing_mode == "vi",
            roles=config.roles,
        )
        try:
            return repl.run()
        finally:
            settle(chat, console)


def _say_if_no_key(chat: Chat, console: Console) -> None:
    """One line before the prompt: saved sessions can still be read, nothing can be sent."""
    try:
        chat.api.require_key()
    except ClaudeTuiError as exc:
        console.print(error_line(str(exc)), highlight=False)


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
        chosen = pick_session(sessions, store.branch_counts())
        if chosen is None:
            raise KeyboardInterrupt
        return chosen
    return None


def _resume(
    chat: Chat, session: SessionInfo, resume: Resume, console: Console, look: Look, show: int
) -> None:
    if resume.model_flag is None:
        chat.switch_model(session.model, force=True)  # the session's own: it was sent before
    console.print(resuming_line(session), highlight=False)
    replay(console, chat.conversation, look, show)
