"""A conversation is a tree: editing an earlier message starts a branch, nothing is lost."""

from __future__ import annotations

import os
import signal
from pathlib import Path

from claude_tui.core.conversation import Message
from claude_tui.store import Store
from claude_tui.ui.picker import PickerState
from tests.api_double import ApiDouble, Reply
from tests.terminal import Terminal
from tests.test_cli import _run

READY = "/help for commands"


def _texts(messages: list[Message]) -> list[str]:
    return [m.text for m in messages]


def _say(terminal: Terminal, text: str) -> None:
    terminal.type(text)
    terminal.press("enter")
    terminal.wait_for(f"You said: {text}")


def _sent(api: ApiDouble) -> list[str]:
    body = [r.body for r in api.requests if r.path == "/v1/messages"][-1]
    return ["".join(b.get("text", "") for b in m["content"]) for m in body["messages"]]


def _store_with_branch(path: Path) -> tuple[Store, str]:
    """Branch 0: a A b B; branch 1 shares a A and goes on with c C."""
    store = Store.open(path)
    session = store.create_session("claude-sonnet-5-5", None, "tree")
    branch = None
    for seq, text in enumerate(["a", "A", "b", "B", "c", "C"]):
        if seq == 4:
            branch = store.new_branch(session.id, 0, 2)
        role = "user" if seq % 2 == 0 else "assistant"
        message = Message(role, [{"type": "text", "text": text}])
        store.save_message(session.id, seq - 2 if branch else seq, message, branch or 0)
    return store, session.id


def _three(terminal: Terminal) -> None:
    terminal.wait_for(READY)
    for text in ("one", "two", "three"):
        _say(terminal, text)


def test_edit_branches_and_switching_back_continues_the_old_branch(
    terminal: Terminal, api: ApiDouble, home: Path
) -> None:
    """/edit 2 sends exchange 1 and the new message only; /branch 0 goes on where it was."""
    _three(terminal)
    terminal.type("/edit 2")
    terminal.press("enter")
    terminal.wait_for("Editing message 2: the new branch resends ≈")
    terminal.type("\x15")  # Ctrl-U: clear the offered text
    terminal.type("two, changed")
    terminal.press("enter")
    terminal.wait_for("You said: two, changed")
    assert _sent(api) == ["one", "You said: one", "two, changed"]
    terminal.type("/branches")
    terminal.press("enter")
    terminal.wait_for("from branch 0 after 2 messages")
    terminal.type("/branch 0")
    terminal.press("enter")
    terminal.wait_for("Branch 0:")
    _say(terminal, "four")
    assert _sent(api)[-2:] == ["You said: three", "four"] and len(_sent(api)) == 7
    store = Store.open(home / "data" / "sessions.sqlite3")
    (session,) = store.sessions()
    assert _texts(store.load(session.id, 1).messages) == [
        "one", "You said: one", "two, changed", "You said: two, changed"
    ]  # fmt: skip
    assert len(store.load(session.id).messages) == 8  # the active branch, 0


def test_an_empty_send_cancels_an_edit(terminal: Terminal, api: ApiDouble) -> None:
    """Clearing the offered text and pressing Enter changes nothing."""
    _three(terminal)
    terminal.type("/edit")
    terminal.press("enter")
    terminal.wait_for("Editing message 3")
    terminal.type("\x15")
    terminal.press("enter")
    terminal.wait_for("edit cancelled: nothing changed")
    _say(terminal, "four")
    assert len(_sent(api)) == 7


def test_resume_takes_the_last_branch_and_search_finds_the_other(
    app_env: dict[str, str], api: ApiDouble
) -> None:
    """-c continues the branch used last; search still finds the abandoned branch's words."""
    first = Terminal([], app_env)
    try:
        _three(first)
        first.type("/edit 1")
        first.press("enter")
        first.wait_for("Editing message 1")
        first.type("\x15zebra question")
        first.press("enter")
        first.wait_for("You said: zebra question")
        first.press("ctrl-d")
        first.wait_exit()
    finally:
        first.close()
    again = Terminal(["-c"], app_env)
    try:
        again.wait_for("You said: zebra question")
        _say(again, "still here")
        assert _sent(api) == ["zebra question", "You said: zebra question", "still here"]
    finally:
        again.close()
    found = _run(app_env, "sessions", "search", "three")
    assert "(in branch 0)" in found.stdout and "three" in found.stdout
    hits = _run(app_env, "sessions", "search", "three", "--json").stdout
    assert '"branch": 0' in hits


def test_kill_9_during_a_branched_answer_loses_nothing(
    app_env: dict[str, str], api: ApiDouble, home: Path
) -> None:
    """Both branches survive a kill -9 mid-answer; the new one keeps what was typed."""
    terminal = Terminal([], app_env)
    try:
        _three(terminal)
        api.script(Reply(text="slow " * 400, chunk=5, delay=0.01))
        terminal.type("/edit 3")
        terminal.press("enter")
        terminal.wait_for("Editing message 3")
        terminal.type("\x15redo three")
        terminal.press("enter")
        terminal.wait_for("slow slow")
        os.kill(terminal.child.pid, signal.SIGKILL)
        terminal.wait_exit()
    finally:
        terminal.close()
    store = Store.open(home / "data" / "sessions.sqlite3")
    (session,) = store.sessions()
    assert _texts(store.load(session.id, 0).messages)[-2:] == ["three", "You said: three"]
    assert _texts(store.load(session.id, 1).messages)[4] == "redo three"


def test_a_branch_shares_its_parents_messages_and_undo_never_deletes_them(
    tmp_path: Path,
) -> None:
    """Branch 1 reads branch 0's first messages; undoing into them only moves its fork."""
    store, session_id = _store_with_branch(tmp_path / "db.sqlite3")
    assert _texts(store.load(session_id).messages) == ["a", "A", "c", "C"]
    store.truncate(session_id, 0, 1)
    assert _texts(store.load(session_id).messages) == []
    assert _texts(store.load(session_id, 0).messages) == ["a", "A", "b", "B"]
    assert [b.number for b in store.branches(session_id)] == [0, 1]


def test_export_all_round_trips_the_tree_through_import(
    app_env: dict[str, str], home: Path, tmp_path: Path
) -> None:
    """`sessions export --all` keeps every branch and its links; an import rebuilds them."""
    store, session_id = _store_with_branch(home / "data" / "sessions.sqlite3")
    session = store.resolve(session_id)
    shown = _run(app_env, "sessions", "show", session.id, "--all").stdout
    assert "Branch 1 from branch 0 after 2 messages" in shown
    assert "C" in _run(app_env, "sessions", "show", session.id, "--branch", "1").stdout
    target = tmp_path / "tree.json"
    assert (
        _run(app_env, "sessions", "export", session.id, "--all", "-o", str(target)).returncode == 0
    )
    assert _run(app_env, "sessions", "delete", session.id, "--yes").returncode == 0
    done = _run(app_env, "sessions", "import", str(target))
    assert "(4 messages, 1 more branches)" in done.stdout, done.stderr
    again = Store.open(home / "data" / "sessions.sqlite3")
    (imported,) = again.sessions()
    assert _texts(again.load(imported.id, 0).messages) == ["a", "A", "b", "B"]
    assert _texts(again.load(imported.id, 1).messages) == ["a", "A", "c", "C"]


def test_the_picker_shows_how_many_branches_a_session_has(tmp_path: Path) -> None:
    """A session with branches says how many in the -r picker; one without says nothing."""
    store = Store.open(tmp_path / "db.sqlite3")
    tree, flat = store.create_session("m", None, "tree"), store.create_session("m", None, "flat")
    for session in (tree, flat):
        store.save_message(session.id, 0, Message("user", [{"type": "text", "text": "hi"}]))
    store.new_branch(tree.id, 0, 0)
    store.new_branch(tree.id, 0, 0)
    rows = PickerState(store.sessions(), store.branch_counts()).rows(0.0)
    text = "".join(fragment for _, fragment in rows)
    assert "3 branches" in text and text.count("branches") == 1


def test_fork_copies_the_branch_into_a_new_session(
    terminal: Terminal, api: ApiDouble, home: Path
) -> None:
    """/fork TITLE goes on in a copy; the session it left keeps what it had."""
    terminal.wait_for(READY)
    _say(terminal, "one")
    terminal.type("/fork Side quest")
    terminal.press("enter")
    terminal.wait_for("Forked:")
    _say(terminal, "two")
    store = Store.open(home / "data" / "sessions.sqlite3")
    forked, original = store.sessions()
    assert forked.title == "Side quest" and _texts(store.load(forked.id).messages)[-1] == (
        "You said: two"
    )
    assert _texts(store.load(original.id).messages) == ["one", "You said: one"]


def test_undo_on_a_parent_never_takes_what_a_child_shares(tmp_path: Path) -> None:
    """Emptying branch 0 leaves branch 1 whole: it keeps its own copy of what it shared."""
    store, session_id = _store_with_branch(tmp_path / "db.sqlite3")
    store.truncate(session_id, 0, 0)
    assert _texts(store.load(session_id, 0).messages) == []
    assert _texts(store.load(session_id, 1).messages) == ["a", "A", "c", "C"]


def test_a_branch_of_a_branch_shares_only_up_to_its_own_fork(tmp_path: Path) -> None:
    """Editing message 1 on branch 1 makes a branch that starts from nothing but 'a'."""
    store, session_id = _store_with_branch(tmp_path / "db.sqlite3")
    third = store.new_branch(session_id, 1, 1)
    assert _texts(store.load(session_id, third).messages) == ["a"]
