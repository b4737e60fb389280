"""The database shared by several claude-tui processes: no one deletes another's log."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pexpect

from claude_tui.store._connection import connect

# A process that opens the store the way a chat does (a second connection for the
# tracker, opened later), writes, then waits for a line on stdin before writing again.
HOLDER = """
import sys
from pathlib import Path
from claude_tui.store import Store
from claude_tui.store._connection import connect
path = Path(sys.argv[1])
store = Store.open(path)
store.create_session("m", None, "before")
tracker = connect(path)   # the tracker's own connection, opened after the first answer
store.create_session("m", None, "after the tracker")
print("ready", flush=True)
sys.stdin.readline()
store.create_session("m", None, "after the reader")
print("written", flush=True)
sys.stdin.readline()
"""

# What `claude-tui sessions list` does to the store.
READER = """
import sys
from pathlib import Path
from claude_tui.store import Store
store = Store.open(Path(sys.argv[1]))
store.sessions()
store.close()
"""

# Records every open() that Python code makes of the database or its side files.
AUDIT = """
import sys
from pathlib import Path
opened = []
name = sys.argv[1]
def hook(event, args):
    if event == "open" and args and name in str(args[0]):
        opened.append(str(args[0]))
sys.addaudithook(hook)
from decimal import Decimal
from claude_tui.core.events import Usage
from claude_tui.core.pricing import Charge
from claude_tui.core.usage import UsageRecord
from claude_tui.store import Store, Tracker
from claude_tui.store._connection import connect
path = Path(sys.argv[2]) / name
for n in range(2):
    store = Store.open(path)
    store.create_session("m", None, "x")
    tracker = Tracker(path)
    charge = Charge(Decimal("0.000001"), Decimal(0))
    tracker.record(UsageRecord(f"k{n}", 0.0, "2026-12-02", None, 0, "m", None,
                               Usage(1, 2, 3, 4, 5), charge))
    tracker.flush(5)
    connect(path).close()
    tracker.close()
    store.close()
print(opened)
"""


def _python(code: str, *args: str) -> list[str]:
    return [sys.executable, "-c", textwrap.dedent(code), *args]


def _titles(path: Path) -> list[str]:
    with sqlite3.connect(path) as conn:
        return [row[0] for row in conn.execute("SELECT title FROM sessions ORDER BY rowid")]


def test_no_python_code_opens_the_database_files(tmp_path: Path) -> None:
    """Only SQLite opens the database, its -wal and -shm: our own open() would drop its locks."""
    done = subprocess.run(
        _python(AUDIT, "sessions.sqlite3", str(tmp_path)),
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip() == "[]", done.stdout


def test_a_reader_elsewhere_leaves_a_running_chats_log_in_place(tmp_path: Path) -> None:
    """cost or sessions list in another process, then kill -9 of the chat: nothing is lost."""
    path = tmp_path / "data" / "sessions.sqlite3"
    holder = pexpect.spawn(sys.executable, _python(HOLDER, str(path))[1:], timeout=30)
    holder.expect("ready")
    subprocess.run(_python(READER, str(path)), check=True)
    assert path.with_name(path.name + "-wal").exists()
    holder.sendline("")
    holder.expect("written")
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait()
    assert _titles(path) == ["before", "after the tracker", "after the reader"]
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_a_current_schema_is_opened_without_the_write_lock(tmp_path: Path) -> None:
    """While a chat holds the write lock, `sessions list` still answers at once."""
    path = tmp_path / "data" / "sessions.sqlite3"
    writer = connect(path)
    writer.execute("BEGIN IMMEDIATE")
    try:
        env = {**os.environ, "CLAUDE_TUI_HOME": str(tmp_path)}
        done = subprocess.run(
            [sys.executable, "-m", "claude_tui", "sessions", "list"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert done.returncode == 0, done.stderr
    assert "No saved sessions" in done.stdout


def test_files_made_by_an_earlier_version_are_tightened(tmp_path: Path) -> None:
    """A database left 0644 by an older claude-tui (or a copy) becomes 0600 when opened."""
    path = tmp_path / "data" / "sessions.sqlite3"
    connect(path).close()
    path.chmod(0o644)
    conn = connect(path)
    conn.execute("CREATE TABLE IF NOT EXISTS t (x)")
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.with_name(path.name + "-wal").stat().st_mode & 0o777 == 0o600
    conn.close()
