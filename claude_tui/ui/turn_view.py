"""Shows one answer as it streams: spinner, thinking, markdown, then a footer or an error.

Thinking text and error messages (which quote the API server) are untrusted
like the answer, so they are made inert before they reach the terminal.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from rich.console import Console
from rich.status import Status
from rich.text import Text

from claude_tui.app import Turn, TurnResult
from claude_tui.core.events import (
    BlockStop,
    Retrying,
    StreamEvent,
    TextDelta,
    ThinkingDelta,
    Waiting,
)
from claude_tui.core.inert import inert
from claude_tui.errors import ClaudeTuiError
from claude_tui.interrupts import to_the_end
from claude_tui.ui.footer import footer
from claude_tui.ui.keyboard import echo_off
from claude_tui.ui.look import PLAIN, Look
from claude_tui.ui.web_view import WebTrack, print_note, print_sources

if TYPE_CHECKING:
    pass

WAITING = "Waiting for Claude…"
RETRY_HINT = ", /retry to ask again"


def error_line(message: str) -> Text:
    """``error: message`` in red, the message shown inert: it may quote the API server."""
    return Text.assemble(("error:", "red"), " ", inert(message))


class TurnView:
    """Renders a :class:`Turn`; Ctrl-C stops the answer and keeps what arrived on screen."""

    def __init__(
        self,
        console: Console,
        errors: Console,
        *,
        look: Look = PLAIN,
        thinking_display: str = "full",
        in_chat: bool = True,
        keyboard: int | None = None,
    ) -> None:
        """Outside the chat (``ask``) no line suggests a slash command.

        ``keyboard`` is the terminal's input descriptor, whose echo is off while
        an answer streams; None leaves input alone (pipes, tests).
        """
        self._in_chat = in_chat
        self._keyboard = keyboard
        self._console = console
        self._errors = errors
        self.look = look
        self._full_thinking = thinking_display in ("full", "summarized")

    def show(self, turn: Turn) -> TurnResult:
        """Stream the answer to the console and say how it ended."""
        spinner = Status(WAITING, console=self._console, spinner="dots")
        state = _State(self._console, self.look, turn)
        with echo_off(self._keyboard):
            try:
                spinner.start()
                for event in turn:
                    self._show_event(event, spinner, state)
            except (KeyboardInterrupt, ClaudeTuiError):
                pass
            finally:
                to_the_end(lambda: self._end(turn, spinner, state))
        to_the_end(lambda: state.show_sources(self.look.hyperlinks))
        return to_the_end(lambda: self.conclude(turn))

    @staticmethod
    def _end(turn: Turn, spinner: Status, state: _State) -> None:
        """Stop the stream, the spinner and the live region; each step may run twice."""
        turn.close()
        spinner.stop()
        state.markdown.finish()

    def _show_event(self, event: StreamEvent, spinner: Status, state: _State) -> None:
        shown = state.web.follow(event)
        if shown.notes:
            spinner.stop()
            state.break_text()
            for line in shown.notes:
                print_note(self._console, line)
            spinner.start()
        if isinstance(event, TextDelta):
            spinner.stop()
            state.markdown.feed(event.text)
        elif shown.markers:
            state.markdown.feed(shown.markers)
        elif isinstance(event, ThinkingDelta):
            state.thinking_chars += len(event.thinking)
            if self._full_thinking:
                spinner.stop()
                self._console.print(
                    inert(event.thinking), style="dim", end="", markup=False, highlight=False
                )
                state.thinking_shown = True
            else:
                spinner.update(f"Thinking… ({state.thinking_chars:,} characters)")
        elif isinstance(event, Retrying):
            self._console.print(retry_notice(event), style="dim", markup=False, highlight=False)
        elif isinstance(event, Waiting):
            notice = wait_notice(event) + " · Ctrl-C cancels"
            if event.left_s == event.total_s:  # the first: a line the scrollback keeps
                self._console.print(notice, style="dim", markup=False, highlight=False)
            spinner.update(Text(notice))
        elif isinstance(event, BlockStop) and state.thinking_shown:
            self._console.print("\n")
            state.thinking_shown = False

    def note(self, text: str) -> None:
        """A dim aside on stderr, for output that must keep stdout to the answer alone."""
        self._errors.print(inert(text), style="dim", markup=False, highlight=False)

    def conclude(self, turn: Turn, *, quiet: bool = False) -> TurnResult:
        """Say how the answer ended: a footer (unless quiet), the error, or an interruption.

        A cut-short answer that was billed still gets its footer, so its cost is seen.
        """
        result = turn.finish()
        if result.status == "complete":
            if not quiet:
                self._console.print(footer(result))
            if result.stop is not None and result.stop.stop_reason == "max_tokens":
                self._say(CUT_HINT if self._in_chat else CUT_HINT_ASK)
        elif result.error is not None:
            error = result.error
            self._say(error_line(str(error) if self._in_chat else error.message))
        else:
            began = result.first_token_s is not None
            what = "the partial answer is kept" if began else "before the answer began"
            self._say(f"[yellow]interrupted[/]: {what}{RETRY_HINT if self._in_chat else ''}")
        if result.status != "complete" and result.record is not None and not quiet:
            self._console.print(footer(result))
        return result

    def _say(self, line: str | Text) -> None:
        """Unwrapped, so the terminal folds it and a copy of it is still one line."""
        self._errors.print(line, highlight=False, soft_wrap=True)


CUT_HINT = "[yellow]the answer reached max_tokens[/]: /continue goes on from where it stopped"
CUT_HINT_ASK = (
    "[yellow]the answer reached max_tokens[/] and is cut short "
    "(max_tokens in the config raises the limit, up to the model's)"
)


def retry_notice(event: Retrying) -> str:
    """Why the spinner is still spinning, e.g. 'rate limited, retrying in 2 s (1/2)'."""
    seconds = f"{event.wait_s:.1f}".removesuffix(".0")
    return f"{event.reason}, retrying in {seconds} s ({event.attempt}/{event.attempts})"


def wait_notice(event: Waiting) -> str:
    """The countdown shown while a request waits for a rate limit to reset."""
    return f"waiting {math.ceil(event.left_s)} s for the rate limit to reset ({event.why})"


class _State:
    """What the view remembers between events of one answer."""

    def __init__(self, console: Console, look: Look, turn: Turn) -> None:
        # Here, not at the top: the renderer's imports (markdown-it, rich's Markdown and
        # Syntax, pygments) are not needed to draw the prompt; launch preloads them.
        from claude_tui.ui.markdown_stream import MarkdownStream

        self._new_markdown = lambda: MarkdownStream(console, look=look)
        self._console = console
        self.markdown = self._new_markdown()
        self.web = WebTrack(turn.answer)
        self.thinking_chars = 0
        self.thinking_shown = False
        self._sources_shown = False

    def break_text(self) -> None:
        """Commit the text so far, so lines between text blocks come after it."""
        self.markdown.finish()
        self.markdown = self._new_markdown()

    def show_sources(self, hyperlinks: bool) -> None:
        """The sources the answer cited, once."""
        if not self._sources_shown:
            self._sources_shown = True
            print_sources(self._console, self.web.sources(), hyperlinks)
