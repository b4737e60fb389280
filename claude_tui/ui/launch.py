"""Start the interactive chat or a one-shot answer, with real terminal streams."""

from __future__ import annotations

import sys
from collections.abc import Mapping

from rich.console import Console

from claude_tui import paths
from claude_tui.api import preload_sdk
from claude_tui.app import TurnResult, build_chat
from claude_tui.config import Config
from claude_tui.errors import UsageError
from claude_tui.ui.plain import print_plain
from claude_tui.ui.repl import Repl
from claude_tui.ui.turn_view import TurnView

INTERRUPTED_EXIT = 130


def run_repl(config: Config, env: Mapping[str, str]) -> int:
    """The interactive chat; the SDK loads in the background while the person types."""
    preload_sdk()
    console = Console(highlight=False)
    history = paths.history_path(env)
    paths.ensure_data_dir(env)
    paths.ensure_private_file(history)
    repl = Repl(build_chat(config, env), console, _view(config, console), history_path=history)
    return repl.run()


def run_ask(config: Config, env: Mapping[str, str], question: str) -> int:
    """One answer to stdout: rendered for a terminal, raw markdown for a pipe."""
    if not question.strip():
        raise UsageError('nothing to ask: claude-tui ask "question", or pipe the question in')
    console = Console(highlight=False)
    view = _view(config, console)
    turn = build_chat(config, env).send(question)
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
