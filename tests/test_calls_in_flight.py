"""A call killed mid-answer is still billed: it was noted when it started, booked when found."""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

from claude_tui.app.meter import Meter
from claude_tui.app.wiring import price_table
from claude_tui.config import Config
from claude_tui.processes import identity
from claude_tui.store import Store
from tests.api_double import ApiDouble, Reply
from tests.sinks import Collected
from tests.terminal import Terminal
from tests.test_cli import _run
from tests.test_ledger import _record
from tests.test_sessions import _partial_saved

READY = "tokens · /help"


def _db(home: Path) -> Path:
    return home / "data" / "sessions.sqlite3"


def _in_flight(home: Path) -> int:
    with contextlib.closing(sqlite3.connect(_db(home))) as conn:
        return conn.execute("SELECT count(*) FROM usage_in_flight").fetchone()[0]


def test_kill_9_mid_answer_is_billed_by_the_next_run(
    app_env: dict[str, str], api: ApiDouble, home: Path
) -> None:
    """kill -9 mid-answer, then any later run books that call once, estimated from its text."""
    api.script(Reply(text="slowly " * 400, chunk=7, delay=0.02, input_tokens=1000))
    term = Terminal([], app_env)
    try:
        term.wait_for(READY)
        term.type("tell me slowly")
        term.press("enter")
        term.wait_for("slowly slowly slowly")
        term.wait_for(lambda _: _in_flight(home) == 1 and _partial_saved(home), timeout=30)
        os.kill(term.child.pid, signal.SIGKILL)
    finally:
        term.close()
    assert Store.open(_db(home)).ledger.since().calls == 0
    assert _run(app_env, "ask", "next").returncode == 0
    totals = Store.open(_db(home)).ledger.since()
    assert totals.calls == 2 and totals.estimated_calls == 1
    assert totals.usage.input_tokens >= 1000 and _in_flight(home) == 0


def test_only_calls_of_processes_that_are_gone_are_booked(tmp_path: Path) -> None:
    """A live chat's call stays in flight; a dead one's, even under a reused pid, is booked."""
    path = tmp_path / "db.sqlite3"
    ledger = Store.open(path).ledger
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    try:
        ledger.begin(_record("live-call"), live.pid, identity(live.pid))
        ledger.begin(_record("gone-call"), gone.pid, identity(os.getpid()) + "0")
        # Our own pid, but noted by an earlier process that had it (a container's pid 1).
        ledger.begin(_record("reused-pid"), os.getpid(), identity(os.getpid()) + "1")
        Meter(price_table(Config()), Collected(), len).adopt(ledger)
    finally:
        live.kill()
        live.wait()
    with contextlib.closing(sqlite3.connect(path)) as conn:
        booked = conn.execute("SELECT key, estimated FROM usage").fetchall()
        waiting = conn.execute("SELECT key FROM usage_in_flight").fetchall()
    assert sorted(booked) == [("gone-call", 1), ("reused-pid", 1)]
    assert waiting == [("live-call",)]
