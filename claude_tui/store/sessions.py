"""Sessions and their messages on disk, written as they happen so nothing is lost."""

from __future__ import annotations

import json
import re
import secrets
import sqlite3
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from claude_tui.core.conversation import Conversation, Message
from claude_tui.core.export import Branch
from claude_tui.errors import NotFoundError, UsageError
from claude_tui.store._connection import connect, write_transaction
from claude_tui.store.ledger import Ledger
from claude_tui.store.model_lists import ModelLists
from claude_tui.store.uploads import Uploads

TITLE_LENGTH = 60


@dataclass(frozen=True)
class SessionInfo:
    """One saved conversation as lists and pickers show it."""

    id: str
    title: str
    model: str
    system: str | None
    created_at: float
    updated_at: float
    message_count: int


@dataclass(frozen=True)
class BranchInfo:
    """One branch of a session: whose branch it is, where it split, what it ends with."""

    number: int
    parent: int | None
    fork: int
    length: int
    last_text: str
    created_at: float


@dataclass(frozen=True)
class SearchHit:
    """A session that matches a search, with the best matching snippet."""

    session: SessionInfo
    snippet: str
    branch: int = 0  # the branch the best match is in
    active_branch: int = 0  # the branch a resume continues


_SESSION_COLUMNS = "id, title, model, system, created_at, updated_at, message_count"
# Marks around matched words in search snippets; control characters never occur in messages
# as typed, so the UI can turn them into highlighting without ambiguity.
MATCH_START, MATCH_END = "\x02", "\x03"


def _prefixed(alias: str) -> str:
    return ", ".join(f"{alias}.{column}" for column in _SESSION_COLUMNS.split(", "))


class Store:
    """The session database; every write is its own short transaction."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        clock: Callable[[], float] = time.time,
        path: Path | None = None,
    ) -> None:
        self._conn = conn
        self._clock = clock
        self.path = path

    @classmethod
    def open(cls, path: Path, clock: Callable[[], float] = time.time) -> Store:
        """Open (creating and migrating as needed) the database at ``path``."""
        return cls(connect(path), clock, path)

    @property
    def ledger(self) -> Ledger:
        """Usage totals read on this connection (the tracker writes on its own)."""
        return Ledger(self._conn)

    @property
    def model_lists(self) -> ModelLists:
        """The models lists kept per endpoint, read and written on this connection."""
        return ModelLists(self._conn)

    @property
    def uploads(self) -> Uploads:
        """The file ids the Files API gave, read and written on this connection."""
        return Uploads(self._conn, self._clock)

    def used_files(self, sha256s: Collection[str]) -> set[str]:
        """Which of these files a saved message still carries (after a delete, say)."""
        return {
            sha
            for sha in sha256s
            if self._conn.execute(
                "SELECT 1 FROM messages WHERE content LIKE ? LIMIT 1", (f"%{sha}%",)
            ).fetchone()
        }

    def close(self) -> None:
        """Release the connection; WAL content is checkpointed by SQLite."""
        self._conn.close()

    def create_session(self, model: str, system: str | None, title: str = "") -> SessionInfo:
        """A new, empty session with a short random id."""
        now = self._clock()
        session_id = secrets.token_hex(6)
        with write_transaction(self._conn) as conn:
            conn.execute(
                f"INSERT INTO sessions ({_SESSION_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, 0)",
                (session_id, title, model, system, now, now),
            )
        return SessionInfo(session_id, title, model, system, now, now, 0)

    def save_message(self, session_id: str, seq: int, message: Message, branch: int = 0) -> None:
        """Insert or replace the message at position ``seq`` of ``branch``; titles come from
        the first."""
        now = self._clock()
        with write_transaction(self._conn) as conn:
            self._insert(conn, session_id, branch, seq, message)
            conn.execute(
                """UPDATE sessions SET updated_at = ?, message_count = ?,
                   title = CASE WHEN title = '' AND ? = 'user' THEN ? ELSE title END
                   WHERE id = ?""",
                (now, seq + 1, message.role, shorten(message.text), session_id),
            )

    def _insert(
        self, conn: sqlite3.Connection, session_id: str, branch: int, seq: int, message: Message
    ) -> None:
        row = (json.dumps(message.content, ensure_ascii=False), message.text, message.status)
        conn.execute(
            """INSERT INTO messages (session_id, branch, seq, role, content, text, status,
                                     model, stop_reason, created_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT (session_id, branch, seq) DO UPDATE SET
                 role = excluded.role, content = excluded.content, text = excluded.text,
                 status = excluded.status, model = excluded.model,
                 stop_reason = excluded.stop_reason""",
            (session_id, branch, seq, message.role, *row, message.model,
             message.stop_reason, self._clock()),
        )  # fmt: skip

    def truncate(self, session_id: str, length: int, branch: int = 0) -> None:
        """Drop every message of ``branch`` from position ``length`` on (undo, retry).

        Messages the branch shares with its parent are never deleted: the branch
        forks earlier instead. A child branch that shares some of what goes keeps
        its own copy of it first.
        """
        with write_transaction(self._conn) as conn:
            self._hand_down(conn, session_id, branch, length)
            conn.execute(
                "DELETE FROM messages WHERE session_id = ? AND branch = ? AND seq >= ?",
                (session_id, branch, length),
            )
            conn.execute(
                "UPDATE branches SET fork = min(fork, ?) WHERE session_id = ? AND branch = ?",
                (length, session_id, branch),
            )
            conn.execute(
                "UPDATE sessions SET message_count = ?, updated_at = ? WHERE id = ?",
                (length, self._clock(), session_id),
            )

    def _hand_down(
        self, conn: sqlite3.Connection, session_id: str, branch: int, length: int
    ) -> None:
        """Copy to each child of ``branch`` the shared messages from ``length`` on."""
        children = conn.execute(
            "SELECT branch, fork FROM branches WHERE session_id = ? AND parent = ? AND fork > ?",
            (session_id, branch, length),
        ).fetchall()
        if not children:
            return
        view = self._branch_messages(session_id, branch, None)
        for child, fork in children:
            for seq in range(length, min(fork, len(view))):
                self._insert(conn, session_id, child, seq, view[seq])
            conn.execute(
                "UPDATE branches SET fork = ? WHERE session_id = ? AND branch = ?",
                (length, session_id, child),
            )

    def new_branch(self, session_id: str, parent: int, fork: int) -> int:
        """A branch of ``parent`` that shares its first ``fork`` messages; made active."""
        with write_transaction(self._conn) as conn:
            (last,) = conn.execute(
                "SELECT max(branch) FROM branches WHERE session_id = ?", (session_id,)
            ).fetchone()
            branch = (last or 0) + 1
            conn.execute(
                "INSERT INTO branches (session_id, branch, parent, fork, created_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (session_id, branch, parent, fork, self._clock()),
            )
            conn.execute(
                "UPDATE sessions SET active_branch = ?, message_count = ?, updated_at = ?"
                " WHERE id = ?",
                (branch, fork, self._clock(), session_id),
            )
        return branch

    def set_active_branch(self, session_id: str, branch: int) -> None:
        """Continue ``branch`` from now on, and on the next resume."""
        length = len(self._branch_messages(session_id, branch, None))
        with write_transaction(self._conn) as conn:
            conn.execute(
                "UPDATE sessions SET active_branch = ?, message_count = ? WHERE id = ?",
                (branch, length, session_id),
            )

    def branch_counts(self) -> dict[str, int]:
        """How many branches each session with more than one has."""
        rows = self._conn.execute(
            "SELECT session_id, count(*) + 1 FROM branches GROUP BY session_id"
        ).fetchall()
        return dict(rows)

    def active_branch(self, session_id: str) -> int:
        """The branch a resume continues."""
        row = self._conn.execute(
            "SELECT active_branch FROM sessions WHERE id = ?", (session_id,)
        ).fetchone()
        return int(row[0]) if row else 0

    def branches(self, session_id: str) -> list[BranchInfo]:
        """Every branch of a session: where it split, how long it is, its last message."""
        rows = self._conn.execute(
            "SELECT branch, parent, fork, created_at FROM branches WHERE session_id = ?",
            (session_id,),
        ).fetchall()
        found = [(0, None, 0, 0.0), *rows] if not any(r[0] == 0 for r in rows) else rows
        infos = []
        for branch, parent, fork, created in sorted(found):
            messages = self._branch_messages(session_id, branch, None)
            last = messages[-1].text if messages else ""
            infos.append(BranchInfo(branch, parent, fork, len(messages), last, created))
        return infos

    def own_messages(self, session_id: str, branch: int) -> list[Message]:
        """A branch's messages after its fork (all of branch 0's)."""
        fork = next(b.fork for b in self.branches(session_id) if b.number == branch)
        return self._branch_messages(session_id, branch, None)[fork:]

    def import_branches(self, session_id: str, branches: Sequence[Branch]) -> int:
        """Rebuild exported branches under a freshly imported session; how many."""
        numbers = {0: 0}
        for branch in sorted(branches, key=lambda b: b.number):
            if branch.parent not in numbers:
                continue  # its parent was not in the file
            made = self.new_branch(session_id, numbers[branch.parent], branch.fork)
            numbers[branch.number] = made
            for offset, message in enumerate(branch.messages):
                self.save_message(session_id, branch.fork + offset, message, made)
        self.set_active_branch(session_id, 0)
        return len(numbers) - 1

    def _branch_messages(self, session_id: str, branch: int, upto: int | None) -> list[Message]:
        """A branch's messages: its parent's before the fork, then its own."""
        row = self._conn.execute(
            "SELECT parent, fork FROM branches WHERE session_id = ? AND branch = ?",
            (session_id, branch),
        ).fetchone()
        parent, fork = row if row else (None, 0)
        reach = fork if upto is None else min(fork, upto)
        shared = self._branch_messages(session_id, parent, reach) if parent is not None else []
        limit = -1 if upto is None else max(upto - fork, 0)
        rows = self._conn.execute(
            "SELECT role, content, status, model, stop_reason FROM messages "
            "WHERE session_id = ? AND branch = ? AND seq >= ? ORDER BY seq LIMIT ?",
            (session_id, branch, fork, limit),
        )
        own = [
            Message(role, json.loads(content), status, model, stop)
            for role, content, status, model, stop in rows
        ]
        return shared + own

    def update_session(
        self, session_id: str, *, model: str | None = None, system: str | None = None
    ) -> None:
        """Remember a model switch or a new system prompt for the next resume."""
        with write_transaction(self._conn) as conn:
            if model is not None:
                conn.execute("UPDATE sessions SET model = ? WHERE id = ?", (model, session_id))
            conn.execute("UPDATE sessions SET system = ? WHERE id = ?", (system, session_id))

    def update_context(self, session_id: str, start: int, summary: str | None) -> None:
        """Where sending starts and the summary that stands in for what came before."""
        with write_transaction(self._conn) as conn:
            conn.execute(
                "UPDATE sessions SET context_start = ?, summary = ? WHERE id = ?",
                (start, summary, session_id),
            )

    def rename(self, session_id: str, title: str) -> None:
        """Give a session a title of the person's choosing."""
        with write_transaction(self._conn) as conn:
            conn.execute("UPDATE sessions SET title = ? WHERE id = ?", (title, session_id))

    def delete(self, session_id: str) -> None:
        """Remove a session and its messages."""
        with write_transaction(self._conn) as conn:
            conn.execute("DELETE FROM sessions WHERE id = ?", (session_id,))

    def import_session(self, meta: dict[str, Any], conversation: Conversation) -> tuple[str, str]:
        """Load an exported or recovered session without ever overwriting what is saved.

        An unknown id is created as it was. A saved session that the file continues
        (a recovery file: ``saved_upto`` says how much of it had been saved) gets the
        rest; anything else is added as a copy with a new id. Returns the id and
        which of "created", "extended", "unchanged" or "copied" happened.
        """
        messages = conversation.messages
        known = self._existing(meta.get("id"))
        if known is None:
            session_id = str(meta.get("id") or secrets.token_hex(6))
            how, keep = "created", 0
        else:
            session_id = str(meta["id"])
            keep = min(int(meta.get("saved_upto", len(known))), len(known))
            continues = _continues(known, messages, keep)
            how = "extended" if continues else "copied"
            if not continues:
                session_id, keep = secrets.token_hex(6), 0
            elif known == messages:
                how, keep = "unchanged", len(known)
        if how in ("created", "copied"):
            self._insert_session(session_id, meta, conversation.system)
        branch = self.active_branch(session_id)
        self.truncate(session_id, keep, branch)
        for seq in range(keep, len(messages)):
            self.save_message(session_id, seq, messages[seq], branch)
        if how in ("created", "copied") or "saved_upto" in meta:
            # A recovery file holds the state at exit, /compact's summary included;
            # a plain export onto a saved session leaves its later summary alone.
            self.update_context(session_id, conversation.start, conversation.summary)
        return session_id, how

    def _existing(self, session_id: object) -> list[Message] | None:
        if (
            not isinstance(session_id, str)
            or not self._conn.execute(
                "SELECT 1 FROM sessions WHERE id = ?", (session_id,)
            ).fetchone()
        ):
            return None
        return self.load(session_id).messages

    def _insert_session(self, session_id: str, meta: dict[str, Any], system: str | None) -> None:
        now = self._clock()
        created = float(meta.get("created_at") or now)
        with write_transaction(self._conn) as conn:
            conn.execute(
                f"INSERT INTO sessions ({_SESSION_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, 0)",
                (
                    session_id,
                    str(meta.get("title") or ""),
                    str(meta["model"]),
                    system,
                    created,
                    now,
                ),
            )

    def sessions(self, limit: int = 20) -> list[SessionInfo]:
        """The most recently used sessions first."""
        rows = self._conn.execute(
            f"SELECT {_SESSION_COLUMNS} FROM sessions WHERE message_count > 0 "
            "OR EXISTS (SELECT 1 FROM branches b WHERE b.session_id = sessions.id) "
            "ORDER BY updated_at DESC LIMIT ?",
            (limit,),
        )
        return [SessionInfo(*row) for row in rows]

    def titles(self, ids: Collection[str]) -> dict[str, str]:
        """The titles of those of ``ids`` that still exist; the ledger outlives deleted sessions."""
        rows = self._conn.execute(
            "SELECT id, title FROM sessions WHERE id IN (SELECT value FROM json_each(?))",
            (json.dumps(list(ids)),),
        )
        return dict(rows.fetchall())

    def latest(self) -> SessionInfo | None:
        """The session used last, for --continue."""
        found = self.sessions(1)
        return found[0] if found else None

    def resolve(self, ref: str) -> SessionInfo:
        """A session by id, unique id prefix (like git), or exact title."""
        rows = self._conn.execute(
            f"SELECT {_SESSION_COLUMNS} FROM sessions WHERE id LIKE ? ESCAPE '\\' "
            "ORDER BY updated_at DESC LIMIT 2",
            (_escape_like(ref) + "%",),
        ).fetchall()
        if not rows:
            rows = self._conn.execute(
                f"SELECT {_SESSION_COLUMNS} FROM sessions WHERE title = ? "
                "ORDER BY updated_at DESC LIMIT 2",
                (ref,),
            ).fetchall()
        if not rows:
            raise NotFoundError(
                f"no session matches '{ref}'; `claude-tui sessions list` shows them"
            )
        if len(rows) > 1 and rows[0][0] != ref:
            raise UsageError(f"'{ref}' matches more than one session; give more of the id")
        return SessionInfo(*rows[0])

    def load(self, session_id: str, branch: int | None = None) -> Conversation:
        """A branch (the active one by default), content blocks exactly as they were saved."""
        info = self.resolve(session_id)
        chosen = self.active_branch(info.id) if branch is None else branch
        messages = self._branch_messages(info.id, chosen, None)
        start, summary = self._conn.execute(
            "SELECT context_start, summary FROM sessions WHERE id = ?", (info.id,)
        ).fetchone()
        return Conversation(info.system, messages, min(start, len(messages)), summary)

    def search(self, query: str, limit: int = 20) -> list[SearchHit]:
        """Sessions whose messages match ``query`` (see :func:`fts_query`), newest first."""
        try:
            rows = self._conn.execute(
                f"""WITH hits AS MATERIALIZED (
                      SELECT rowid AS id, rank,
                             snippet(messages_fts, 0, '{MATCH_START}', '{MATCH_END}', '…', 12)
                               AS snip
                      FROM messages_fts WHERE messages_fts MATCH ?
                    ), best AS (
                      SELECT m.session_id AS sid, m.branch AS branch, hits.snip, row_number()
                               OVER (PARTITION BY m.session_id ORDER BY hits.rank) AS n
                      FROM hits JOIN messages m ON m.id = hits.id
                    )
                    SELECT {_prefixed("s")}, best.snip, best.branch, s.active_branch
                    FROM best JOIN sessions s ON s.id = best.sid
                    WHERE best.n = 1 ORDER BY s.updated_at DESC LIMIT ?""",
                (fts_query(query), limit),
            ).fetchall()
        except sqlite3.OperationalError as exc:
            raise UsageError(f"cannot search for {query!r}: {exc}") from None
        return [SearchHit(SessionInfo(*row[:7]), *row[7:]) for row in rows]


def _continues(known: list[Message], messages: list[Message], keep: int) -> bool:
    """Whether the file carries on the saved session: the same up to ``keep``, and past it
    only copies the file replaces (the same message, or a partial answer saved early).

    Anything else was said after the file was written, and must not be overwritten.
    """
    if len(known) > len(messages) or known[:keep] != messages[:keep]:
        return False
    later = zip(known[keep:], messages[keep:], strict=False)
    return all(saved == kept or saved.status == "interrupted" for saved, kept in later)


def shorten(text: str, length: int = TITLE_LENGTH) -> str:
    """A one-line title from the first words of a message."""
    line = " ".join(text.split())
    return line if len(line) <= length else line[: length - 1].rstrip() + "…"


def fts_query(query: str) -> str:
    """Words as prefixes (``stream`` finds "Streaming"), ``"a phrase"`` exactly.

    Each is quoted for FTS5, so punctuation in a person's search is never syntax.
    """
    terms = []
    for phrase, word in re.findall(r'"([^"]*)"|(\S+)', query):
        if phrase.strip():
            terms.append(_quoted(phrase))
        elif word.rstrip("*"):
            terms.append(_quoted(word.rstrip("*")) + "*")
    if not terms:
        raise UsageError('nothing to search for: give words (prefixes match) or "an exact phrase"')
    return " ".join(terms)


def _quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
