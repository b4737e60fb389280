"""What every run that talks to the API shares: the usage tracker's lifetime and the view.

A run is metered from start to exit: the tracker is flushed however the run
ends, and SIGTERM/SIGHUP unwind like an exit so the partial answer is saved
and its ledger row written before the process goes.
"""

from __future__ import annotations

import contextlib
import signal
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

from rich.console import Console
from rich.markup import escape

from claude_tui.app import Chat, open_tracker
from claude_tui.app.wiring import database_path
from claude_tui.config import Config
from claude_tui.core.conversation import Conversation
from claude_tui.core.export import to_json
from claude_tui.paths import write_recovery
from claude_tui.store import Tracker
from claude_tui.ui.look import look_for
from claude_tui.ui.turn_view import TurnView

HANGUP_SIGNALS = (signal.SIGTERM, signal.SIGHUP)


@contextmanager
def metered(env: Mapping[str, str], console: Console) -> Iterator[Tracker]:
    """Run with the usage tracker, flushing it however the run ends, SIGTERM included."""
    tracker = open_tracker(env)
    previous = {sig: signal.signal(sig, _exit_on_signal) for sig in HANGUP_SIGNALS}
    try:
        yield tracker
    finally:
        tracker.close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        _report(tracker, database_path(env).parent, console)


def _report(tracker: Tracker, folder: Path, console: Console) -> None:
    """Say what the ledger could not take, and keep those rows for `sessions import`."""
    warning, unsaved = tracker.take_warning(), tracker.unsaved()
    if unsaved:
        meta = {"id": None, "title": "usage rows", "model": unsaved[0].model, "created_at": 0}
        try:
            path = write_recovery(folder, "usage", to_json(meta, Conversation(), unsaved))
        except OSError as exc:
            warning = f"{warning}, nor kept in a recovery file ({exc.strerror or exc})"
        else:
            warning = f"{warning}; kept in {path}: `claude-tui sessions import '{path}'` loads them"
    if warning:
        with contextlib.suppress(OSError):  # the terminal may be gone (SIGHUP)
            console.print(f"[yellow]{escape(warning)}[/]", highlight=False)


def settle(chat: Chat, console: Console) -> None:
    """Make the writes a failure left owed before the run ends, or say where they went."""
    chat.settle()
    for notice in chat.take_notices():
        with contextlib.suppress(OSError):  # the terminal may be gone (SIGHUP)
            console.print(f"[yellow]warning:[/] {escape(notice)}", highlight=False)


def _exit_on_signal(signum: int, frame: FrameType | None) -> None:
    """Unwind like an exit, so the partial answer is saved and the ledger flushed."""
    raise SystemExit(128 + signum)


def turn_view(config: Config, console: Console, *, in_chat: bool = True) -> TurnView:
    """The answer view: answers on ``console``, errors and notes on stderr."""
    look = look_for(config)
    errors = Console(stderr=True, highlight=False)
    return TurnView(
        look.styled(console),
        errors,
        look=look,
        thinking_display=config.thinking_display,
        in_chat=in_chat,
        keyboard=sys.stdin.fileno() if sys.stdin.isatty() else None,
    )
