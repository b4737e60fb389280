"""Writes that failed are made before the conversation is left, or kept in a recovery file."""

from __future__ import annotations

import json
import threading
from decimal import Decimal
from pathlib import Path

import pytest

from claude_tui.api import ApiClient
from claude_tui.app import Chat, ChatSettings
from claude_tui.app.recorder import SessionRecorder
from claude_tui.core.conversation import Conversation, Message
from claude_tui.core.events import Usage
from claude_tui.core.export import from_json, to_json
from claude_tui.core.pricing import Charge
from claude_tui.core.usage import UsageRecord
from claude_tui.errors import StoreError
from claude_tui.store import Ledger, Store, Tracker
from claude_tui.store._connection import connect
from tests.api_double import ApiDouble
from tests.test_cli import _run


class FailingStore(Store):
    """A real store whose message writes fail while ``failing`` is set: a full disk."""

    failing = False

    def save_message(self, session_id: str, seq: int, message: Message, branch: int = 0) -> None:
        if self.failing:
            raise StoreError("cannot write the session database: database or disk is full")
        super().save_message(session_id, seq, message, branch)


def _chat(api: ApiDouble, path: Path) -> tuple[Chat, FailingStore]:
    client = ApiClient(
        api_key=api.api_key, key_env="K", base_url=api.base_url, timeout=5, max_retries=0
    )
    store = FailingStore(connect(path), path=path)
    return Chat(
        client, ChatSettings("claude-sonnet-5-5", 100), recorder=SessionRecorder(store)
    ), store


def _texts(path: Path) -> list[str]:
    store = Store.open(path)
    session = store.latest()
    return [] if session is None else [m.text for m in store.load(session.id).messages]


def test_clear_first_writes_what_a_failure_left_owed(api: ApiDouble, tmp_path: Path) -> None:
    """A turn saved while the disk was full is written by /clear once the disk has room."""
    path = tmp_path / "data" / "sessions.sqlite3"
    chat, store = _chat(api, path)
    list(chat.send("first"))
    store.failing = True
    list(chat.send("second"))
    store.failing = False
    chat.clear()
    assert _texts(path) == ["first", "You said: first", "second", "You said: second"]
    assert chat.take_notices() == []


def test_writes_that_still_fail_go_to_a_file_that_import_loads(
    api: ApiDouble, app_env: dict[str, str], home: Path
) -> None:
    """Still failing at /clear: one notice names a recovery file; importing it loses nothing."""
    path = home / "data" / "sessions.sqlite3"
    chat, store = _chat(api, path)
    list(chat.send("first"))
    store.failing = True
    list(chat.send("second"))
    chat.clear()
    (notice,) = chat.take_notices()
    assert "database or disk is full" in notice and "claude-tui sessions import" in notice
    (recovery,) = (home / "data" / "recovered").iterdir()
    assert recovery.stat().st_mode & 0o777 == 0o600
    assert _texts(path) == ["first", "You said: first"]
    done = _run(app_env, "sessions", "import", str(recovery))
    assert done.returncode == 0, done.stderr
    assert "extended (4 messages)" in done.stdout
    assert _texts(path) == ["first", "You said: first", "second", "You said: second"]
    again = _run(app_env, "sessions", "import", str(recovery))
    assert "unchanged" in again.stdout


def test_an_export_imports_into_a_fresh_home_and_never_overwrites(
    api: ApiDouble, app_env: dict[str, str], home: Path, tmp_path: Path
) -> None:
    """export -o x.json writes JSON; import creates it elsewhere, and a clash becomes a copy."""
    chat, _ = _chat(api, home / "data" / "sessions.sqlite3")
    list(chat.send("keep me"))
    target = tmp_path / "x.json"
    session_id = chat.recorder.session_id if chat.recorder else None
    assert session_id is not None
    assert _run(app_env, "sessions", "export", session_id, "-o", str(target)).returncode == 0
    document = json.loads(target.read_text())
    assert document["format"] == "claude-tui-session"
    other = {**app_env, "CLAUDE_TUI_HOME": str(tmp_path / "other")}
    assert "created (2 messages)" in _run(other, "sessions", "import", str(target)).stdout
    document["messages"][1]["content"][0]["text"] = "changed"
    target.write_text(json.dumps(document))
    assert "copied (2 messages)" in _run(other, "sessions", "import", str(target)).stdout


@pytest.mark.parametrize("content", ["{}", "not json", '{"format": "claude-tui-session"}'])
def test_importing_something_else_is_one_line(
    content: str, app_env: dict[str, str], tmp_path: Path
) -> None:
    """A file that is not a session export is refused in one line, no traceback."""
    target = tmp_path / "bad.json"
    target.write_text(content)
    done = _run(app_env, "sessions", "import", str(target))
    assert done.returncode != 0
    assert (
        done.stderr.startswith("claude-tui: error: cannot import") and done.stderr.count("\n") == 1
    )


def test_importing_a_device_is_refused(app_env: dict[str, str]) -> None:
    """/dev/zero would never end: it is refused before anything is read."""
    done = _run(app_env, "sessions", "import", "/dev/zero")
    assert done.returncode != 0 and "not a regular file" in done.stderr


def _row(key: str) -> UsageRecord:
    charge = Charge(Decimal("0.001"), Decimal(0))
    return UsageRecord(key, 0.0, "2026-12-02", None, None, "m", None, Usage(1, 2), charge)


def test_tracker_survives_an_unexpected_error(tmp_path: Path) -> None:
    """A bug-like error while writing keeps the row queued; the next try writes it."""
    path = tmp_path / "db.sqlite3"
    Store.open(path).close()
    attempts = []

    def flaky(p: Path) -> Ledger:
        attempts.append(p)
        if len(attempts) == 1:
            raise RuntimeError("surprise")
        return Ledger(connect(p))

    tracker = Tracker(path, open_ledger=flaky)
    tracker.record(_row("a"))
    assert tracker.flush(30)
    tracker.close()
    assert Store.open(path).ledger.since().calls == 1


class _Fatal(BaseException):
    """Something no handler should swallow, to kill the tracker's thread."""


def test_flush_notices_a_dead_tracker_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If the thread is gone, flush says so at once instead of waiting out its timeout."""
    monkeypatch.setattr(threading, "excepthook", lambda args: None)  # the death is expected
    gone = threading.Event()

    def fatal(p: Path) -> Ledger:
        gone.set()
        raise _Fatal

    tracker = Tracker(tmp_path / "db.sqlite3", open_ledger=fatal)
    tracker.record(_row("a"))
    gone.wait(30)
    finished = threading.Event()
    threading.Thread(target=lambda: (tracker.flush(3600), finished.set()), daemon=True).start()
    assert finished.wait(30)
    assert [r.key for r in tracker.unsaved()] == ["a"]


def test_a_recovery_file_never_overwrites_what_was_said_after_it(tmp_path: Path) -> None:
    """The session went on elsewhere after the file was written: the import is a copy."""
    store = Store.open(tmp_path / "db.sqlite3")
    session = store.create_session("m", None)
    said = ["q0", "a0", "q1 later", "a1 later"]
    for seq, text in enumerate(said):
        role = "user" if seq % 2 == 0 else "assistant"
        store.save_message(session.id, seq, Message(role, [{"type": "text", "text": text}]))
    recovered = Conversation(None, [*store.load(session.id).messages[:2]])
    recovered.add_user("q1 from the failed chat")
    meta = {"id": session.id, "model": "m", "saved_upto": 2}
    new_id, how = store.import_session(meta, recovered)
    assert how == "copied" and new_id != session.id
    assert [m.text for m in store.load(session.id).messages] == said


def test_a_recovery_file_keeps_the_compact_summary(tmp_path: Path) -> None:
    """What /compact summarised (where sending starts, the summary) comes back on import."""
    store = Store.open(tmp_path / "db.sqlite3")
    session = store.create_session("m", None)
    for seq, text in enumerate(["q0", "a0", "q1", "a1"]):
        role = "user" if seq % 2 == 0 else "assistant"
        store.save_message(session.id, seq, Message(role, [{"type": "text", "text": text}]))
    conversation = store.load(session.id)
    conversation.start, conversation.summary = 2, "the paid-for summary"
    meta = {"id": session.id, "model": "m", "saved_upto": 4}
    imported = from_json(to_json(meta, conversation))
    assert store.import_session(imported.meta, imported.conversation) == (session.id, "unchanged")
    loaded = store.load(session.id)
    assert (loaded.start, loaded.summary) == (2, "the paid-for summary")


@pytest.mark.parametrize(
    "document",
    [
        '{"format": "claude-tui-session", "version": 1, "session": {"model": null}, '
        '"messages": []}',
        '{"format": "claude-tui-session", "version": 1, "session": {"model": "m"}, '
        '"messages": [{"role": "user", "content": [], "status": "complete", '
        '"model": null, "stop_reason": null}]}',
        '{"format": "claude-tui-session", "version": 1, "session": {"model": "m"}, '
        '"messages": [], "usage": [{"charge": {"cost": "x"}}]}',
    ],
)
def test_a_malformed_document_is_one_line(
    document: str, app_env: dict[str, str], tmp_path: Path
) -> None:
    """No model, an empty message or a bad amount: one line naming the file, no traceback."""
    target = tmp_path / "bad.json"
    target.write_text(document)
    done = _run(app_env, "sessions", "import", str(target))
    assert done.returncode == 2 and done.stderr.startswith("claude-tui: error: cannot import")
    assert "Traceback" not in done.stderr
