"""Session store figures: resume 10k messages, list 10k sessions, search 100k messages.

Generates its own database in a temporary folder, then prints the median of
several runs for each operation next to a baseline measured in the same run
(these machines are noisy, so the ratio is the figure to trust). Baselines:
resume, the bare SQL fetch of the same rows (a floor, not a rival); list,
counting messages with a join instead of the kept count; search, LIKE '%word%'
instead of the FTS5 index.

    python benchmarks/bench_store.py
"""

from __future__ import annotations

import json
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from claude_tui.store import Store
from claude_tui.store._connection import connect

SESSIONS = 10_000
MESSAGES = 100_000
BIG_SESSION = 10_000
WORDS = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india"]
GOAL_MS = 150.0


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


def median_ms(action: Callable[[], object], runs: int = 7) -> float:
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings)


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.sqlite3"
        started = time.perf_counter()
        big = build(path)
        print(
            f"built {SESSIONS:,} sessions / {MESSAGES:,} messages in "
            f"{time.perf_counter() - started:.1f} s"
        )
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
        print(f"{'operation':<24}{'ours ms':>10}{'base ms':>10}{'ratio':>8}  goal <{GOAL_MS:g} ms")
        for name, ours, naive in figures:
            mine, base = median_ms(ours), median_ms(naive)
            verdict = "yes" if mine < GOAL_MS else "NO"
            print(f"{name:<24}{mine:>10.1f}{base:>10.1f}{base / mine:>8.2f}  {verdict}")


if __name__ == "__main__":
    main()
