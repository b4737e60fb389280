"""The terminal's echo, off while an answer streams.

Keys typed during an answer (people start their next question early) would be
echoed by the tty into the middle of the live region, and ``^C`` with them;
rich then erases the wrong rows and the answer's lines appear twice. With echo
off the keys wait unseen in the tty's input queue and the next prompt reads
them, so nothing typed is lost. Every way out restores the echo: the block
ending or raising (SIGTERM and SIGHUP arrive as ``SystemExit``), and Ctrl-Z,
which gives the shell its terminal back as it was and takes it again on ``fg``.
"""

from __future__ import annotations

import os
import signal
import termios
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from types import FrameType

# ECHOCTL is what prints ^C; some platforms lack the name.
QUIET_FLAGS = termios.ECHO | getattr(termios, "ECHOCTL", 0)

Attributes = list[int | list[bytes | int]]


@contextmanager
def echo_off(fd: int | None) -> Iterator[None]:
    """Turn the tty's echo off for the block; anything but a terminal is left alone."""
    saved = _attributes(fd)
    if fd is None or saved is None or not saved[3] & QUIET_FLAGS:  # type: ignore[operator]
        yield
        return
    quiet = list(saved)
    quiet[3] = saved[3] & ~QUIET_FLAGS  # type: ignore[operator]
    previous = _on_suspend(fd, saved, quiet)
    _apply(fd, quiet)
    try:
        yield
    finally:
        _apply(fd, saved)
        for signum, handler in previous.items():
            signal.signal(signum, handler)  # type: ignore[arg-type]


def owns_terminal(fd: int | None) -> bool:
    """Whether ``fd`` is a tty this process may change and read: a background job
    (``ask … &``) that did would be stopped by SIGTTOU or SIGTTIN."""
    if fd is None or not os.isatty(fd):
        return False
    try:
        return os.tcgetpgrp(fd) == os.getpgrp()
    except OSError:
        return False


def _attributes(fd: int | None) -> Attributes | None:
    """The tty's settings, if it is ours to change (see :func:`owns_terminal`)."""
    if not owns_terminal(fd):
        return None
    try:
        return termios.tcgetattr(fd)  # type: ignore[arg-type]
    except termios.error:
        return None


def _apply(fd: int, attributes: Attributes) -> None:
    """TCSANOW, not TCSAFLUSH: flushing would throw away the keys typed meanwhile."""
    with suppress(termios.error):  # the terminal may be gone (SIGHUP)
        termios.tcsetattr(fd, termios.TCSANOW, attributes)


def _on_suspend(fd: int, saved: Attributes, quiet: Attributes) -> dict[signal.Signals, object]:
    """Ctrl-Z hands the shell an echoing terminal; ``fg`` makes it quiet again."""

    def suspend(signum: int, frame: FrameType | None) -> None:
        _apply(fd, saved)
        os.kill(os.getpid(), signal.SIGSTOP)
        _apply(fd, quiet)  # runs once continued

    try:
        return {signal.SIGTSTP: signal.signal(signal.SIGTSTP, suspend)}
    except ValueError:  # not the main thread: signals cannot be handled here
        return {}
