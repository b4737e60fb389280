"""Goal 4's money figures: /cost and `claude-tui cost` over a 1,000,000-row usage ledger.

The ledger is built in a temporary database: sessions of 50 calls spread over a
year, every other session since deleted, one call in a hundred cut short and one
model in four unpriced, so every path of the summaries is timed. Each figure
sits beside the same sums read straight from the ledger's rows instead of its
rollups, measured alternately in the same run.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from benchmarks.bench_store import Operation, measure
from benchmarks.figures import Figure
from claude_tui.store import Ledger
from claude_tui.store._connection import connect

ROWS, QUICK_ROWS = 1_000_000, 50_000
CALLS_PER_SESSION = 50
DAYS = 365
SHOWN_SESSIONS = 20
# The last has no known price, so the unpriced path is timed too.
MODELS = ["claude-sonnet-5-5", "claude-opus-5-5", "claude-haiku-4-5", "claude-mythos-preview"]
SUMS = (
    "count(*), sum(input_tokens), sum(output_tokens), sum(cache_write_5m), "
    "sum(cache_write_1h), sum(cache_read), sum(cost_pico), sum(saving_pico)"
)


def figures(quick: bool = False) -> list[Figure]:
    """What /cost and `claude-tui cost` read, each against its raw-rows baseline."""
    rows = QUICK_ROWS if quick else ROWS
    return measure(
        lambda path: build_ledger(path, rows),
        lambda store, raw, session: _operations(store.ledger, raw, session, rows),
        quick,
    )


def build_ledger(path: Path, rows: int, today: date | None = None) -> str:
    """Fill a ledger ending today; returns the newest session's id.

    The rows go in at schema version 2, so only the per-day rollup's trigger runs
    per row; the later migrations then fill their rollups in one pass each, as
    they would for a person upgrading claude-tui.
    """
    today = today or date.today()
    days = [(today - timedelta(days=n)).isoformat() for n in range(DAYS - 1, -1, -1)]
    sessions = rows // CALLS_PER_SESSION
    conn = connect(path, upto=2)
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO sessions VALUES (?, ?, ?, NULL, 0, 0, 0)",
        [(f"{n:012x}", f"session {n}", MODELS[n % len(MODELS)]) for n in range(0, sessions, 2)],
    )
    conn.executemany(
        """INSERT INTO usage (key, at, day, session_id, message_seq, model, request_id, kind,
             input_tokens, output_tokens, cache_write_5m, cache_write_1h, cache_read,
             cost_pico, saving_pico, estimated)
           VALUES (?, 0, ?, ?, ?, ?, NULL, 'chat', ?, ?, ?, 0, ?, ?, ?, ?)""",
        (_row(n, days, sessions) for n in range(rows)),
    )
    conn.execute("COMMIT")
    conn.close()
    connect(path).close()
    return f"{sessions - 1:012x}"


def _row(n: int, days: list[str], sessions: int) -> tuple[object, ...]:
    session = n // CALLS_PER_SESSION
    model = MODELS[session % len(MODELS)]
    cost = None if model == "claude-mythos-preview" else 1_000_000 + n % 997
    return (
        f"{n:x}", days[session * len(days) // sessions], f"{session:012x}",
        n % CALLS_PER_SESSION, model, 100 + n % 50, 400, 2000 * (n % 10 == 0), 30_000,
        cost, cost and cost // 3, int(n % 100 == 0),
    )  # fmt: skip


def _operations(
    ledger: Ledger, raw: sqlite3.Connection, session: str, rows: int
) -> list[Operation]:
    today = date.today()
    days = [today.isoformat(), today.replace(day=1).isoformat(), ""]
    month = (today - timedelta(days=29)).isoformat()

    def cost_command() -> None:
        ledger.session_by_model(session)
        for day in days:
            ledger.since(day)

    def cost_command_raw() -> None:
        ledger.session_by_model(session)
        for day in days:
            raw.execute(f"SELECT {SUMS} FROM usage WHERE day >= ?", (day,)).fetchone()

    def raw_grouped(column: str, since: str = "", limit: int = -1) -> Callable[[], object]:
        query = (
            f"SELECT {column}, {SUMS} FROM usage WHERE day >= ? "
            f"GROUP BY {column} ORDER BY 8 DESC LIMIT ?"
        )
        return lambda: raw.execute(query, (since, limit)).fetchall()

    return [
        (f"/cost over {rows:,} ledger rows", cost_command, cost_command_raw),
        ("cost --by day", lambda: ledger.grouped("day"), raw_grouped("day")),
        ("cost --by model", lambda: ledger.grouped("model"), raw_grouped("model")),
        (
            "cost --by session",
            lambda: ledger.grouped("session", limit=SHOWN_SESSIONS),
            raw_grouped("session_id", limit=SHOWN_SESSIONS),
        ),
        (
            "cost --by session --since 30d",
            lambda: ledger.grouped("session", month, SHOWN_SESSIONS),
            raw_grouped("session_id", month, SHOWN_SESSIONS),
        ),
    ]
