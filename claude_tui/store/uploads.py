"""File ids the Files API gave, per endpoint and file content, so nothing is uploaded twice."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable

from claude_tui.store._connection import write_transaction


class Uploads:
    """``(endpoint, sha256) → file_id``; each write is its own short transaction."""

    def __init__(self, conn: sqlite3.Connection, clock: Callable[[], float] = time.time) -> None:
        self._conn = conn
        self._clock = clock

    def get(self, endpoint: str, sha256: str) -> str | None:
        """The file id this endpoint holds the file under, if it was uploaded."""
        row = self._conn.execute(
            "SELECT file_id FROM file_uploads WHERE endpoint = ? AND sha256 = ?",
            (endpoint, sha256),
        ).fetchone()
        return row[0] if row else None

    def put(self, endpoint: str, sha256: str, file_id: str) -> None:
        """Remember an upload, replacing one the API has lost."""
        with write_transaction(self._conn) as conn:
            conn.execute(
                "INSERT OR REPLACE INTO file_uploads (endpoint, sha256, file_id, uploaded_at)"
                " VALUES (?, ?, ?, ?)",
                (endpoint, sha256, file_id, self._clock()),
            )

    def forget(self, endpoint: str, file_ids: list[str]) -> None:
        """The API said these ids are gone: upload their files again next time."""
        with write_transaction(self._conn) as conn:
            conn.executemany(
                "DELETE FROM file_uploads WHERE endpoint = ? AND file_id = ?",
                [(endpoint, file_id) for file_id in file_ids],
            )
