"""Session store figures: resume 10k messages, list 10k sessions, search 100k messages.

Generates its own database in a temporary folder and measures each operation
(median of several runs) next to a baseline run alternately with it. Baselines:
resume, the bare SQL fetch of the same rows (a floor, not a rival); list,
counting messages with a join instead of the kept count; search, LIKE '%word%'
instead of the FTS5 index. Run through ``python -m benchmarks``.
"""

from __future__ import annotations

import json
import random
import sqlite3
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from benchmarks.figures import Figure, timed_figure
from claude_tui.store import Store
from claude_tui.store._connection import connect

WORDS = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india"]
GOAL_S = 0.150
RUNS = 7
Operation = tuple[str, Callable[[], object], Callable[[], object]]


@dataclass(frozen=True)
class Sizes:
    """How much data to generate; --quick uses a tenth."""

    sessions: int
    messages: int
    big_session: int


FULL = Sizes(sessions=10_000, messages=100_000, big_session=10_000)
QUICK = Sizes(sessions=1_000, messages=10_000, big_session=1_000)


def build(path: Path, sizes: Sizes) -> str:
    """Fill the database: one big session, the other messages spread over the rest."""
    conn = connect(path)
    rng = random.Random(7)
    conn.execute("BEGIN")
    ids = [f"{n:012x}" for n in range(sizes.sessions)]
    conn.executemany(
        "INSERT INTO sessions (id, title, model, system, created_at, updated_at, message_count)"
        " VALUES (?, ?, 'claude-sonnet-5-5', NULL, ?, ?, 0)",
        [(sid, f"session {n}", n, n) for n, sid in enumerate(ids)],
    )
    owners = [ids[0]] * sizes.big_session + [
        rng.choice(ids[1:]) for _ in range(sizes.messages - sizes.big_session)
    ]
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


def figures(quick: bool = False) -> list[Figure]:
    """Resume, list and search against their baselines, on a database built here."""
    sizes = QUICK if quick else FULL
    return measure(
        lambda path: build(path, sizes),
        lambda store, raw, big: _operations(store, raw, big, sizes),
        quick,
    )


def measure(
    build_data: Callable[[Path], str],
    operations: Callable[[Store, sqlite3.Connection, str], list[Operation]],
    quick: bool,
) -> list[Figure]:
    """Build a database in a temporary folder, then time each operation beside its baseline.

    ``build_data`` returns what the operations need (a session id); ``raw`` is a plain
    connection for the baselines' SQL.
    """
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.sqlite3"
        built = build_data(path)
        store = Store.open(path)
        raw = connect(path)
        try:
            return [
                timed_figure(4, name, ours, baseline, 3 if quick else RUNS, GOAL_S)
                for name, ours, baseline in operations(store, raw, built)
            ]
        finally:
            raw.close()
            store.close()


def _operations(store: Store, raw: sqlite3.Connection, big: str, sizes: Sizes) -> list[Operation]:
    return [
        (
            f"resume a {sizes.big_session:,}-message session",
            lambda: store.load(big),
            lambda: [
                json.loads(r[0])
                for r in raw.execute(
                    "SELECT content FROM messages WHERE session_id = ? ORDER BY seq", (big,)
                )
            ],
        ),
        (
            f"list sessions over {sizes.sessions:,}",
            lambda: store.sessions(20),
            lambda: raw.execute(
                "SELECT s.id, count(m.id) FROM sessions s LEFT JOIN messages m "
                "ON m.session_id = s.id GROUP BY s.id ORDER BY s.updated_at DESC LIMIT 20"
            ).fetchall(),
        ),
        (
            f"search {sizes.messages:,} messages",
            lambda: store.search("zebra"),
            lambda: raw.execute(
                "SELECT DISTINCT session_id FROM messages WHERE text LIKE '%zebra%'"
            ).fetchall(),
        ),
    ]
