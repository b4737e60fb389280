"""Choose a saved session with the arrow keys, typing to narrow the list."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping

from prompt_toolkit.application import Application
from prompt_toolkit.buffer import Buffer
from prompt_toolkit.formatted_text import StyleAndTextTuples
from prompt_toolkit.input import Input
from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent
from prompt_toolkit.layout import BufferControl, FormattedTextControl, HSplit, Layout, Window
from prompt_toolkit.output import Output

from claude_tui.store import SessionInfo
from claude_tui.ui.sessions_view import age, title

VISIBLE_ROWS = 12


class PickerState:
    """Which sessions match the filter and which one is highlighted."""

    def __init__(
        self, sessions: list[SessionInfo], branches: Mapping[str, int] | None = None
    ) -> None:
        """``branches`` counts the branches of the sessions that have more than one."""
        self._branches = dict(branches or {})
        self._all = sessions
        self.shown = sessions
        self.index = 0

    def filter(self, text: str) -> None:
        """Keep sessions whose title or id contains every typed word."""
        words = text.lower().split()
        self.shown = [s for s in self._all if all(w in f"{s.title} {s.id}".lower() for w in words)]
        self.index = 0

    def move(self, step: int) -> None:
        """Move the highlight, stopping at either end."""
        if self.shown:
            self.index = max(0, min(len(self.shown) - 1, self.index + step))

    def current(self) -> SessionInfo | None:
        """The highlighted session, if any matches."""
        return self.shown[self.index] if self.shown else None

    def rows(self, now: float) -> StyleAndTextTuples:
        """The visible window of the list, highlighted row reversed."""
        if not self.shown:
            return [("class:dim", "  no session matches\n")]
        start = max(0, self.index - VISIBLE_ROWS + 1)
        fragments: StyleAndTextTuples = []
        for offset, info in enumerate(self.shown[start : start + VISIBLE_ROWS]):
            style = "reverse" if start + offset == self.index else ""
            name = title(info)[:50].ljust(50)
            count = self._branches.get(info.id, 1)
            tree = f" {count} branches" if count > 1 else ""
            line = f" {name} {age(info.updated_at, now):>9} {info.message_count:>5} msgs{tree} "
            fragments.append((style, line + "\n"))
        return fragments


def pick_session(
    sessions: list[SessionInfo],
    branches: Mapping[str, int] | None = None,
    *,
    clock: Callable[[], float] = time.time,
    input: Input | None = None,
    output: Output | None = None,
) -> SessionInfo | None:
    """Ask which session to resume; None when the person presses Esc or Ctrl-C."""
    state = PickerState(sessions, branches)
    query = Buffer(multiline=False, on_text_changed=lambda buffer: state.filter(buffer.text))
    layout = Layout(
        HSplit(
            [
                Window(
                    FormattedTextControl("Resume which session? type to filter, ↑↓ Enter, Esc"),
                    height=1,
                ),
                Window(BufferControl(query), height=1),
                Window(FormattedTextControl(lambda: state.rows(clock()))),
            ]
        ),
        focused_element=query,
    )
    app: Application[SessionInfo | None] = Application(
        layout=layout, key_bindings=_bindings(state), input=input, output=output
    )
    return app.run()


def _bindings(state: PickerState) -> KeyBindings:
    bindings = KeyBindings()

    @bindings.add("up")
    def _up(event: KeyPressEvent) -> None:
        state.move(-1)

    @bindings.add("down")
    def _down(event: KeyPressEvent) -> None:
        state.move(1)

    @bindings.add("enter")
    def _choose(event: KeyPressEvent) -> None:
        event.app.exit(result=state.current())

    @bindings.add("escape", eager=True)
    @bindings.add("c-c")
    def _cancel(event: KeyPressEvent) -> None:
        event.app.exit(result=None)

    return bindings
