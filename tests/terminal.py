"""Drive a real ``claude-tui`` in a pseudo-terminal and read its screen like a person."""

from __future__ import annotations

import os
import re
import signal
import sys
import time
from collections.abc import Callable, Mapping, Sequence

import pexpect
import pyte

CLAUDE_TUI = (sys.executable, "-m", "claude_tui")
CURSOR_QUERY, DEVICE_QUERY, BACKGROUND_QUERY = b"\x1b[6n", b"\x1b[c", b"\x1b]11;?\x1b\\"
QUERIES = re.compile(
    b"(" + b"|".join(map(re.escape, (CURSOR_QUERY, DEVICE_QUERY, BACKGROUND_QUERY))) + b")"
)

KEYS = {
    "enter": "\r",
    "alt-enter": "\x1b\r",
    "ctrl-c": "\x03",
    "ctrl-d": "\x04",
    "ctrl-l": "\x0c",
    "ctrl-r": "\x12",
    "tab": "\t",
    "up": "\x1b[A",
    "down": "\x1b[B",
}


class Terminal:
    """A claude-tui process in a pty; every byte it writes also feeds a pyte screen."""

    def __init__(
        self,
        args: list[str],
        env: Mapping[str, str],
        rows: int = 40,
        cols: int = 100,
        *,
        program: Sequence[str] = CLAUDE_TUI,
        preexec_fn: Callable[[], None] | None = None,
        background: str | None = None,
    ) -> None:
        """``program`` is the command before ``args``; benchmarks run the installed script.

        ``background`` ("rgb:ffff/ffff/ffff") is the colour the terminal reports when
        asked with OSC 11; None ignores the question, as many terminals do.
        """
        self.background = background
        self.screen = pyte.HistoryScreen(cols, rows, history=100_000)
        self._stream = pyte.ByteStream(self.screen)
        self.raw = bytearray()
        self.child = pexpect.spawn(
            program[0],
            [*program[1:], *args],
            env=dict(env),
            dimensions=(rows, cols),
            timeout=15,
            preexec_fn=preexec_fn,
        )

    @property
    def text(self) -> str:
        """What the screen shows now, one line per row, trailing spaces stripped."""
        return "\n".join(line.rstrip() for line in self.screen.display)

    @property
    def transcript(self) -> str:
        """The scrollback (lines scrolled off the top) and then the screen, as text."""
        width = self.screen.columns
        scrolled = [
            "".join(line[x].data for x in range(width)).rstrip() for line in self.screen.history.top
        ]
        return "\n".join([*scrolled, self.text])

    def type(self, text: str) -> None:
        """Type text as keystrokes (no Enter)."""
        self.child.send(text)

    def press(self, *keys: str) -> None:
        """Press named keys such as ``enter`` or ``ctrl-c``."""
        for key in keys:
            self.child.send(KEYS[key])

    def paste(self, text: str) -> None:
        """Paste text the way a terminal with bracketed paste does."""
        self.child.send("\x1b[200~" + text + "\x1b[201~")

    def resize(self, rows: int, cols: int) -> None:
        """Resize the window as a person dragging its corner would: the app gets SIGWINCH."""
        self.screen.resize(rows, cols)
        self.child.setwinsize(rows, cols)

    def wait_for(self, what: str | Callable[[str], bool], timeout: float = 15) -> str:
        """Read output until the screen shows ``what``; fail with the screen if it never does."""
        check = what if callable(what) else (lambda screen: what in screen)
        deadline = time.monotonic() + timeout
        while not check(self.text):
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what!r}; screen:\n{self.text}")
            self._read(min(0.1, deadline - time.monotonic()))
        return self.text

    def wait_exit(self, timeout: float = 15) -> int:
        """Drain output until the process ends; its exit status."""
        deadline = time.monotonic() + timeout
        while self.child.isalive():
            if time.monotonic() > deadline:
                raise AssertionError(f"process did not exit; screen:\n{self.text}")
            self._read(0.1)
        self._read(0.1)
        self.child.close()
        return self.child.exitstatus if self.child.exitstatus is not None else -1

    def _read(self, timeout: float) -> None:
        try:
            data = self.child.read_nonblocking(65536, timeout=max(timeout, 0.01))
        except (pexpect.TIMEOUT, pexpect.EOF):
            return
        self.raw.extend(data)
        pieces = QUERIES.split(data)
        for text, query in zip(pieces[::2], pieces[1::2], strict=False):
            self._stream.feed(text)
            self._answer(query)
        self._stream.feed(pieces[-1])

    def _answer(self, query: bytes) -> None:
        """Reply to a terminal query the way a real terminal does: at once.

        Not through ``send``, which sleeps 50 ms first (pexpect's delaybeforesend) and
        would add that to every measured time to prompt.
        """
        if query == CURSOR_QUERY:
            cursor = self.screen.cursor
            reply = f"\x1b[{cursor.y + 1};{cursor.x + 1}R".encode()
        elif query == DEVICE_QUERY:
            reply = b"\x1b[?62;22c"
        elif self.background is not None:
            reply = f"\x1b]11;{self.background}\x1b\\".encode()
        else:
            return
        os.write(self.child.child_fd, reply)

    def close(self) -> None:
        """End the process if it is still running."""
        if self.child.isalive():
            os.kill(self.child.pid, signal.SIGKILL)
        self.child.close(force=True)
