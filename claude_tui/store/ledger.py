"""The usage ledger: one appended row per API call, and totals read back with SQL.

Rows are never changed or deleted (triggers forbid it), so the money shown is
always the sum of what was recorded when each call ended. Today, this month and
all-time totals read the per-day rollup the schema keeps, costs per session the
per-session rollups; one session's figures read its own rows through an index.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Sequence
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any, Literal

from claude_tui.core.events import Usage
from claude_tui.core.pricing import Charge
from claude_tui.core.usage import Totals, UsageRecord
from claude_tui.errors import StoreError
from claude_tui.store._connection import write_transaction

PICO = Decimal(10) ** 12
Grouping = Literal["day", "model", "session"]

_SUMS = """count(*), sum(input_tokens), sum(output_tokens), sum(cache_write_5m),
    sum(cache_write_1h), sum(cache_read), sum(coalesce(cost_pico, 0)),
    sum(coalesce(saving_pico, 0)), sum(cost_pico IS NULL), sum(estimated),
    sum(web_search_requests), sum(web_fetch_requests)"""
_ROLLUP_SUMS = """sum(calls), sum(input_tokens), sum(output_tokens), sum(cache_write_5m),
    sum(cache_write_1h), sum(cache_read), sum(cost_pico), sum(saving_pico),
    sum(unpriced_calls), sum(estimated_calls), sum(web_search_requests),
    sum(web_fetch_requests)"""
_ROLLUP_COLUMNS = """calls, input_tokens, output_tokens, cache_write_5m, cache_write_1h,
    cache_read, cost_pico, saving_pico, unpriced_calls, estimated_calls, web_search_requests,
    web_fetch_requests"""
# The session rollups keep calls outside any session under ''; totals label them '-'.
_SESSION = "coalesce(nullif(session_id, ''), '-')"


def to_pico(amount: Decimal | None) -> int | None:
    """Whole picodollars, the ledger's unit; None stays None (no known price)."""
    if amount is None:
        return None
    return int((amount * PICO).to_integral_value(rounding=ROUND_HALF_EVEN))


def from_pico(amount: int) -> Decimal:
    """Back to dollars, exactly."""
    return Decimal(amount) / PICO


def _totals(row: Iterable[int | None]) -> Totals:
    calls, i, o, w5, w1, r, cost, saving, unpriced, estimated, s, f = (v or 0 for v in row)
    usage = Usage(i, o, w5, w1, r, s, f)
    return Totals(calls, usage, from_pico(cost), from_pico(saving), unpriced, estimated)


class Ledger:
    """Append and sum usage rows on one connection (the tracker owns its own)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def _read(self, query: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        """Run a summary query; a locked or damaged database is one clear error."""
        try:
            return self._conn.execute(query, params).fetchall()
        except sqlite3.Error as exc:
            raise StoreError(f"cannot read the usage ledger: {exc}") from None

    def append(self, record: UsageRecord) -> bool:
        """Write one call; False if a row with the same key is already there."""
        usage, charge = record.usage, record.charge
        try:
            return self._insert(record, usage, charge)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot record usage: {exc}") from None

    def begin(self, record: UsageRecord, pid: int, process: str) -> None:
        """Note a call that has started: billed, though its row comes when it ends."""
        usage = record.usage
        try:
            with write_transaction(self._conn) as conn:
                conn.execute(
                    """INSERT OR IGNORE INTO usage_in_flight (key, pid, process, at, day,
                         session_id, message_seq, model, request_id, kind, input_tokens,
                         output_tokens, cache_write_5m, cache_write_1h, cache_read)
                       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                    (
                        record.key, pid, process, record.at, record.day, record.session_id,
                        record.message_seq, record.model, record.request_id, record.kind,
                        usage.input_tokens, usage.output_tokens, usage.cache_write_5m,
                        usage.cache_write_1h, usage.cache_read,
                    ),
                )  # fmt: skip
        except sqlite3.Error as exc:
            raise StoreError(f"cannot record usage: {exc}") from None

    def orphans(self, alive: Callable[[int, str, float], bool]) -> list[tuple[UsageRecord, str]]:
        """Calls in flight whose process is gone, each with the answer text saved for it.

        ``alive(pid, process, at)`` says whether the process that noted one still runs.
        """
        rows = self._read(
            """SELECT f.key, f.at, f.day, f.session_id, f.message_seq, f.model, f.request_id,
                      f.input_tokens, f.output_tokens, f.cache_write_5m, f.cache_write_1h,
                      f.cache_read, f.kind, f.pid, f.process, coalesce(m.text, '')
               FROM usage_in_flight f LEFT JOIN messages m
                 ON m.session_id = f.session_id AND m.seq = f.message_seq
                 AND m.branch = (SELECT active_branch FROM sessions WHERE id = f.session_id)"""
        )
        found = []
        for *head, i, o, w5, w1, r, kind, pid, process, text in rows:
            if not alive(pid, process, head[1]):
                usage = Usage(i, o, w5, w1, r)
                record = UsageRecord(*head, usage, Charge(None, None), True, kind)  # type: ignore[arg-type]
                found.append((record, text))
        return found

    def _insert(self, record: UsageRecord, usage: Usage, charge: Charge) -> bool:
        with write_transaction(self._conn) as conn:
            conn.execute("DELETE FROM usage_in_flight WHERE key = ?", (record.key,))
            cursor = conn.execute(
                """INSERT OR IGNORE INTO usage (key, at, day, session_id, message_seq, model,
                     request_id, kind, input_tokens, output_tokens, cache_write_5m,
                     cache_write_1h, cache_read, cost_pico, saving_pico, estimated,
                     web_search_requests, web_fetch_requests)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                (
                    record.key, record.at, record.day, record.session_id, record.message_seq,
                    record.model, record.request_id, record.kind, usage.input_tokens,
                    usage.output_tokens, usage.cache_write_5m, usage.cache_write_1h,
                    usage.cache_read, to_pico(charge.cost), to_pico(charge.cache_saving),
                    int(record.estimated), usage.web_search_requests, usage.web_fetch_requests,
                ),
            )  # fmt: skip
        return cursor.rowcount == 1

    def session_by_message(self, session_id: str) -> dict[int, Totals]:
        """One session's calls summed per answer (its position), for per-turn costs."""
        rows = self._read(
            f"SELECT message_seq, {_SUMS} FROM usage WHERE session_id = ? "
            "AND message_seq IS NOT NULL GROUP BY message_seq",
            (session_id,),
        )
        return {row[0]: _totals(row[1:]) for row in rows}

    def session_by_model(self, session_id: str) -> dict[str, Totals]:
        """One session's calls summed per model, the model used most first."""
        rows = self._read(
            f"SELECT model, {_SUMS} FROM usage WHERE session_id = ? "
            "GROUP BY model ORDER BY count(*) DESC, model",
            (session_id,),
        )
        return {row[0]: _totals(row[1:]) for row in rows}

    def since(self, day: str | None = None) -> Totals:
        """Every call from ``day`` (YYYY-MM-DD, local) on; all time when None."""
        (row,) = self._read(f"SELECT {_ROLLUP_SUMS} FROM usage_daily WHERE day >= ?", (day or "",))
        return _totals(row)

    def session_totals(self, session_ids: list[str]) -> dict[str, Totals]:
        """All-time totals of the given sessions (those with any calls), for session lists."""
        marks = ", ".join("?" * len(session_ids))
        rows = self._read(
            f"SELECT session_id, {_ROLLUP_COLUMNS} FROM usage_sessions "
            f"WHERE session_id IN ({marks})",
            session_ids,
        )
        return {row[0]: _totals(row[1:]) for row in rows}

    def grouped(
        self, by: Grouping, since: str | None = None, limit: int | None = None
    ) -> list[tuple[str, Totals]]:
        """Totals per day (oldest first), per model or per session (costliest first).

        ``limit`` keeps the first rows only: there may be tens of thousands of sessions.
        """
        query, params = _grouped_query(by, since)
        rows = self._read(f"{query} LIMIT ?", (*params, -1 if limit is None else limit))
        return [(row[0], _totals(row[1:])) for row in rows]


def _grouped_query(by: Grouping, since: str | None) -> tuple[str, tuple[str, ...]]:
    """The rollup that answers a grouping; all-time spend per session is read in index order."""
    if by == "session" and since is None:
        return (
            f"SELECT {_SESSION}, {_ROLLUP_COLUMNS} FROM usage_sessions "
            "ORDER BY cost_pico DESC, session_id",
            (),
        )
    if by == "session":
        return (
            f"SELECT {_SESSION}, {_ROLLUP_SUMS} FROM usage_session_daily WHERE day >= ? "
            "GROUP BY session_id ORDER BY sum(cost_pico) DESC, session_id",
            (since,),
        )
    order = "day" if by == "day" else f"sum(cost_pico) DESC, {by}"
    return (
        f"SELECT {by}, {_ROLLUP_SUMS} FROM usage_daily WHERE day >= ? "
        f"GROUP BY {by} ORDER BY {order}",
        (since or "",),
    )
