"""Shows one answer as it streams: spinner, thinking, markdown, then a footer or an error."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape
from rich.status import Status

from claude_tui.app import Turn, TurnResult
from claude_tui.core.events import BlockStop, StreamEvent, TextDelta, ThinkingDelta
from claude_tui.errors import ClaudeTuiError
from claude_tui.ui.footer import footer

if TYPE_CHECKING:
    from claude_tui.ui.markdown_stream import MarkdownStream

WAITING = "Waiting for Claude…"


class TurnView:
    """Renders a :class:`Turn`; Ctrl-C stops the answer and keeps what arrived on screen."""

    def __init__(
        self,
        console: Console,
        errors: Console,
        *,
        code_theme: str = "monokai",
        thinking_display: str = "full",
    ) -> None:
        self._console = console
        self._errors = errors
        self.code_theme = code_theme
        self._full_thinking = thinking_display == "full"

    def show(self, turn: Turn) -> TurnResult:
        """Stream the answer to the console and say how it ended."""
        # Here, not at the top: the renderer's imports (markdown-it, rich's Markdown and
        # Syntax, pygments) are not needed to draw the prompt; launch preloads them.
        from claude_tui.ui.markdown_stream import MarkdownStream

        spinner = Status(WAITING, console=self._console, spinner="dots")
        spinner.start()
        markdown = MarkdownStream(self._console, code_theme=self.code_theme)
        state = _State()
        try:
            for event in turn:
                self._show_event(event, spinner, markdown, state)
        except (KeyboardInterrupt, ClaudeTuiError):
            pass
        finally:
            turn.close()
            spinner.stop()
            markdown.finish()
        return self.conclude(turn)

    def _show_event(
        self, event: StreamEvent, spinner: Status, markdown: MarkdownStream, state: _State
    ) -> None:
        if isinstance(event, TextDelta):
            spinner.stop()
            markdown.feed(event.text)
        elif isinstance(event, ThinkingDelta):
            state.thinking_chars += len(event.thinking)
            if self._full_thinking:
                spinner.stop()
                self._console.print(
                    event.thinking, style="dim", end="", markup=False, highlight=False
                )
                state.thinking_shown = True
            else:
                spinner.update(f"Thinking… ({state.thinking_chars:,} characters)")
        elif isinstance(event, BlockStop) and state.thinking_shown:
            self._console.print("\n")
            state.thinking_shown = False

    def conclude(self, turn: Turn, *, quiet: bool = False) -> TurnResult:
        """Say how the answer ended: a footer (unless quiet), the error, or an interruption."""
        result = turn.result
        assert result is not None, "conclude() is called once the turn has ended"
        if result.status == "complete":
            if not quiet:
                self._console.print(footer(result))
        elif result.error is not None:
            self._errors.print(f"[red]error:[/] {escape(str(result.error))}", highlight=False)
        else:
            self._errors.print(
                "[yellow]interrupted[/]: the partial answer is kept, /retry to ask again",
                highlight=False,
            )
        return result


class _State:
    """What the view remembers between events of one answer."""

    def __init__(self) -> None:
        self.thinking_chars = 0
        self.thinking_shown = False
