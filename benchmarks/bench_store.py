"""Store figures: resume 10k messages, list 10k sessions, search 100k messages, and
the cost figures over a 1,000,000-row usage ledger.

Generates its own databases in a temporary folder, then prints the median of
several runs for each operation next to a baseline measured in the same run
(these machines are noisy, so the ratio is the figure to trust). Baselines:
resume, the bare SQL fetch of the same rows (a floor, not a rival); list,
counting messages with a join instead of the kept count; search, LIKE '%word%'
instead of the FTS5 index; the cost figures, the same sums read from the
ledger's rows instead of its rollups.

    python benchmarks/bench_store.py
"""

from __future__ import annotations

import json
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from claude_tui.store import Store
from claude_tui.store._connection import connect

SESSIONS = 10_000
MESSAGES = 100_000
BIG_SESSION = 10_000
WORDS = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india"]
GOAL_MS = 150.0
LEDGER_ROWS = 1_000_000
CALLS_PER_SESSION = 50
LEDGER_DAYS = 365
# The last has no known price, so the unpriced path is timed too.
LEDGER_MODELS = [
    "claude-sonnet-5-5",
    "claude-opus-5-5",
    "claude-haiku-4-5",
    "claude-mythos-preview",
]
SHOWN_SESSIONS = 20
Figure = tuple[str, Callable[[], object], Callable[[], object]]


def build(path: Path) -> str:
    """Fill the database: one 10k-message session, the rest spread over 9,999 more."""
    conn = connect(path)
    rng = random.Random(7)
    conn.execute("BEGIN")
    ids = [f"{n:012x}" for n in range(SESSIONS)]
    conn.executemany(
        "INSERT INTO sessions VALUES (?, ?, 'claude-sonnet-5-5', NULL, ?, ?, 0)",
        [(sid, f"session {n}", n, n) for n, sid in enumerate(ids)],
    )
    owners = [ids[0]] * BIG_SESSION + [rng.choice(ids[1:]) for _ in range(MESSAGES - BIG_SESSION)]
    seqs: dict[str, int] = {}
    rows = []
    for owner in owners:
        seq = seqs.get(owner, 0)
        seqs[owner] = seq + 1
        text = " ".join(rng.choice(WORDS) for _ in range(30)) + (" zebra" if seq == 5 else "")
        content = json.dumps([{"type": "text", "text": text}])
        role = "user" if seq % 2 == 0 else "assistant"
        rows.append((owner, seq, role, content, text, "complete", None, None, 0.0))
    conn.executemany(
        "INSERT INTO messages (session_id, seq, role, content, text, status, model,"
        " stop_reason, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    conn.executemany(
        "UPDATE sessions SET message_count = ? WHERE id = ?",
        [(count, sid) for sid, count in seqs.items()],
    )
    conn.execute("COMMIT")
    conn.close()
    return ids[0]


def build_ledger(path: Path, rows: int = LEDGER_ROWS, today: date | None = None) -> str:
    """Fill a ledger: sessions of 50 calls spread over the year up to today; returns the last.

    The rows go in at schema version 2, so only the per-day rollup's trigger runs
    per row; the migrations after it then fill their rollups in one pass each, as
    they would for a person upgrading claude-tui.
    """
    today = today or date.today()
    days = [(today - timedelta(days=n)).isoformat() for n in range(LEDGER_DAYS - 1, -1, -1)]
    sessions = rows // CALLS_PER_SESSION
    conn = connect(path, upto=2)
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO sessions VALUES (?, ?, ?, NULL, 0, 0, 0)",
        [
            (f"{n:012x}", f"session {n}", LEDGER_MODELS[n % len(LEDGER_MODELS)])
            for n in range(0, sessions, 2)
        ],
    )
    conn.executemany(
        """INSERT INTO usage (key, at, day, session_id, message_seq, model, request_id, kind,
             input_tokens, output_tokens, cache_write_5m, cache_write_1h, cache_read,
             cost_pico, saving_pico, estimated)
           VALUES (?, 0, ?, ?, ?, ?, NULL, 'chat', ?, ?, ?, 0, ?, ?, ?, ?)""",
        (_ledger_row(n, days, sessions) for n in range(rows)),
    )
    conn.execute("COMMIT")
    conn.close()
    connect(path).close()
    return f"{sessions - 1:012x}"


def _ledger_row(n: int, days: list[str], sessions: int) -> tuple[object, ...]:
    """Call ``n``: every other session was deleted since, one call in a hundred was cut off."""
    session = n // CALLS_PER_SESSION
    model = LEDGER_MODELS[session % len(LEDGER_MODELS)]
    cost = None if model == "claude-mythos-preview" else 1_000_000 + n % 997
    return (
        f"{n:x}", days[session * len(days) // sessions], f"{session:012x}",
        n % CALLS_PER_SESSION, model, 100 + n % 50, 400, 2000 * (n % 10 == 0), 30_000,
        cost, cost and cost // 3, int(n % 100 == 0),
    )  # fmt: skip


def ledger_figures(path: Path, session: str, today: date | None = None) -> list[Figure]:
    """What /cost and `claude-tui cost` read, each beside the same sums over the raw rows."""
    today = today or date.today()
    ledger = Store.open(path).ledger
    raw = connect(path)
    sums = (
        "count(*), sum(input_tokens), sum(output_tokens), sum(cache_write_5m), "
        "sum(cache_write_1h), sum(cache_read), sum(cost_pico), sum(saving_pico)"
    )
    days = [today.isoformat(), today.replace(day=1).isoformat(), ""]

    def cost_command() -> None:
        ledger.session_by_model(session)
        for day in days:
            ledger.since(day)

    def cost_command_raw() -> None:
        ledger.session_by_model(session)
        for day in days:
            raw.execute(f"SELECT {sums} FROM usage WHERE day >= ?", (day,)).fetchone()

    def raw_grouped(column: str, since: str = "", limit: int = -1) -> Callable[[], object]:
        query = (
            f"SELECT {column}, {sums} FROM usage WHERE day >= ? "
            f"GROUP BY {column} ORDER BY 8 DESC LIMIT ?"
        )
        return lambda: raw.execute(query, (since, limit)).fetchall()

    month = (today - timedelta(days=29)).isoformat()
    return [
        ("/cost, 1M ledger rows", cost_command, cost_command_raw),
        ("cost --by day", lambda: ledger.grouped("day"), raw_grouped("day")),
        ("cost --by model", lambda: ledger.grouped("model"), raw_grouped("model")),
        (
            "cost --by session",
            lambda: ledger.grouped("session", limit=SHOWN_SESSIONS),
            raw_grouped("session_id", limit=SHOWN_SESSIONS),
        ),
        (
            "cost --by session 30d",
            lambda: ledger.grouped("session", month, SHOWN_SESSIONS),
            raw_grouped("session_id", month, SHOWN_SESSIONS),
        ),
    ]


def median_ms(action: Callable[[], object], runs: int = 7) -> float:
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings)


def timed_build(what: str, build_data: Callable[[], str]) -> str:
    """Build a data set and say how long it took; returns what the build returns."""
    started = time.perf_counter()
    result = build_data()
    print(f"built {what} in {time.perf_counter() - started:.1f} s")
    return result


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.sqlite3"
        big = timed_build(f"{SESSIONS:,} sessions / {MESSAGES:,} messages", lambda: build(path))
        store = Store.open(path)
        raw = connect(path)
        figures = [
            (
                "resume 10k messages",
                lambda: store.load(big),
                lambda: [
                    json.loads(r[0])
                    for r in raw.execute(
                        "SELECT content FROM messages WHERE session_id = ? ORDER BY seq", (big,)
                    )
                ],
            ),
            (
                "list 10k sessions",
                lambda: store.sessions(20),
                lambda: raw.execute(
                    "SELECT s.id, count(m.id) FROM sessions s LEFT JOIN messages m "
                    "ON m.session_id = s.id GROUP BY s.id ORDER BY s.updated_at DESC LIMIT 20"
                ).fetchall(),
            ),
            (
                "search 100k messages",
                lambda: store.search("zebra"),
                lambda: raw.execute(
                    "SELECT DISTINCT session_id FROM messages WHERE text LIKE '%zebra%'"
                ).fetchall(),
            ),
        ]
        ledger_path = Path(folder) / "ledger.sqlite3"
        session = timed_build(
            f"a {LEDGER_ROWS:,}-row usage ledger ({LEDGER_ROWS // CALLS_PER_SESSION:,} sessions)",
            lambda: build_ledger(ledger_path),
        )
        figures += ledger_figures(ledger_path, session)
        print(f"{'operation':<24}{'ours ms':>10}{'base ms':>10}{'ratio':>8}  goal <{GOAL_MS:g} ms")
        for name, ours, naive in figures:
            mine, base = median_ms(ours), median_ms(naive)
            verdict = "yes" if mine < GOAL_MS else "NO"
            print(f"{name:<24}{mine:>10.1f}{base:>10.1f}{base / mine:>8.2f}  {verdict}")


if __name__ == "__main__":
    main()
