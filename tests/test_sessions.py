"""Sessions survive anything: resume, kill -9, two writers, damage, and the CLI around them."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sqlite3
from decimal import Decimal
from pathlib import Path

from rich.console import Console

from claude_tui.core.conversation import Message
from claude_tui.core.events import Usage
from claude_tui.core.pricing import Charge
from claude_tui.core.usage import UsageRecord
from claude_tui.store import SessionInfo, Store
from claude_tui.ui.sessions_view import sessions_table
from tests.api_double import ApiDouble, Reply
from tests.terminal import Terminal
from tests.test_cli import _run
from tests.test_repl import READY


def _db(home: Path) -> Path:
    return home / "data" / "sessions.sqlite3"


def _chat(env: dict[str, str], *messages: str, args: tuple[str, ...] = ()) -> Terminal:
    term = Terminal(list(args), env)
    term.wait_for(READY)
    for message in messages:
        term.type(message)
        term.press("enter")
        term.wait_for(f"You said: {message}")
    return term


def _quit(term: Terminal) -> None:
    term.press("ctrl-d")
    assert term.wait_exit() == 0


def test_continue_replays_and_sends_full_history(app_env: dict[str, str], api: ApiDouble) -> None:
    """-c shows the last exchange and the next request carries the whole conversation."""
    _quit(_chat(app_env, "first question"))
    term = _chat(app_env, args=("-c",))
    try:
        assert "You said: first question" in term.text and "Resuming" in term.text
        term.type("second")
        term.press("enter")
        term.wait_for("You said: second")
        body = api.requests[-1].body
        assert [m["role"] for m in body["messages"]] == ["user", "assistant", "user"]
    finally:
        term.close()


def test_resume_by_id_prefix(app_env: dict[str, str], api: ApiDouble, home: Path) -> None:
    """-r with a unique id prefix resumes that session."""
    _quit(_chat(app_env, "alpha"))
    _quit(_chat(app_env, "beta"))
    store = Store.open(_db(home))
    alpha = next(s for s in store.sessions() if s.title == "alpha")
    term = _chat(app_env, args=("-r", alpha.id[:5]))
    try:
        assert "You said: alpha" in term.text and "beta" not in term.text
    finally:
        term.close()


def test_picker_filters_and_resumes(app_env: dict[str, str], api: ApiDouble) -> None:
    """-r alone opens a picker; typing filters it and Enter resumes the match."""
    _quit(_chat(app_env, "apples"))
    _quit(_chat(app_env, "bananas"))
    term = Terminal(["-r"], app_env)
    try:
        term.wait_for("Resume which session?")
        term.type("appl")
        term.wait_for(lambda screen: "bananas" not in screen)
        term.press("enter")
        term.wait_for("You said: apples")
    finally:
        term.close()


def _partial_saved(home: Path) -> bool:
    with contextlib.closing(sqlite3.connect(_db(home))) as conn:
        found = conn.execute("SELECT count(*) FROM messages WHERE role = 'assistant'").fetchone()
    return bool(found[0])


def test_kill_9_mid_answer_keeps_question_and_partial(
    app_env: dict[str, str], api: ApiDouble, home: Path
) -> None:
    """A process killed mid-answer leaves the question and the partial answer, resumable."""
    api.script(Reply(text="slowly " * 300, chunk=7, delay=0.02))
    term = Terminal([], app_env)
    term.wait_for(READY)
    term.type("tell me slowly")
    term.press("enter")
    term.wait_for("slowly slowly slowly")
    term.wait_for(lambda _: _partial_saved(home), timeout=30)  # the first save, a second in
    os.kill(term.child.pid, signal.SIGKILL)
    term.close()
    store = Store.open(_db(home))
    session = store.latest()
    assert session is not None
    messages = store.load(session.id).messages
    assert messages[0].text == "tell me slowly"
    assert messages[1].status == "interrupted" and messages[1].text.startswith("slowly slowly")
    resumed = _chat(app_env, "after the crash", args=("-c",))
    try:
        roles = [m["role"] for m in api.requests[-1].body["messages"]]
        assert roles == ["user", "assistant", "user"]
    finally:
        resumed.close()


def test_two_processes_chatting_at_once_keep_everything(
    app_env: dict[str, str], api: ApiDouble, home: Path
) -> None:
    """Two chats on one data directory, interleaved, keep every message and every bill of both."""
    left, right = Terminal([], app_env), Terminal([], app_env)
    try:
        for term in (left, right):
            term.wait_for(READY)
        for n in range(4):
            for name, term in (("left", left), ("right", right)):
                term.type(f"{name} {n}")
                term.press("enter")
            for name, term in (("left", left), ("right", right)):
                term.wait_for(f"You said: {name} {n}")
    finally:
        left.close()
        right.close()
    store = Store.open(_db(home))
    assert sorted(s.message_count for s in store.sessions()) == [8, 8]
    for session in store.sessions():
        (totals,) = store.ledger.session_by_model(session.id).values()
        assert totals.calls == 4 and totals.estimated_calls == 0
    assert store.ledger.since().calls == 8


def test_corrupt_database_is_one_line_and_untouched(app_env: dict[str, str], home: Path) -> None:
    """A damaged database stops the app with one line saying what to do; the file is kept."""
    _db(home).parent.mkdir(parents=True)
    _db(home).write_bytes(b"garbage" * 1000)
    result = _run(app_env, "sessions", "list")
    assert result.returncode == 1 and "move it aside" in result.stderr
    assert "Traceback" not in result.stderr and result.stderr.count("\n") == 1
    assert _db(home).read_bytes() == b"garbage" * 1000


def test_sessions_cli_list_search_export_rename_delete(
    app_env: dict[str, str], api: ApiDouble, tmp_path: Path
) -> None:
    """The sessions subcommands find, export, rename, price and delete a saved chat."""
    api.script(Reply(text="Here:\n\n```python\nprint('hi')\n```\n"))
    assert _run(app_env, "ask", "show me zebra code").returncode == 0
    listed = json.loads(_run(app_env, "sessions", "list", "--json").stdout)
    assert [s["title"] for s in listed] == ["show me zebra code"]
    session_id = listed[0]["id"]
    hits = json.loads(_run(app_env, "sessions", "search", "zebra", "--json").stdout)
    assert hits[0]["id"] == session_id and "zebra" in hits[0]["snippet"]
    markdown = _run(app_env, "sessions", "export", session_id[:4]).stdout
    assert "## You" in markdown and "```python\nprint('hi')\n```" in markdown
    target = tmp_path / "out.json"
    _run(app_env, "sessions", "export", session_id, "--format", "json", "-o", str(target))
    document = json.loads(target.read_text())
    assert document["messages"][1]["content"][0]["type"] == "text"
    assert api.api_key not in target.read_text() + markdown
    assert _run(app_env, "sessions", "rename", session_id, "Zebras").returncode == 0
    row = next(
        line for line in _run(app_env, "sessions", "list").stdout.splitlines() if "Zebras" in line
    )
    assert "$0.00011" in row  # 12 in x $2 + 9 out x $10 per million = $0.000114
    assert _run(app_env, "sessions", "delete", session_id).returncode == 2
    assert _run(app_env, "sessions", "delete", session_id, "--yes").returncode == 0
    assert json.loads(_run(app_env, "sessions", "list", "--json").stdout) == []


def test_repl_session_commands(app_env: dict[str, str], api: ApiDouble, tmp_path: Path) -> None:
    """/rename, /sessions and /export work from inside the chat."""
    term = _chat(app_env, "inside the repl")
    try:
        term.type("/rename My chat")
        term.press("enter")
        term.wait_for("Renamed to My chat.")
        term.type("/sessions")
        term.press("enter")
        term.wait_for("My chat")
        target = tmp_path / "chat.md"
        term.type(f"/export {target}")
        term.press("enter")
        term.wait_for("Exported to")
        assert "inside the repl" in target.read_text()
    finally:
        term.close()


def test_the_sessions_table_never_cuts_ids_counts_or_costs() -> None:
    """A 60-character title at 80 or 100 columns is cut with an ellipsis; the rest stays whole."""
    long = SessionInfo("3fa9c01b22aa", "T" * 60, "claude-sonnet-5-5", None, 0, 0, 123)
    for width in (80, 100):
        console = Console(width=width, record=True)
        console.print(sessions_table([long], clock=lambda: 3 * 86400))
        row = console.export_text().splitlines()[1]
        assert row.startswith("3fa9c01b22aa ") and "…" in row
        assert " 3d ago " in row and " 123 " in row and len(row.rstrip()) <= width


def test_resume_shows_the_end_and_history_lists_everything(
    app_env: dict[str, str], api: ApiDouble, home: Path
) -> None:
    """Resuming a huge session shows its last exchanges, cut short; /history lists them all."""
    store = Store.open(_db(home))
    session = store.create_session("claude-sonnet-5-5", None)
    paste = "\n".join(f"pasted line {n}" for n in range(20_000))
    texts = [f"question {n}" for n in range(6)] + [paste]
    for number, text in enumerate(texts):
        store.save_message(
            session.id, 2 * number, Message("user", [{"type": "text", "text": text}])
        )
        answer = [{"type": "text", "text": f"answer {number}"}]
        store.save_message(session.id, 2 * number + 1, Message("assistant", answer))
    term = Terminal(["-c"], app_env)
    try:
        term.wait_for(READY)
        transcript = term.transcript
        assert "… 8 earlier messages; /history lists them" in transcript
        assert "question 5" in transcript and "question 3" not in transcript
        assert "pasted line 39" in transcript and "pasted line 40" not in transcript
        assert "… 19960 more lines" in transcript
        assert len(transcript.splitlines()) < 150
        term.type("/history")
        term.press("enter")
        term.wait_for("     claude answer 6")
        assert "   1 you    question 0" in term.transcript
        assert "   7 you    pasted line 0" in term.transcript
    finally:
        term.close()


def test_rename_says_so_and_piped_show_carries_no_padding(
    app_env: dict[str, str], home: Path
) -> None:
    """`sessions rename` confirms in one line; `sessions show | cat` has no trailing spaces."""
    store = Store.open(_db(home))
    session = store.create_session("claude-sonnet-5-5", None)
    store.save_message(session.id, 0, Message("user", [{"type": "text", "text": "hello"}]))
    answer = [{"type": "text", "text": "# Hi\n\nshort line\n\n- a\n- b"}]
    store.save_message(session.id, 1, Message("assistant", answer))
    renamed = _run(app_env, "sessions", "rename", session.id, "New name")
    assert renamed.stdout == f"renamed {session.id} to “New name”\n"
    shown = _run(app_env, "sessions", "show", session.id).stdout
    assert "short line" in shown
    assert all(line == line.rstrip(" ") for line in shown.splitlines())


def test_html_export_is_one_escaped_page_with_code_thinking_and_costs(
    app_env: dict[str, str], home: Path, tmp_path: Path
) -> None:
    """export -o x.html: inline CSS, highlighted code, folded thinking, turn costs, all escaped."""
    store = Store.open(_db(home))
    session = store.create_session("claude-sonnet-5-5", None, "<b>title</b>")
    question = "<script>alert(1)</script> \x1b[2J"
    store.save_message(session.id, 0, Message("user", [{"type": "text", "text": question}]))
    blocks = [
        {"type": "thinking", "thinking": "weighing </details><img src=x>", "signature": "c2ln"},
        {"type": "text", "text": "Run:\n\n```python\nprint('x')\n```\n"},
    ]
    store.save_message(session.id, 1, Message("assistant", blocks, "complete", "claude-sonnet-5-5"))
    usage = Usage(input_tokens=1200, output_tokens=34)
    row = UsageRecord("k1", 0.0, "2026-12-02", session.id, 1, "claude-sonnet-5-5", None, usage,
                      Charge(Decimal("0.0042"), None))  # fmt: skip
    store.ledger.append(row)
    target = tmp_path / "page.html"
    assert _run(app_env, "sessions", "export", session.id, "-o", str(target)).returncode == 0
    page = target.read_text()
    assert page.startswith("<!DOCTYPE html>") and "<style>" in page and "<link" not in page
    assert "<script>" not in page and "&lt;script&gt;" in page and "\x1b" not in page
    assert "<b>title</b>" not in page and "<img" not in page
    assert "<details><summary>Thinking</summary>" in page
    assert "print" in page and 'style="color' in page  # highlighted by rich, inline
    assert "$0.0042 · 1,200 in · 34 out" in page
