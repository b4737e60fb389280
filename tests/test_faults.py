"""The fault matrix: every failure a person meets, in a real pty against the API double.

Each row scripts one fault, sends a question and checks what the README's
troubleshooting table promises: one clear line and no traceback (stderr shares
the pty), the chat goes on with a valid conversation, ``/retry`` works, the
database keeps the question and any partial answer, and the usage ledger has a
row exactly when the API would bill, that is when ``message_start`` arrived.
"""

from __future__ import annotations

import re
import socket
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pytest

from claude_tui.store import Store
from tests.api_double import ApiDouble, Reply
from tests.terminal import Terminal
from tests.test_cli import _run
from tests.test_repl import READY

QUESTION = "question"
FOLLOW_UP = "next"
PARTIAL = "partial answer that breaks off"  # four-character deltas: two of them are "partial "
KEPT = "partial "
ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()=>][0-9A-B]?")


@dataclass(frozen=True)
class Fault:
    """One row: what the API does, what the person sees, and what must be left behind."""

    name: str
    replies: tuple[Reply, ...] = ()
    sees: str = ""  # in the one line that says how it ended (or in the answer)
    notices: tuple[str, ...] = ()  # dim retry lines shown before it
    ends: Literal["error", "interrupted", "answer"] = "error"
    kept: str | None = None  # the answer text saved after the question, if any
    billed: bool = False  # message_start arrived, so the API bills the call
    calls: int = 1  # POST /v1/messages made for the question
    env: dict[str, str] = field(default_factory=dict)
    interrupt_at: str | None = None  # press Ctrl-C once the screen shows this
    refused: bool = False  # nothing listens until the fault has been seen


def _broken(fault: str, **extra: object) -> Reply:
    return Reply(text=PARTIAL, fault=fault, fault_after=2, **extra)  # type: ignore[arg-type]


TOO_LONG = "prompt is too long: 250000 tokens > 200000 maximum"
MATRIX = [
    Fault("401", (Reply(status=401),), "the API key was rejected (401): check ANTHROPIC_API_KEY"),
    Fault("403", (Reply(status=403),), "permission denied (403): Your API key does not have"),
    Fault(
        "404 unknown model",
        (Reply(status=404, error_message="model: claude-sonnet-5-5"),),
        "unknown model 'claude-sonnet-5-5' (404: model: claude-sonnet-5-5); list models",
    ),
    Fault(
        "400 prompt too long",
        (Reply(status=400, error_message=TOO_LONG),),
        f"too long for the model (400: {TOO_LONG}); /compact it",
    ),
    Fault("413", (Reply(status=413),), "the request is too large (413): shorten it, /compact"),
    Fault(
        "429 then the answer",
        (Reply(status=429, retry_after=0.5), Reply(text="after the wait")),
        "after the wait",
        ("rate limited, retrying in 0.5 s (1/1)",),
        ends="answer",
        kept="after the wait",
        billed=True,
        calls=2,
    ),
    Fault(
        "429 outlasting the retries",
        (Reply(status=429, retry_after=0.2, times=2),),
        "rate limited (429) after 1 retry; try again in 0.2 s with /retry",
        ("rate limited, retrying in 0.2 s (1/1)",),
        calls=2,
    ),
    Fault(
        "500",
        (Reply(status=500, times=2),),
        "the service is busy (500 api_error) after 1 retry; try /retry in a moment",
        ("server error 500, retrying in 0.",),
        calls=2,
    ),
    Fault(
        "529",
        (Reply(status=529, retry_after=0.2, times=2),),
        "the service is busy (529 overloaded_error) after 1 retry",
        ("overloaded, retrying in 0.2 s (1/1)",),
        calls=2,
    ),
    Fault(
        "connection refused",
        sees="cannot reach http://127.0.0.1:",
        notices=("cannot connect, retrying in 0.",),
        calls=0,
        refused=True,
    ),
    Fault(
        "stall past the timeout",
        (_broken("stall"),),
        "the answer stalled: no data for 1 s; the partial answer is kept, /retry to ask again",
        kept=KEPT,
        billed=True,
        env={"CLAUDE_TUI_TIMEOUT": "1"},
    ),
    Fault(
        "Ctrl-C during a stall",
        (_broken("stall", stall_seconds=60),),
        "interrupted: the partial answer is kept",
        ends="interrupted",
        kept=KEPT,
        billed=True,
        interrupt_at="part",
    ),
    Fault(
        "Ctrl-C while waiting to retry",
        (Reply(status=429, retry_after=30),),
        "interrupted: before the answer began",
        ("rate limited, retrying in 30 s (1/1)",),
        ends="interrupted",
        interrupt_at="retrying in 30 s",
    ),
    Fault(
        "connection dropped mid-answer",
        (_broken("drop"),),
        "the connection dropped mid-answer; the partial answer is kept",
        kept=KEPT,
        billed=True,
    ),
    Fault(
        "SSE error event mid-answer",
        (_broken("error_event"),),
        "the answer broke off (overloaded_error: Overloaded); the partial answer is kept",
        kept=KEPT,
        billed=True,
    ),
    Fault(
        "stream ends without message_stop",
        (_broken("truncate"),),
        "the answer ended before it was complete; the partial answer is kept",
        kept=KEPT,
        billed=True,
    ),
]


def _free_port() -> int:
    """A port nobody listens on (until the test starts the double there)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _lines(term: Terminal) -> list[str]:
    """Every line the program wrote, stdout and stderr alike, without escape sequences."""
    text = ANSI.sub("", term.raw.decode("utf-8", "replace"))
    return [line.strip() for line in re.split(r"\r?\n|\r", text)]


def _send(term: Terminal, text: str) -> None:
    term.type(text)
    term.press("enter")


def _messages_posted(api: ApiDouble) -> list[dict[str, object]]:
    return [r.body for r in api.requests if r.path == "/v1/messages"]


def _roles(body: dict[str, object]) -> list[str]:
    return [m["role"] for m in body["messages"]]  # type: ignore[attr-defined]


def _saved(home: Path) -> list[tuple[str, str, str]]:
    """The saved session's messages as (role, text, status)."""
    store = Store.open(home / "data" / "sessions.sqlite3")
    session = store.latest()
    assert session is not None
    return [(m.role, m.text, m.status) for m in store.load(session.id).messages]


def _ledger_calls(home: Path) -> int:
    return Store.open(home / "data" / "sessions.sqlite3").ledger.since().calls


@pytest.mark.parametrize("fault", MATRIX, ids=[f.name for f in MATRIX])
def test_fault(fault: Fault, app_env: dict[str, str], home: Path) -> None:
    """One line, no traceback, the chat goes on validly, nothing lost, billed iff started."""
    port = _free_port()
    env = {
        **app_env,
        "CLAUDE_TUI_BASE_URL": f"http://127.0.0.1:{port}",
        "CLAUDE_TUI_MAX_RETRIES": "1",
    }
    server = ApiDouble(port=port)
    if not fault.refused:
        server.start()
    server.script(*fault.replies)
    term = Terminal([], {**env, **fault.env})
    try:
        _meet_the_fault(term, fault)
        assert len(_messages_posted(server)) == fault.calls
        if fault.refused:
            server.start()
        _carry_on(term, server, answered=fault.kept is not None)
        term.press("ctrl-d")
        assert term.wait_exit() == 0
    finally:
        term.close()
        server.stop()
    assert not any("Traceback" in line for line in _lines(term))
    status = "complete" if fault.ends == "answer" else "interrupted"
    assert _saved(home) == [
        ("user", QUESTION, "complete"),
        *([("assistant", fault.kept, status)] if fault.kept is not None else []),
        ("user", FOLLOW_UP, "complete"),
        ("assistant", f"You said: {FOLLOW_UP}", "complete"),
    ]
    assert _ledger_calls(home) == int(fault.billed) + 2


def _meet_the_fault(term: Terminal, fault: Fault) -> None:
    """Ask, watch it fail (pressing Ctrl-C if the row says so), and read the one outcome line."""
    term.wait_for(READY)
    _send(term, QUESTION)
    if fault.interrupt_at is not None:
        term.wait_for(fault.interrupt_at)
        term.press("ctrl-c")
    term.wait_for(lambda _: any(fault.sees in line for line in _lines(term)))
    term.wait_for(READY)
    lines = _lines(term)
    for notice in fault.notices:
        assert any(line.startswith(notice) for line in lines), notice
    outcome = [line for line in lines if line.startswith(("error:", "interrupted:"))]
    if fault.ends == "answer":
        assert outcome == []
    else:
        assert len(outcome) == 1 and outcome[0].startswith(f"{fault.ends}:"), outcome
        assert fault.sees in outcome[0]


def _carry_on(term: Terminal, api: ApiDouble, *, answered: bool) -> None:
    """The next message goes out valid, and /retry resends exactly the same conversation."""
    _send(term, FOLLOW_UP)
    term.wait_for(f"You said: {FOLLOW_UP}")
    sent = _messages_posted(api)[-1]
    assert _roles(sent) == (["user", "assistant", "user"] if answered else ["user"])
    _send(term, "/retry")
    term.wait_for(lambda screen: screen.count(f"You said: {FOLLOW_UP}") == 2)
    term.wait_for(READY)
    assert _messages_posted(api)[-1]["messages"] == sent["messages"]


def test_ask_says_why_it_waits_on_stderr(app_env: dict[str, str], api: ApiDouble) -> None:
    """Piped ask keeps stdout to the answer and reports a retry wait on stderr."""
    api.script(Reply(status=429, retry_after=0.1), Reply(text="fine"))
    result = _run({**app_env, "CLAUDE_TUI_MAX_RETRIES": "1"}, "ask", QUESTION)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "fine\n"
    assert result.stderr == "rate limited, retrying in 0.1 s (1/1)\n"
