"""Per-session rollups: cost by session read from kept sums that always match the ledger rows."""

from __future__ import annotations

import sqlite3
from decimal import Decimal
from pathlib import Path

from claude_tui.core.events import Usage
from claude_tui.core.pricing import Charge
from claude_tui.core.usage import Totals, UsageRecord
from claude_tui.store import Ledger, Store
from claude_tui.store._connection import connect
from claude_tui.store.ledger import to_pico

USAGE = Usage(10, 20, 30, 40, 50)


def _record(key: str, day: str, session: str | None, cost: str | None) -> UsageRecord:
    charge = Charge(Decimal(cost), Decimal("0.001")) if cost is not None else Charge(None, None)
    return UsageRecord(key, 0.0, day, session, 1, "claude-sonnet-5-5", None, USAGE, charge)


CALLS = [
    _record("a", "2026-11-01", "s1", "0.25"),
    _record("b", "2026-11-20", "s1", "0.5"),
    _record("c", "2026-11-20", "s2", "1"),
    _record("d", "2026-11-21", None, None),
]


def _by_session(ledger: Ledger, since: str | None = None) -> dict[str, tuple[int, Decimal, int]]:
    return {
        label: (totals.calls, totals.cost, totals.unpriced_calls)
        for label, totals in ledger.grouped("session", since)
    }


def _append_as_version_2(conn: sqlite3.Connection, record: UsageRecord) -> None:
    """What claude-tui at schema 2 wrote for a call: one ledger row, nothing else."""
    usage = record.usage
    conn.execute(
        "INSERT INTO usage (key, at, day, session_id, message_seq, model, request_id, kind, "
        "input_tokens, output_tokens, cache_write_5m, cache_write_1h, cache_read, cost_pico, "
        "saving_pico, estimated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            record.key, record.at, record.day, record.session_id, record.message_seq,
            record.model, record.request_id, record.kind, usage.input_tokens,
            usage.output_tokens, usage.cache_write_5m, usage.cache_write_1h, usage.cache_read,
            to_pico(record.charge.cost), to_pico(record.charge.cache_saving), 0,
        ),
    )  # fmt: skip


def test_an_older_ledger_is_rolled_up_when_it_migrates(tmp_path: Path) -> None:
    """Rows written before the session rollups existed are summed into them on upgrade."""
    path = tmp_path / "db.sqlite3"
    old = connect(path, upto=2)
    for record in CALLS[:3]:
        _append_as_version_2(old, record)
    old.close()
    ledger = Store.open(path).ledger
    ledger.append(CALLS[3])
    assert _by_session(ledger) == {
        "s2": (1, Decimal(1), 0),
        "s1": (2, Decimal("0.75"), 0),
        "-": (1, Decimal(0), 1),
    }


def test_since_and_all_time_read_the_same_rows(tmp_path: Path) -> None:
    """From a day on, only that day's calls count; all time equals the sum of the days."""
    ledger = Store.open(tmp_path / "db.sqlite3").ledger
    for record in CALLS:
        ledger.append(record)
    assert _by_session(ledger, "2026-11-20") == {
        "s2": (1, Decimal(1), 0),
        "s1": (1, Decimal("0.5"), 0),
        "-": (1, Decimal(0), 1),
    }
    assert _by_session(ledger) == _by_session(ledger, "2026-01-01")
    all_time = dict(ledger.grouped("session"))
    assert all_time["s1"] == Totals(
        2, Usage(20, 40, 60, 80, 100), Decimal("0.75"), Decimal("0.002")
    )


def test_limit_keeps_the_costliest_sessions(tmp_path: Path) -> None:
    """A limit returns the first sessions by cost, all time or from a day on."""
    ledger = Store.open(tmp_path / "db.sqlite3").ledger
    for record in CALLS:
        ledger.append(record)
    assert [label for label, _ in ledger.grouped("session", limit=1)] == ["s2"]
    assert [label for label, _ in ledger.grouped("session", "2026-11-01", 2)] == ["s2", "s1"]
