"""The background tracker: the one writer of usage rows, so the chat never waits on disk.

Records go on a queue; a daemon thread with its own connection commits each
one as it arrives. A row that cannot be written yet (another process holds the
lock past SQLite's own wait, a full disk) stays queued and is tried again, so
nothing is dropped while the process lives; ``close`` flushes before exit and
reports whatever could not be written, and hands those rows over for a
recovery file. Any exception, not only a storage error, leaves the row queued
and the thread alive. Each record carries a unique key, so a
retried insert never counts a call twice, whichever process wrote it first.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections import deque
from collections.abc import Callable
from pathlib import Path

from claude_tui.core.usage import UsageRecord
from claude_tui.errors import StoreError
from claude_tui.processes import identity
from claude_tui.store._connection import connect
from claude_tui.store.ledger import Ledger

RETRY_AFTER_S = 0.5


class Tracker:
    """Owns every ledger write for this process."""

    def __init__(self, path: Path, open_ledger: Callable[[Path], Ledger] | None = None) -> None:
        self._path = path
        self._open = open_ledger or (lambda p: Ledger(connect(p)))
        # (started, record): a call's start goes in flight, its end to the ledger.
        self._pending: deque[tuple[bool, UsageRecord]] = deque()
        self._adopt: Callable[[Ledger], object] | None = None
        self._process = identity(os.getpid())
        self._changed = threading.Condition()
        self._closing = False
        self._stopped = False
        self._warning: str | None = None
        self._thread = threading.Thread(target=self._run, name="usage-tracker", daemon=True)
        self._thread.start()

    def record(self, record: UsageRecord) -> None:
        """Queue one ended call for the ledger; returns at once."""
        self._queue(False, record)

    def begin(self, record: UsageRecord) -> None:
        """Queue a call that has just started, so a kill -9 cannot lose it; returns at once."""
        self._queue(True, record)

    def adopt_with(self, adopt: Callable[[Ledger], object]) -> None:
        """Run ``adopt`` on the ledger once connected: it books calls dead processes left."""
        self._adopt = adopt

    def _queue(self, started: bool, record: UsageRecord) -> None:
        with self._changed:
            self._pending.append((started, record))
            self._changed.notify_all()

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until every queued row is committed; False if some are still waiting."""
        with self._changed:
            return self._changed.wait_for(self._settled, timeout) and not self._pending

    def _settled(self) -> bool:
        """Nothing left to wait for: every row written, or no thread left to write it."""
        return not self._pending or self._stopped

    def close(self, timeout: float = 5.0) -> None:
        """Flush, then stop the thread; rows still unwritten become the warning."""
        self.flush(timeout)
        with self._changed:
            self._closing = True
            self._changed.notify_all()
        self._thread.join(timeout)
        unsaved = self.unsaved()
        with self._changed:
            if unsaved:
                self._warning = (
                    f"{len(unsaved)} usage record(s) not saved: {self._warning or 'timeout'}"
                )

    def unsaved(self) -> list[UsageRecord]:
        """The rows not written yet, for a recovery file once the tracker is closed."""
        with self._changed:
            return [record for started, record in self._pending if not started]

    def take_warning(self) -> str | None:
        """The last write problem, once; None when every row so far is saved."""
        with self._changed:
            warning, self._warning = self._warning, None
        return warning

    def _run(self) -> None:
        try:
            self._write_all()
        finally:
            with self._changed:  # a flush waiting on this thread must not wait in vain
                self._stopped = True
                self._changed.notify_all()

    def _write_all(self) -> None:
        ledger: Ledger | None = None
        while True:
            with self._changed:
                self._changed.wait_for(lambda: self._pending or self._closing)
                if not self._pending:
                    return
                started, record = self._pending[0]
            try:
                ledger = ledger or self._connect()
                if started:
                    ledger.begin(record, os.getpid(), self._process)
                else:
                    ledger.append(record)
            except Exception as exc:  # any failure keeps the row queued; the thread goes on
                problem = (
                    str(exc) if isinstance(exc, StoreError) else f"{type(exc).__name__}: {exc}"
                )
                if self._wait_after_failure(problem):
                    return
                continue
            with self._changed:
                self._pending.popleft()
                self._warning = None  # the write that failed has now gone through
                self._changed.notify_all()

    def _connect(self) -> Ledger:
        """The tracker's own connection; the first also books what dead processes left."""
        ledger = self._open(self._path)
        if self._adopt is not None:
            with contextlib.suppress(StoreError):  # tried again by the next process
                self._adopt(ledger)
        return ledger

    def _wait_after_failure(self, problem: str) -> bool:
        """Note the problem and pause before the retry; True when closing means give up."""
        with self._changed:
            self._warning = problem
            if self._closing:
                return True
            self._changed.wait(RETRY_AFTER_S)
            return self._closing
