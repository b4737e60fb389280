"""Ctrl-C that stops answers but never cuts bookkeeping in half.

A person presses Ctrl-C to stop an answer, often twice. The first press ends
the stream; a second one landing while the ended turn is saved and billed
would otherwise abandon the save halfway, skip the ledger row, or leave the
live region's thread drawing. Bookkeeping therefore runs with SIGINT held:
a press meanwhile is dropped, since what it would stop has already ended.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import TypeVar

T = TypeVar("T")
# Signals that end the process but wait for a save in progress to finish.
DEFERRED = (signal.SIGTERM, signal.SIGHUP)


def restore_ctrl_c() -> None:
    """Make Ctrl-C raise KeyboardInterrupt even if we were started with SIGINT ignored.

    ``nohup``, ``cmd &`` and some IDE terminals start programs that way, and Python
    then leaves it ignored: an answer could not be stopped.
    """
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


@contextmanager
def held() -> Iterator[None]:
    """Run the block with Ctrl-C held off (presses are dropped) and SIGTERM/SIGHUP deferred.

    A termination that arrives meanwhile is delivered once the block is done, so it
    still ends the process, just not halfway through a save. Only the main thread
    receives signals, so elsewhere this does nothing.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    arrived: list[tuple[int, FrameType | None]] = []
    previous = {signal.SIGINT: signal.signal(signal.SIGINT, _drop)}
    for signum in DEFERRED:
        handler = signal.getsignal(signum)
        if callable(handler):  # ours (lifecycle's): a default action cannot be deferred
            previous[signum] = signal.signal(signum, lambda s, f: arrived.append((s, f)))
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        for signum, frame in arrived[:1]:
            previous[signum](signum, frame)  # type: ignore[operator]


@contextmanager
def deferred() -> Iterator[None]:
    """Let the block finish, then raise the KeyboardInterrupt of a press that came meanwhile.

    For steps that must not be cut in half but should still be stoppable, such as
    printing a finished block while the state that says it was printed changes.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    pressed: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: pressed.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if pressed:
        raise KeyboardInterrupt


def to_the_end(action: Callable[[], T]) -> T:
    """Run an idempotent ``action`` to its end however many presses land around it.

    A press can arrive just before SIGINT is held; then the action has not begun,
    and it is simply started again.
    """
    while True:
        try:
            with held():
                return action()
        except KeyboardInterrupt:
            continue


def _drop(signum: int, frame: FrameType | None) -> None:
    """The SIGINT handler while bookkeeping runs: the press is ignored."""
