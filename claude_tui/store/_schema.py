"""The database schema as a list of named forward migrations.

``PRAGMA user_version`` holds how many have run. Each migration is a function
with a name that says what it adds, and each is tested from the version before
it, so a database written by any earlier claude-tui opens in this one.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from claude_tui.errors import NewerDatabaseError


def add_sessions_and_messages(conn: sqlite3.Connection) -> None:
    """Version 1: sessions, their messages as API content blocks, and full-text search."""
    _run(
        conn,
        """CREATE TABLE sessions (
            id TEXT PRIMARY KEY,
            title TEXT NOT NULL DEFAULT '',
            model TEXT NOT NULL,
            system TEXT,
            created_at REAL NOT NULL,
            updated_at REAL NOT NULL,
            message_count INTEGER NOT NULL DEFAULT 0
        )""",
        "CREATE INDEX sessions_by_update ON sessions (updated_at DESC)",
        """CREATE TABLE messages (
            id INTEGER PRIMARY KEY,
            session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
            seq INTEGER NOT NULL,
            role TEXT NOT NULL CHECK (role IN ('user', 'assistant')),
            content TEXT NOT NULL,
            text TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('complete', 'interrupted', 'error')),
            model TEXT,
            stop_reason TEXT,
            created_at REAL NOT NULL,
            UNIQUE (session_id, seq)
        )""",
        """CREATE VIRTUAL TABLE messages_fts USING fts5 (
            text, content = 'messages', content_rowid = 'id', tokenize = 'unicode61'
        )""",
        """CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
            INSERT INTO messages_fts (rowid, text) VALUES (new.id, new.text);
        END""",
        """CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
            INSERT INTO messages_fts (messages_fts, rowid, text)
                VALUES ('delete', old.id, old.text);
        END""",
        """CREATE TRIGGER messages_fts_update AFTER UPDATE OF text ON messages BEGIN
            INSERT INTO messages_fts (messages_fts, rowid, text)
                VALUES ('delete', old.id, old.text);
            INSERT INTO messages_fts (rowid, text) VALUES (new.id, new.text);
        END""",
    )


def _run(conn: sqlite3.Connection, *statements: str) -> None:
    """Run statements one by one: ``executescript`` would commit the open transaction."""
    for statement in statements:
        conn.execute(statement)


MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [add_sessions_and_messages]


def migrate(conn: sqlite3.Connection, path: str, upto: int | None = None) -> None:
    """Bring the schema up to date; each step commits with its version number."""
    target = len(MIGRATIONS) if upto is None else upto
    while True:
        conn.execute("BEGIN IMMEDIATE")
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version > len(MIGRATIONS):
                raise NewerDatabaseError(
                    f"{path} was written by a newer claude-tui (schema {version}, this one "
                    f"knows {len(MIGRATIONS)}); upgrade claude-tui to use it"
                )
            if version >= target:
                conn.execute("COMMIT")
                return
            MIGRATIONS[version](conn)
            conn.execute(f"PRAGMA user_version = {version + 1}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
