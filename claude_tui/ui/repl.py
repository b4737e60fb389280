"""The interactive prompt: read a line, run a command or send it, show the answer, repeat."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from prompt_toolkit import PromptSession
from prompt_toolkit.application import Application
from prompt_toolkit.completion import CompleteEvent, Completer, Completion, PathCompleter
from prompt_toolkit.document import Document
from prompt_toolkit.enums import EditingMode
from prompt_toolkit.filters import vi_navigation_mode
from prompt_toolkit.formatted_text import FormattedText
from prompt_toolkit.history import FileHistory, InMemoryHistory
from prompt_toolkit.input import Input
from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent
from prompt_toolkit.key_binding.vi_state import InputMode
from prompt_toolkit.output import Output
from rich.console import Console
from rich.markup import escape

from claude_tui import __version__
from claude_tui.app import Chat, Turn, TurnResult, paused
from claude_tui.config import Role
from claude_tui.core.inert import inert
from claude_tui.core.models import EFFORT_LEVELS
from claude_tui.core.ratelimits import Headroom
from claude_tui.core.utf8 import is_utf8, repaired
from claude_tui.core.web import PAUSE_LIMIT
from claude_tui.errors import ClaudeTuiError
from claude_tui.ui.attach_commands import dropped_file
from claude_tui.ui.commands import split_command
from claude_tui.ui.look import Look
from claude_tui.ui.model_commands import THINKING_CHOICES
from claude_tui.ui.sessions_view import file_line
from claude_tui.ui.slash_commands import COMMANDS
from claude_tui.ui.style import PROMPT
from claude_tui.ui.turn_view import TurnView, error_line


class Repl:
    """One interactive chat; slash-command handlers receive this object as their context."""

    def __init__(
        self,
        chat: Chat,
        console: Console,
        view: TurnView,
        *,
        history_path: Path | None = None,
        input: Input | None = None,
        output: Output | None = None,
        on_drawn: Callable[[], object] | None = None,
        resume_show: int = 3,
        vi_mode: bool = False,
        roles: Mapping[str, Role] | None = None,
    ) -> None:
        """``on_drawn`` runs once, when the first prompt is fully on the screen.

        ``resume_show`` is how many exchanges /resume replays; ``vi_mode`` gives the
        prompt vi's keys instead of emacs's, its mode shown in the toolbar.
        """
        self.resume_show = resume_show
        self.roles = dict(roles or {})
        self.chat = chat
        self.console = console
        self.view = view
        self.running = True
        self._prefill = ""
        self._pending: Callable[[str], Turn] | None = None  # where an edited line goes
        self._history = KeptFileHistory(history_path) if history_path is not None else None
        self._session: PromptSession[str] = PromptSession(
            message=FormattedText([(view.look.prompt_style, PROMPT)]),
            multiline=True,
            prompt_continuation="  ",
            key_bindings=_key_bindings(),
            history=self._history or InMemoryHistory(),
            completer=SlashCompleter(self),
            complete_while_typing=True,
            bottom_toolbar=self._toolbar,
            enable_open_in_editor=True,
            vi_mode=vi_mode,
            input=input,
            output=output,
        )
        if on_drawn is not None:
            self._session.app.after_render += _once_drawn(on_drawn)

    def run(self) -> int:
        """Loop until /quit or Ctrl-D on an empty line."""
        self.console.print(
            f"[bold]claude-tui[/] {__version__} · {escape(inert(self.chat.settings.model))} · "
            "[dim]/help for commands, Esc Enter for a new line, Ctrl-D to quit[/]"
        )
        while self.running:
            try:
                line = self._session.prompt(default=self._prefill)
            except KeyboardInterrupt:
                self._prefill, self._pending = "", None  # Ctrl-C also cancels an /edit
                continue
            except EOFError:
                break
            self._prefill = ""
            try:
                if self._history is not None:
                    self.warn(self._history.take_warning())
                self.handle(line)
            except KeyboardInterrupt:
                # A press after the answer ended, while its notes were printed: that
                # answer has already said how it ended, so just take the next line.
                self.console.print()
        return 0

    @property
    def look(self) -> Look:
        """How answers are drawn, for replays."""
        return self.view.look

    def quit(self) -> None:
        """Leave the loop once the current line is handled."""
        self.running = False

    def edit_next(self, text: str, send: Callable[[str], Turn]) -> None:
        """Put ``text`` in the next prompt; sending it calls ``send`` instead of a plain send."""
        self._prefill, self._pending = text, send

    def handle(self, line: str) -> None:
        """Run a slash command, or send the line to Claude; blank input does nothing."""
        if not line.strip():
            if self._pending is not None:
                self._pending = None
                self.console.print("[dim]edit cancelled: nothing changed[/]")
            return
        if not is_utf8(line):
            line = repaired(line)
            self.warn("bytes that are not UTF-8 were replaced with \N{REPLACEMENT CHARACTER}")
        pending, self._pending = self._pending, None
        parsed = split_command(line)
        if pending is not None and parsed is None:
            self.run_turn(lambda: pending(line))
            return
        if pending is not None:
            self.console.print("[dim]edit cancelled: a command ran instead (// sends a slash)[/]")
        if parsed is None and (path := dropped_file(line)) is not None:
            self._attach_dropped(path)
            return
        if parsed is None:
            text = line[1:] if line.lstrip().startswith("//") else line
            self.run_turn(lambda: self.chat.send(text))
            return
        name, rest = parsed
        command = COMMANDS.find(name)
        if command is None:
            self.say_unknown(name)
            return
        try:
            command.run(self, rest)
        except ClaudeTuiError as exc:
            self.error(str(exc))
        except KeyboardInterrupt:
            self.console.print(f"[yellow]interrupted[/]: /{escape(name)} stopped", highlight=False)
        self._show_notices()

    def _attach_dropped(self, path: str) -> None:
        """A line that is only the path of an image or PDF: queue the file, send nothing."""
        try:
            attachment = self.chat.attach(path)
        except ClaudeTuiError as exc:
            self.error(str(exc))
            return
        self.console.print(file_line(attachment))
        self.console.print(
            "[dim]attached, not sent: type your question (/detach drops the file; "
            "// before a path sends it as text)[/]"
        )

    def run_turn(self, start: Callable[[], Turn]) -> TurnResult | None:
        """Start a turn and show it; a failure before it starts is one error line."""
        try:
            turn = start()
        except ClaudeTuiError as exc:
            self.error(str(exc))
            return None
        except KeyboardInterrupt:  # while the model list was fetched for the context window
            self.console.print(
                "[yellow]interrupted[/] before sending; /retry sends it", highlight=False
            )
            return None
        self._show_notices()
        result = self.view.show(turn)
        for number in range(1, PAUSE_LIMIT + 1):
            if not paused(result):
                break
            self.console.print(f"[dim]the web tools are still at work: going on ({number})[/]")
            try:
                result = self.view.show(self.chat.continue_paused())
            except ClaudeTuiError as exc:  # a budget reached, say: the paused part is kept
                self.error(str(exc))
                break
        self._show_notices()
        recorder = self.chat.recorder
        self.warn(recorder.take_warning() if recorder else None)
        self.console.print()
        return result

    def _show_notices(self) -> None:
        for notice in self.chat.take_notices():
            self.console.print(f"[yellow]{escape(notice)}[/]", highlight=False)

    def warn(self, warning: str | None) -> None:
        """One yellow line, if there is anything to say; the REPL carries on."""
        if warning:
            self.console.print(f"[yellow]warning:[/] {escape(warning)}", highlight=False)

    def error(self, message: str) -> None:
        """One red line; the REPL carries on."""
        self.console.print(error_line(message), highlight=False)

    def say_unknown(self, name: str) -> None:
        """A one-line hint for a mistyped command; nothing is sent."""
        suggestion = COMMANDS.suggest(name)
        hint = f" (did you mean /{suggestion}?)" if suggestion else ""
        self.console.print(
            f"[yellow]unknown command /{escape(name)}[/]{hint}; /help lists commands; "
            "start a message with // to send a leading slash",
            highlight=False,
        )

    def _toolbar(self) -> FormattedText:
        model = self.chat.settings.model
        tokens = self.chat.context_tokens()
        mode = ""
        app = self._session.app
        if app.editing_mode == EditingMode.VI:
            mode = (
                "vi: insert · " if app.vi_state.input_mode == InputMode.INSERT else "vi: normal · "
            )
        low = headroom_text(self.chat.headroom) if self.chat.headroom else ""
        web = " · web" if self.chat.settings.web is not None else ""
        return FormattedText(
            [
                ("", f" {mode}{inert(model)}{web} · context ≈ {tokens:,} tokens"),
                ("bold", low),
                ("", " · /help "),
            ]
        )


def headroom_text(headroom: Headroom) -> str:
    """The rate limits below a fifth of their limit, with when they reset; else nothing."""
    parts = []
    for allowance in headroom.low(time.time()):
        name = allowance.kind.removesuffix("-tokens")
        left = f"{name} {allowance.remaining:,}/{allowance.limit:,}"
        if allowance.reset is not None:
            left += f" until {time.strftime('%H:%M:%S', time.localtime(allowance.reset))}"
        parts.append(left)
    return f" · headroom: {', '.join(parts)}" if parts else ""


class SlashCompleter(Completer):
    """Tab-completes command names (with their summaries) and their arguments where known."""

    def __init__(self, repl: Repl) -> None:
        self._repl = repl
        self._files = PathCompleter(expanduser=True)

    def get_completions(
        self, document: Document, complete_event: CompleteEvent
    ) -> Iterable[Completion]:
        text = document.text_before_cursor
        if not text.startswith("/") or "\n" in text:
            return
        name, space, arg = text[1:].partition(" ")
        if not space:
            for command in COMMANDS:
                if command.name.startswith(name.lower()):
                    yield Completion(
                        "/" + command.name,
                        start_position=-len(text),
                        display_meta=command.summary,
                    )
        elif name == "attach":
            yield from self._paths(arg, complete_event)
        else:
            for choice in self._choices(name):
                if choice.startswith(arg):
                    yield Completion(choice, start_position=-len(arg))

    def _paths(self, arg: str, event: CompleteEvent) -> Iterable[Completion]:
        """File names for /attach, completing the last path typed."""
        word = arg.rsplit(" ", 1)[-1]
        yield from self._files.get_completions(Document(word, len(word)), event)

    def _choices(self, command: str) -> list[str]:
        """What may follow ``/command``, from what is known without asking the network."""
        if command == "model":
            listing = self._repl.chat.catalog.known()
            return [m.id for m in listing.models] if listing else []
        if command == "think":
            return list(THINKING_CHOICES)
        if command == "effort":
            return [*EFFORT_LEVELS, "default"]
        if command == "web":
            return ["on", "off"]
        if command == "role":
            return sorted(self._repl.roles)
        return []


def _once_drawn(action: Callable[[], object]) -> Callable[[Application[str]], None]:
    """An after-render handler that runs ``action`` after the first complete draw.

    The first render waits for the terminal's cursor position report before it can put
    the toolbar at the bottom; work started earlier would compete with that draw.
    """
    pending = [action]

    def handler(app: Application[str]) -> None:
        if pending and not app.renderer.waiting_for_cpr:
            pending.pop()()

    return handler


class KeptFileHistory(FileHistory):
    """Input history on disk; a write that fails (a full disk) costs that entry, not the chat."""

    def __init__(self, path: Path) -> None:
        super().__init__(str(path))
        self._warning: str | None = None

    def store_string(self, string: str) -> None:
        try:
            super().store_string(string)
        except OSError as exc:
            self._warning = f"input history not saved: {exc.strerror or exc}"

    def take_warning(self) -> str | None:
        """The last write problem, once."""
        warning, self._warning = self._warning, None
        return warning


def _key_bindings() -> KeyBindings:
    """Enter sends, Esc Enter (Alt-Enter) inserts a newline; pastes arrive whole.

    Ctrl-X Ctrl-E edits in $EDITOR and returns to the prompt: prompt-toolkit's own
    binding sends the text the moment the editor exits, before it can be read again.
    """
    bindings = KeyBindings()

    @bindings.add("enter")
    def _send(event: KeyPressEvent) -> None:
        buffer = event.current_buffer
        state = buffer.complete_state
        if state is not None and state.current_completion is not None:
            buffer.apply_completion(state.current_completion)
            return
        buffer.validate_and_handle()

    @bindings.add("escape", "enter")
    def _newline(event: KeyPressEvent) -> None:
        event.current_buffer.insert_text("\n")

    @bindings.add("c-x", "c-e")
    @bindings.add("v", filter=vi_navigation_mode)
    def _edit(event: KeyPressEvent) -> None:
        """$EDITOR, then back to the prompt with the text to review (not sent at once)."""
        event.current_buffer.open_in_editor(validate_and_handle=False)

    return bindings
