"""The usage ledger and its tracker: append-only rows, exact sums, nothing lost or doubled."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from decimal import Decimal
from pathlib import Path

import pytest

from claude_tui.core.events import Usage
from claude_tui.core.pricing import Charge
from claude_tui.core.usage import UsageRecord
from claude_tui.errors import StoreError
from claude_tui.store import Ledger, Store, Tracker
from claude_tui.store.ledger import from_pico, to_pico
from tests.api_double import ApiDouble, Reply

USAGE = Usage(10, 20, 30, 40, 50)


def _record(
    key: str,
    *,
    day: str = "2026-11-24",
    session: str | None = "s1",
    model: str = "claude-sonnet-5-5",
    cost: str | None = "0.01",
    estimated: bool = False,
    usage: Usage = USAGE,
) -> UsageRecord:
    charge = Charge(Decimal(cost), Decimal("0.001")) if cost is not None else Charge(None, None)
    return UsageRecord(key, 0.0, day, session, 1, model, "req", usage, charge, estimated)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    """A fresh database with the ledger's schema."""
    return Store.open(tmp_path / "db.sqlite3")


def test_sums_are_exact_to_the_picodollar(store: Store) -> None:
    """A thousand tiny costs add up exactly; floats would drift."""
    for n in range(1000):
        store.ledger.append(_record(f"k{n}", cost="0.0000001"))
    totals = store.ledger.since()
    assert totals.calls == 1000 and totals.cost == Decimal("0.0001")
    assert totals.usage == Usage(10_000, 20_000, 30_000, 40_000, 50_000)


def test_session_day_and_month_totals_come_from_the_rows(store: Store) -> None:
    """Per-session per-model figures, today, this month and all time each add the right rows."""
    store.ledger.append(_record("a", day="2026-10-31"))
    store.ledger.append(_record("b", day="2026-11-01", session="s2"))
    store.ledger.append(_record("c", day="2026-11-24", model="claude-haiku-4-5", cost="0.5"))
    store.ledger.append(_record("d", day="2026-11-24"))
    assert store.ledger.since("2026-11-24").cost == Decimal("0.51")
    assert store.ledger.since("2026-11-01").calls == 3
    assert store.ledger.since().cost == Decimal("0.53")
    by_model = store.ledger.session_by_model("s1")
    assert list(by_model) == ["claude-sonnet-5-5", "claude-haiku-4-5"]
    assert by_model["claude-sonnet-5-5"].calls == 2


def test_unpriced_and_estimated_calls_are_counted_not_hidden(store: Store) -> None:
    """Totals exclude unknown costs but say how many calls they left out or estimated."""
    store.ledger.append(_record("a", cost=None, model="claude-mythos-preview"))
    store.ledger.append(_record("b", estimated=True))
    totals = store.ledger.since()
    assert totals.cost == Decimal("0.01") and totals.unpriced_calls == 1
    assert totals.estimated_calls == 1
    assert totals.usage.input_tokens == 20


def test_grouping_by_day_model_and_session(store: Store) -> None:
    """The cost command's three views group the same rows three ways."""
    store.ledger.append(_record("a", day="2026-11-23", session="s2", cost="0.2"))
    store.ledger.append(_record("b", day="2026-11-24", model="claude-haiku-4-5"))
    store.ledger.append(_record("c", day="2026-11-24"))
    assert [d for d, _ in store.ledger.grouped("day")] == ["2026-11-23", "2026-11-24"]
    assert next(m for m, _ in store.ledger.grouped("model")) == "claude-sonnet-5-5"
    assert [s for s, _ in store.ledger.grouped("session")] == ["s2", "s1"]
    assert [d for d, _ in store.ledger.grouped("day", since="2026-11-24")] == ["2026-11-24"]


def test_a_row_written_twice_counts_once(store: Store) -> None:
    """The unique key makes a retried write harmless."""
    assert store.ledger.append(_record("same"))
    assert not store.ledger.append(_record("same"))
    assert store.ledger.since().calls == 1


def test_the_ledger_is_append_only(tmp_path: Path, store: Store) -> None:
    """Rows can be neither changed nor deleted, even with plain SQL."""
    store.ledger.append(_record("a"))
    conn = sqlite3.connect(tmp_path / "db.sqlite3")
    for statement in ("UPDATE usage SET cost_pico = 0", "DELETE FROM usage"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute(statement)


def test_picodollars_round_trip() -> None:
    """Stored money converts back to the same Decimal; unknown stays unknown."""
    assert from_pico(to_pico(Decimal("0.0345005"))) == Decimal("0.0345005")
    assert to_pico(None) is None


def test_tracker_commits_promptly_and_another_reader_sees_it(tmp_path: Path, store: Store) -> None:
    """A recorded call is on disk as soon as flush returns, visible to other connections."""
    tracker = Tracker(tmp_path / "db.sqlite3")
    tracker.record(_record("a"))
    assert tracker.flush(timeout=5)
    assert Store.open(tmp_path / "db.sqlite3").ledger.since().calls == 1
    tracker.close()
    assert tracker.take_warning() is None


def test_tracker_keeps_a_row_it_could_not_write_and_retries(tmp_path: Path, store: Store) -> None:
    """A failing write (locked or full disk) is retried, not dropped; the problem is reported."""
    attempts: list[int] = []

    def flaky(path: Path) -> Ledger:
        attempts.append(1)
        if len(attempts) == 1:
            raise StoreError("database is locked")
        return Store.open(path).ledger

    tracker = Tracker(tmp_path / "db.sqlite3", open_ledger=flaky)
    tracker.record(_record("a"))
    assert tracker.flush(timeout=5)
    tracker.close()
    assert len(attempts) == 2 and store.ledger.since().calls == 1
    assert tracker.take_warning() is None  # the row is saved: nothing to warn about


def test_tracker_reports_rows_it_never_managed_to_write(tmp_path: Path) -> None:
    """At exit, rows that could not be saved are counted in a warning, not silently lost."""

    def broken(path: Path) -> Ledger:
        raise StoreError("disk full")

    tracker = Tracker(tmp_path / "db.sqlite3", open_ledger=broken)
    tracker.record(_record("a"))
    tracker.close(timeout=0.2)
    assert tracker.take_warning() == "1 usage record(s) not saved: disk full"


WRITER = textwrap.dedent(
    """
    import sys
    from decimal import Decimal
    from pathlib import Path
    from claude_tui.core.events import Usage
    from claude_tui.core.pricing import Charge
    from claude_tui.core.usage import UsageRecord
    from claude_tui.store import Tracker

    path, name = Path(sys.argv[1]), sys.argv[2]
    tracker = Tracker(path)
    for n in range(300):
        usage = Usage(1, 2, 3, 4, 5)
        charge = Charge(Decimal("0.000001"), Decimal(0))
        tracker.record(UsageRecord(f"{name}{n}", 0.0, "2026-11-24", name, n, "m", None, usage,
                                   charge))
    tracker.close(timeout=60)
    print(tracker.take_warning() or "ok")
    """
)


def test_two_processes_writing_at_once_lose_and_double_nothing(
    tmp_path: Path, store: Store
) -> None:
    """Two trackers in two processes on one database: every row lands exactly once."""
    path = str(tmp_path / "db.sqlite3")
    writers = [
        subprocess.Popen([sys.executable, "-c", WRITER, path, name], stdout=subprocess.PIPE)
        for name in ("left", "right")
    ]
    outputs = [writer.communicate(timeout=120)[0].decode().strip() for writer in writers]
    assert outputs == ["ok", "ok"]
    totals = store.ledger.since()
    assert totals.calls == 600 and totals.cost == Decimal("0.0006")
    assert totals.usage == Usage(600, 1200, 1800, 2400, 3000)
    assert store.ledger.session_by_model("left")["m"].calls == 300


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP])
def test_a_signal_mid_answer_saves_the_partial_and_flushes_the_ledger(
    app_env: dict[str, str], api: ApiDouble, home: Path, sig: signal.Signals
) -> None:
    """SIGTERM/SIGHUP during an answer: the partial answer and its estimated cost are on disk."""
    api.script(Reply(text="word " * 400, chunk=5, delay=0.01, input_tokens=321))
    child = subprocess.Popen(
        [sys.executable, "-m", "claude_tui", "ask", "talk"],
        env=app_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert child.stdout is not None
    assert child.stdout.read(50).startswith(b"word word")
    os.kill(child.pid, sig)
    _, err = child.communicate(timeout=30)
    assert child.returncode == 128 + sig and b"Traceback" not in err
    store = Store.open(home / "data" / "sessions.sqlite3")
    session = store.latest()
    assert session is not None
    answer = store.load(session.id).messages[1]
    assert answer.status == "interrupted" and answer.text.startswith("word word")
    (totals,) = store.ledger.session_by_model(session.id).values()
    assert totals.calls == 1 and totals.estimated_calls == 1
    assert totals.usage.input_tokens == 321 and totals.usage.output_tokens > 0
