"""The models list each endpoint last gave, so start-up and sends need not ask again."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from claude_tui.store._connection import write_transaction


@dataclass(frozen=True)
class ModelList:
    """The API's JSON entries for one endpoint and when they were fetched (epoch seconds)."""

    fetched_at: float
    entries: list[dict[str, Any]]


class ModelLists:
    """Reads and replaces one row per endpoint; a row that does not parse counts as absent."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def get(self, endpoint: str) -> ModelList | None:
        """The list last kept for ``endpoint``; None when there is none or it cannot be read."""
        try:
            row = self._conn.execute(
                "SELECT fetched_at, models FROM model_lists WHERE endpoint = ?", (endpoint,)
            ).fetchone()
            entries = json.loads(row[1]) if row is not None else None
        except (sqlite3.Error, ValueError):
            return None
        if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
            return None
        return ModelList(row[0], entries)

    def ids(self) -> list[str]:
        """Every model id kept for any endpoint, sorted, for shell completion."""
        try:
            rows = self._conn.execute("SELECT models FROM model_lists").fetchall()
            entries = [entry for (text,) in rows for entry in json.loads(text)]
        except (sqlite3.Error, ValueError, TypeError):
            return []
        return sorted(
            {e["id"] for e in entries if isinstance(e, dict) and isinstance(e.get("id"), str)}
        )

    def put(self, endpoint: str, models: ModelList) -> None:
        """Keep ``models`` as the list of ``endpoint``, replacing the one before."""
        with write_transaction(self._conn) as conn:
            conn.execute(
                "INSERT OR REPLACE INTO model_lists (endpoint, fetched_at, models)"
                " VALUES (?, ?, ?)",
                (endpoint, models.fetched_at, json.dumps(models.entries)),
            )
