"""The database schema as a list of named forward migrations.

``PRAGMA user_version`` holds how many have run. Each migration is a function
with a name that says what it adds, and each is tested from the version before
it, so a database written by any earlier claude-tui opens in this one.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from claude_tui.errors import NewerDatabaseError

# What keeps the full-text index in step with messages; versions 1 and 9 make them.
_FTS_TRIGGERS = (
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
        *_FTS_TRIGGERS,
    )


def add_usage_ledger(conn: sqlite3.Connection) -> None:
    """Version 2: the append-only usage ledger and a per-day, per-model rollup of it.

    Money is stored as whole picodollars (10^-12 USD): exact for any price with
    up to six decimal places per million tokens, and summed by SQLite as integers.
    A NULL cost means the model had no known price. The rollup is kept by a
    trigger in the same transaction as the row, so it cannot drift from the ledger,
    and it lets today/month/all-time totals read a few rows instead of millions.
    """
    _run(
        conn,
        """CREATE TABLE usage (
            id INTEGER PRIMARY KEY,
            key TEXT NOT NULL UNIQUE,
            at REAL NOT NULL,
            day TEXT NOT NULL,
            session_id TEXT,
            message_seq INTEGER,
            model TEXT NOT NULL,
            request_id TEXT,
            kind TEXT NOT NULL,
            input_tokens INTEGER NOT NULL,
            output_tokens INTEGER NOT NULL,
            cache_write_5m INTEGER NOT NULL,
            cache_write_1h INTEGER NOT NULL,
            cache_read INTEGER NOT NULL,
            cost_pico INTEGER,
            saving_pico INTEGER,
            estimated INTEGER NOT NULL
        )""",
        "CREATE INDEX usage_by_session ON usage (session_id)",
        """CREATE TABLE usage_daily (
            day TEXT NOT NULL,
            model TEXT NOT NULL,
            calls INTEGER NOT NULL,
            input_tokens INTEGER NOT NULL,
            output_tokens INTEGER NOT NULL,
            cache_write_5m INTEGER NOT NULL,
            cache_write_1h INTEGER NOT NULL,
            cache_read INTEGER NOT NULL,
            cost_pico INTEGER NOT NULL,
            saving_pico INTEGER NOT NULL,
            unpriced_calls INTEGER NOT NULL,
            estimated_calls INTEGER NOT NULL,
            PRIMARY KEY (day, model)
        ) WITHOUT ROWID""",
        """CREATE TRIGGER usage_daily_add AFTER INSERT ON usage BEGIN
            INSERT INTO usage_daily VALUES (
                new.day, new.model, 1, new.input_tokens, new.output_tokens,
                new.cache_write_5m, new.cache_write_1h, new.cache_read,
                coalesce(new.cost_pico, 0), coalesce(new.saving_pico, 0),
                new.cost_pico IS NULL, new.estimated
            ) ON CONFLICT (day, model) DO UPDATE SET
                calls = calls + 1,
                input_tokens = input_tokens + excluded.input_tokens,
                output_tokens = output_tokens + excluded.output_tokens,
                cache_write_5m = cache_write_5m + excluded.cache_write_5m,
                cache_write_1h = cache_write_1h + excluded.cache_write_1h,
                cache_read = cache_read + excluded.cache_read,
                cost_pico = cost_pico + excluded.cost_pico,
                saving_pico = saving_pico + excluded.saving_pico,
                unpriced_calls = unpriced_calls + excluded.unpriced_calls,
                estimated_calls = estimated_calls + excluded.estimated_calls;
        END""",
        """CREATE TRIGGER usage_no_update BEFORE UPDATE ON usage BEGIN
            SELECT RAISE (ABORT, 'the usage ledger is append-only');
        END""",
        """CREATE TRIGGER usage_no_delete BEFORE DELETE ON usage BEGIN
            SELECT RAISE (ABORT, 'the usage ledger is append-only');
        END""",
    )


def add_session_context(conn: sqlite3.Connection) -> None:
    """Version 3: where a session's sending starts, and the /compact summary before it."""
    _run(
        conn,
        "ALTER TABLE sessions ADD COLUMN context_start INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE sessions ADD COLUMN summary TEXT",
    )


def add_session_rollups(conn: sqlite3.Connection) -> None:
    """Version 4: per-session totals of the ledger, all time and per day.

    Costs per session summed the ledger's own rows, a second per million of them.
    ``usage_sessions`` ranks all-time spend through an index on cost, and
    ``usage_session_daily`` answers "since a day" with one row per session and day.
    A call outside any session is kept under the session id ''. Both are filled
    from the rows already there, then kept by triggers like the daily rollup.
    """
    session = "coalesce({row}session_id, '')"
    _run(
        conn,
        *_session_rollup("usage_sessions", {"session_id": session}),
        "CREATE INDEX usage_sessions_by_cost ON usage_sessions (cost_pico DESC, session_id)",
        *_session_rollup("usage_session_daily", {"session_id": session, "day": "{row}day"}),
    )


# Each sum a session rollup keeps, and its value for one ledger row. Migration 4 was
# built from this and _session_rollup as they stand: both are frozen with it. A later
# rollup gets helpers of its own, or a shipped database and a new one would differ.
_V4_SUMS = {
    "calls": "1",
    "input_tokens": "{row}input_tokens",
    "output_tokens": "{row}output_tokens",
    "cache_write_5m": "{row}cache_write_5m",
    "cache_write_1h": "{row}cache_write_1h",
    "cache_read": "{row}cache_read",
    "cost_pico": "coalesce({row}cost_pico, 0)",
    "saving_pico": "coalesce({row}saving_pico, 0)",
    "unpriced_calls": "{row}cost_pico IS NULL",
    "estimated_calls": "{row}estimated",
}


def _session_rollup(table: str, keys: dict[str, str]) -> tuple[str, str, str]:
    """Create, fill and keep a rollup of the ledger: the sums per value of ``keys``.

    ``keys`` maps each key column to its expression over a ledger row.
    """

    def values(row: str, template: str) -> str:
        return ", ".join(template.format(expr.format(row=row)) for expr in _V4_SUMS.values())

    key_columns = ", ".join(keys)
    old_keys = ", ".join(expr.format(row="") for expr in keys.values())
    new_keys = ", ".join(expr.format(row="new.") for expr in keys.values())
    columns = ", ".join(
        [f"{name} TEXT NOT NULL" for name in keys]
        + [f"{name} INTEGER NOT NULL" for name in _V4_SUMS]
    )
    updates = ", ".join(f"{name} = {name} + excluded.{name}" for name in _V4_SUMS)
    return (
        f"CREATE TABLE {table} ({columns}, PRIMARY KEY ({key_columns})) WITHOUT ROWID",
        f"INSERT INTO {table} SELECT {old_keys}, {values('', 'sum({})')} "
        f"FROM usage GROUP BY {old_keys}",
        f"""CREATE TRIGGER {table}_add AFTER INSERT ON usage BEGIN
            INSERT INTO {table} VALUES ({new_keys}, {values("new.", "{}")})
            ON CONFLICT ({key_columns}) DO UPDATE SET {updates};
        END""",
    )


def _run(conn: sqlite3.Connection, *statements: str) -> None:
    """Run statements one by one: ``executescript`` would commit the open transaction."""
    for statement in statements:
        conn.execute(statement)


def add_calls_in_flight(conn: sqlite3.Connection) -> None:
    """Version 5: calls that started (and are billed) but have not ended yet.

    A row goes in when the answer starts and out, in the same transaction as its
    ledger row, when it ends. One left behind by a process that was killed is
    turned into an estimated ledger row by the next chat, so kill -9 mid-answer
    no longer loses the call. ``pid`` and ``process`` (see claude_tui.processes) say whose.
    """
    _run(
        conn,
        """CREATE TABLE usage_in_flight (
            key TEXT PRIMARY KEY,
            pid INTEGER NOT NULL,
            process TEXT NOT NULL,
            at REAL NOT NULL,
            day TEXT NOT NULL,
            session_id TEXT,
            message_seq INTEGER,
            model TEXT NOT NULL,
            request_id TEXT,
            kind TEXT NOT NULL,
            input_tokens INTEGER NOT NULL,
            output_tokens INTEGER NOT NULL,
            cache_write_5m INTEGER NOT NULL,
            cache_write_1h INTEGER NOT NULL,
            cache_read INTEGER NOT NULL
        )""",
    )


def add_model_lists(conn: sqlite3.Connection) -> None:
    """Version 6: the models list each API endpoint last gave, with when it was fetched.

    Kept per base URL (a gateway lists other models than Anthropic's) as the API's
    own JSON, so a newer claude-tui reads capabilities an older one did not know.
    """
    _run(
        conn,
        """CREATE TABLE model_lists (
            endpoint TEXT PRIMARY KEY,
            fetched_at REAL NOT NULL,
            models TEXT NOT NULL
        )""",
    )


def add_file_uploads(conn: sqlite3.Connection) -> None:
    """Version 7: which file id each endpoint's Files API gave a file (by its sha256).

    A file attached in any session is uploaded once per endpoint and referenced
    by id ever after; a row whose file the API no longer has is deleted.
    """
    _run(
        conn,
        """CREATE TABLE file_uploads (
            endpoint TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            file_id TEXT NOT NULL,
            uploaded_at REAL NOT NULL,
            PRIMARY KEY (endpoint, sha256)
        )""",
    )


# Migration 8's sums: version 4's and the server tool counts. Frozen with it.
_V8_SUMS = {
    **_V4_SUMS,
    "web_search_requests": "{row}web_search_requests",
    "web_fetch_requests": "{row}web_fetch_requests",
}
_V8_ROLLUPS = {
    "usage_daily": {"day": "{row}day", "model": "{row}model"},
    "usage_sessions": {"session_id": "coalesce({row}session_id, '')"},
    "usage_session_daily": {"session_id": "coalesce({row}session_id, '')", "day": "{row}day"},
}


def add_server_tool_counts(conn: sqlite3.Connection) -> None:
    """Version 8: web searches and fetches per call, and their sums in every rollup.

    Their money is in ``cost_pico`` already; the counts say what it was for. The
    rollup triggers are made again naming their columns, since the old ones
    insert values by position and the tables now have two more.
    """
    statements = [
        f"ALTER TABLE {table} ADD COLUMN {column} INTEGER NOT NULL DEFAULT 0"
        for table in ("usage", *_V8_ROLLUPS)
        for column in ("web_search_requests", "web_fetch_requests")
    ]
    for table, keys in _V8_ROLLUPS.items():
        statements += [f"DROP TRIGGER {table}_add", _rollup_trigger(table, keys)]
    _run(conn, *statements)


def _rollup_trigger(table: str, keys: dict[str, str]) -> str:
    columns = ", ".join([*keys, *_V8_SUMS])
    values = ", ".join(e.format(row="new.") for e in [*keys.values(), *_V8_SUMS.values()])
    updates = ", ".join(f"{name} = {name} + excluded.{name}" for name in _V8_SUMS)
    return f"""CREATE TRIGGER {table}_add AFTER INSERT ON usage BEGIN
        INSERT INTO {table} ({columns}) VALUES ({values})
        ON CONFLICT ({", ".join(keys)}) DO UPDATE SET {updates};
    END"""


def add_branches(conn: sqlite3.Connection) -> None:
    """Version 9: a conversation is a tree of branches.

    A branch holds its own messages from ``fork`` on and shares its parent's before
    it, so editing an early message keeps what came after as a branch of its own.
    ``messages`` is rebuilt to key rows by (session, branch, seq): SQLite cannot
    drop the old unique key in place. Row ids stay, so the full-text index stays
    valid; its triggers are made again as version 1 made them. Every existing
    session is branch 0 and active.
    """
    _run(
        conn,
        """CREATE TABLE messages_v9 (
            id INTEGER PRIMARY KEY,
            session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
            branch INTEGER NOT NULL DEFAULT 0,
            seq INTEGER NOT NULL,
            role TEXT NOT NULL CHECK (role IN ('user', 'assistant')),
            content TEXT NOT NULL,
            text TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('complete', 'interrupted', 'error')),
            model TEXT,
            stop_reason TEXT,
            created_at REAL NOT NULL,
            UNIQUE (session_id, branch, seq)
        )""",
        """INSERT INTO messages_v9 (id, session_id, branch, seq, role, content, text, status,
                                    model, stop_reason, created_at)
           SELECT id, session_id, 0, seq, role, content, text, status, model, stop_reason,
                  created_at FROM messages""",
        "DROP TRIGGER messages_fts_insert",
        "DROP TRIGGER messages_fts_delete",
        "DROP TRIGGER messages_fts_update",
        "DROP TABLE messages",
        "ALTER TABLE messages_v9 RENAME TO messages",
        *_FTS_TRIGGERS,
        """CREATE TABLE branches (
            session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
            branch INTEGER NOT NULL,
            parent INTEGER,
            fork INTEGER NOT NULL,
            created_at REAL NOT NULL,
            PRIMARY KEY (session_id, branch)
        ) WITHOUT ROWID""",
        "ALTER TABLE sessions ADD COLUMN active_branch INTEGER NOT NULL DEFAULT 0",
    )


MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [
    add_sessions_and_messages,
    add_usage_ledger,
    add_session_context,
    add_session_rollups,
    add_calls_in_flight,
    add_model_lists,
    add_file_uploads,
    add_server_tool_counts,
    add_branches,
]


def migrate(conn: sqlite3.Connection, path: str, upto: int | None = None) -> None:
    """Bring the schema up to date; each step commits with its version number.

    A schema that is already current is only read, so readers (``cost``,
    ``sessions list``) never queue behind a chat for the write lock.
    """
    target = len(MIGRATIONS) if upto is None else upto
    if _current(conn, path) >= target:
        return
    while True:
        conn.execute("BEGIN IMMEDIATE")
        try:
            version = _current(conn, path)
            if version >= target:
                conn.execute("COMMIT")
                return
            MIGRATIONS[version](conn)
            conn.execute(f"PRAGMA user_version = {version + 1}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise


def _current(conn: sqlite3.Connection, path: str) -> int:
    """The schema version, refusing one written by a newer claude-tui."""
    version: int = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > len(MIGRATIONS):
        raise NewerDatabaseError(
            f"{path} was written by a newer claude-tui (schema {version}, this one "
            f"knows {len(MIGRATIONS)}); upgrade claude-tui to use it"
        )
    return version
