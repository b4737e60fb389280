"""The session database: private, migrated, concurrent, and honest about damage."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from claude_tui.core.conversation import Message
from claude_tui.errors import CorruptDatabaseError, NewerDatabaseError, NotFoundError, UsageError
from claude_tui.store import Store
from claude_tui.store._connection import connect
from claude_tui.store._schema import MIGRATIONS


def _user(text: str) -> Message:
    return Message("user", [{"type": "text", "text": text}])


def _answer(text: str, status: str = "complete") -> Message:
    return Message("assistant", [{"type": "text", "text": text}], status, "m", "end_turn")  # type: ignore[arg-type]


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """A database path inside a folder that does not exist yet."""
    return tmp_path / "data" / "claude-tui.sqlite3"


def test_files_are_private(db_path: Path) -> None:
    """The data folder is 0700 and the database file 0600."""
    Store.open(db_path).close()
    assert db_path.stat().st_mode & 0o777 == 0o600
    assert db_path.parent.stat().st_mode & 0o777 == 0o700


def test_messages_round_trip_with_thinking_and_status(db_path: Path) -> None:
    """Content blocks, thinking signatures and statuses come back exactly as saved."""
    store = Store.open(db_path)
    session = store.create_session("claude-sonnet-5-5", "be brief")
    thinking = {"type": "thinking", "thinking": "hmm", "signature": "c2ln"}
    answer = Message("assistant", [thinking, {"type": "text", "text": "hi"}], "interrupted")
    store.save_message(session.id, 0, _user("hello"))
    store.save_message(session.id, 1, answer)
    loaded = store.load(session.id)
    assert loaded.system == "be brief"
    assert loaded.messages == [_user("hello"), answer]


def test_saving_again_at_a_position_replaces_the_message(db_path: Path) -> None:
    """A partial answer saved while streaming is replaced by the finished one."""
    store = Store.open(db_path)
    session = store.create_session("m", None)
    store.save_message(session.id, 0, _user("q"))
    store.save_message(session.id, 1, _answer("par", "interrupted"))
    store.save_message(session.id, 1, _answer("partial and done"))
    assert [m.text for m in store.load(session.id).messages] == ["q", "partial and done"]
    assert store.sessions()[0].message_count == 2


def test_title_defaults_to_first_user_message_shortened(db_path: Path) -> None:
    """A session is titled by its first question, on one line and shortened."""
    store = Store.open(db_path)
    session = store.create_session("m", None)
    store.save_message(session.id, 0, _user("explain\nthe   borrow checker " + "very " * 30))
    title = store.resolve(session.id).title
    assert title.startswith("explain the borrow checker very") and title.endswith("…")
    assert len(title) <= 60


def test_resolve_by_prefix_title_and_ambiguity(db_path: Path) -> None:
    """Sessions resolve by unique id prefix or exact title; unknown or ambiguous refs fail."""
    store = Store.open(db_path)
    first = store.create_session("m", None, title="alpha")
    store.create_session("m", None, title="beta")
    assert store.resolve(first.id[:6]).id == first.id
    assert store.resolve("alpha").id == first.id
    with pytest.raises(NotFoundError):
        store.resolve("nothing-like-this")
    with pytest.raises(UsageError):
        store.resolve("")


def test_truncate_and_delete(db_path: Path) -> None:
    """Undo removes trailing messages; delete removes the session and its messages."""
    store = Store.open(db_path)
    session = store.create_session("m", None)
    for seq, message in enumerate([_user("a"), _answer("b"), _user("c"), _answer("d")]):
        store.save_message(session.id, seq, message)
    store.truncate(session.id, 2)
    assert [m.text for m in store.load(session.id).messages] == ["a", "b"]
    store.delete(session.id)
    assert store.sessions() == [] and store.search("a") == []


def test_search_finds_sessions_with_marked_snippets(db_path: Path) -> None:
    """Full-text search returns each matching session once, newest first, match marked."""
    ticks = iter(range(100))
    store = Store(connect(db_path), clock=lambda: float(next(ticks)))
    older = store.create_session("m", None)
    store.save_message(older.id, 0, _user("tell me about sqlite WAL mode"))
    store.save_message(older.id, 1, _answer("WAL lets readers and writers share"))
    newer = store.create_session("m", None)
    store.save_message(newer.id, 0, _user("is wal safe?"))
    hits = store.search("wal")
    assert [hit.session.id for hit in hits] == [newer.id, older.id]
    assert "\x02wal\x03" in hits[0].snippet.lower()


def test_search_treats_punctuation_as_text(db_path: Path) -> None:
    """A query with quotes or operators is searched literally, not parsed as FTS5 syntax."""
    store = Store.open(db_path)
    session = store.create_session("m", None)
    store.save_message(session.id, 0, _user('what does "AND" mean in C++?'))
    assert len(store.search('"AND" C++')) == 1


def test_search_matches_prefixes_and_exact_phrases(db_path: Path) -> None:
    """`Stream` and `sl*` find "Streaming slices"; a quoted phrase must appear as it is."""
    store = Store.open(db_path)
    session = store.create_session("m", None)
    store.save_message(session.id, 0, _user("Streaming slices of the answer"))
    for query in ("Stream", "sl*", "stream sli", '"streaming slices"'):
        assert len(store.search(query)) == 1, query
    assert store.search('"slices streaming"') == []


@pytest.mark.parametrize("query", ["", "   ", "*", '""'])
def test_an_empty_search_says_what_to_give(db_path: Path, query: str) -> None:
    """Nothing to search for is a usage error naming what works, not an FTS syntax error."""
    with pytest.raises(UsageError, match="nothing to search for"):
        Store.open(db_path).search(query)


def test_corrupt_file_is_reported_and_left_untouched(db_path: Path) -> None:
    """A file that is not a database gives one line with what to do, and is not modified."""
    db_path.parent.mkdir(parents=True)
    db_path.write_bytes(b"this is not sqlite" * 100)
    before = db_path.read_bytes()
    with pytest.raises(CorruptDatabaseError, match="move it aside"):
        Store.open(db_path)
    assert db_path.read_bytes() == before


def test_newer_schema_is_refused(db_path: Path) -> None:
    """A database from a newer claude-tui is refused rather than downgraded."""
    Store.open(db_path).close()
    conn = sqlite3.connect(db_path)
    conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    conn.close()
    with pytest.raises(NewerDatabaseError, match="newer claude-tui"):
        Store.open(db_path)


@pytest.mark.parametrize("start", range(len(MIGRATIONS)))
def test_migrations_run_from_every_earlier_version(db_path: Path, start: int) -> None:
    """A database at any earlier schema version migrates forward and works."""
    connect(db_path, upto=start).close()
    store = Store.open(db_path)
    session = store.create_session("m", None)
    store.save_message(session.id, 0, _user("after migration"))
    assert store.search("migration")[0].session.id == session.id
    version = sqlite3.connect(db_path).execute("PRAGMA user_version").fetchone()[0]
    assert version == len(MIGRATIONS)


def test_two_writers_at_once_lose_nothing(db_path: Path) -> None:
    """Two connections writing concurrently both keep every message, with no lock errors."""
    Store.open(db_path).close()

    def write(label: str) -> None:
        store = Store.open(db_path)
        session = store.create_session("m", None)
        for seq in range(100):
            store.save_message(session.id, seq, _user(f"{label} {seq}"))
        store.close()

    threads = [threading.Thread(target=write, args=(name,)) for name in ("left", "right")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    store = Store.open(db_path)
    assert sorted(s.message_count for s in store.sessions()) == [100, 100]
