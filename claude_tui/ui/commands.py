"""The slash-command registry: one table that dispatch, /help and Tab completion read.

Later features add a command by decorating one function; nothing else changes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, Protocol, TypeVar

if TYPE_CHECKING:
    from rich.console import Console

    from claude_tui.app import Chat, Turn, TurnResult
    from claude_tui.config import Role
    from claude_tui.ui.look import Look

Context = TypeVar("Context")


class CommandContext(Protocol):
    """What a slash command may use of the chat it runs in; the REPL provides it."""

    chat: Chat
    console: Console
    resume_show: int
    roles: dict[str, Role]

    @property
    def look(self) -> Look:
        """How answers are drawn, for replays."""
        ...

    def run_turn(self, start: Callable[[], Turn]) -> TurnResult | None:
        """Start a turn and show it, as sending a message does."""
        ...

    def quit(self) -> None:
        """Leave the chat after this command."""
        ...

    def edit_next(self, text: str, send: Callable[[str], Turn]) -> None:
        """Offer ``text`` at the next prompt; what is sent from it goes to ``send``."""
        ...


@dataclass(frozen=True)
class Command(Generic[Context]):
    """A slash command: its name, argument hint, one-line summary and handler."""

    name: str
    summary: str
    args: str
    run: Callable[[Context, str], None]


class Registry(Generic[Context]):
    """Commands by name; handlers receive the REPL's context and the rest of the line."""

    def __init__(self) -> None:
        self._commands: dict[str, Command[Context]] = {}

    def command(
        self, name: str, summary: str, args: str = ""
    ) -> Callable[[Callable[[Context, str], None]], Callable[[Context, str], None]]:
        """Register the decorated function as ``/name``."""

        def register(run: Callable[[Context, str], None]) -> Callable[[Context, str], None]:
            self._commands[name] = Command(name, summary, args, run)
            return run

        return register

    def __iter__(self) -> Iterator[Command[Context]]:
        return iter(sorted(self._commands.values(), key=lambda c: c.name))

    def find(self, name: str) -> Command[Context] | None:
        """The command called ``name``, or None."""
        return self._commands.get(name)

    def suggest(self, name: str) -> str | None:
        """The closest known name, for a one-line hint after a typo."""
        import difflib

        matches = difflib.get_close_matches(name, list(self._commands), n=1)
        return matches[0] if matches else None


def split_command(line: str) -> tuple[str, str] | None:
    """``"/model opus"`` → ``("model", "opus")``; None when the line is not a command."""
    stripped = line.strip()
    if not stripped.startswith("/") or stripped.startswith("//"):
        return None
    name, _, rest = stripped[1:].partition(" ")
    return name.lower(), rest.strip()
