"""Open the database safely: private file, WAL, a busy timeout, and a clear word on damage."""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from claude_tui.errors import CorruptDatabaseError, StoreError
from claude_tui.paths import make_private_dir
from claude_tui.store._schema import migrate

BUSY_TIMEOUT_MS = 10_000
SIDE_FILES = ("-wal", "-shm", "-journal")
LOCKED = f"stayed locked by another process for {BUSY_TIMEOUT_MS // 1000} s"


def connect(path: Path, *, upto: int | None = None) -> sqlite3.Connection:
    """A migrated connection; a damaged file is reported, never replaced or deleted.

    Only SQLite ever opens the database and its ``-wal``/``-shm`` files: closing any
    other descriptor of them would drop this process's POSIX locks, and another
    process would then think itself the last user and delete the write-ahead log
    that this one is still writing to.
    """
    _private_folder(path)
    try:
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    except sqlite3.DatabaseError as exc:
        raise _explain(path, exc) from None
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        migrate(conn, str(path), upto)
        _make_private(path)
    except BaseException as exc:
        conn.close()  # the tracker retries; a failed attempt must not keep a handle open
        if isinstance(exc, sqlite3.DatabaseError):
            raise _explain(path, exc) from None
        raise
    return conn


@contextmanager
def write_transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One short write: a busy, full or failing disk is a StoreError, and nothing half-written.

    The lock is taken up front, so a busy database fails before any change. SQLite
    may have rolled back by itself after an I/O error, so ROLLBACK is only issued
    while a transaction is still open.
    """
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.Error as exc:
        raise _write_error(exc) from None
    try:
        yield conn
        conn.execute("COMMIT")
    except BaseException as exc:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        if isinstance(exc, sqlite3.Error):
            raise _write_error(exc) from None
        raise


def _write_error(exc: sqlite3.Error) -> StoreError:
    if _is_locked(exc):
        return StoreError(f"the session database {LOCKED}")
    return StoreError(f"cannot write the session database: {exc}")


def _is_locked(exc: sqlite3.Error) -> bool:
    return "locked" in str(exc) or "busy" in str(exc)


def _private_folder(path: Path) -> None:
    """The folder is 0700 before SQLite creates anything in it, so nobody else can look in."""
    try:
        make_private_dir(path.parent)
    except OSError as exc:
        raise StoreError(f"cannot open the session database {path}: {exc.strerror}") from None


def _make_private(path: Path) -> None:
    """Tighten the database and its companions to 0600 by name, never by opening them.

    SQLite gives a new ``-wal`` or ``-shm`` file the database file's mode, so once the
    database is 0600 so is everything created beside it later.
    """
    for name in (path, *(path.with_name(path.name + s) for s in SIDE_FILES)):
        try:
            if stat.S_IMODE(os.stat(name).st_mode) & 0o077:
                os.chmod(name, 0o600)
        except OSError:
            continue  # gone, or a file system without modes (vfat): the 0700 folder guards it


def _explain(path: Path, exc: sqlite3.DatabaseError) -> StoreError:
    text = str(exc)
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return CorruptDatabaseError(
            f"{path} is damaged or not a claude-tui database ({text}); it was left untouched: "
            f"move it aside (mv '{path}' '{path}.bad') to start afresh"
        )
    if _is_locked(exc):
        return StoreError(f"the session database {path} {LOCKED}")
    return StoreError(f"cannot use the session database {path}: {text}")
