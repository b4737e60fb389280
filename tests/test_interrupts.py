"""Ctrl-C, pressed any number of times at any moment, ends a turn cleanly and bills it once."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from claude_tui.store import Store
from tests.api_double import ApiDouble, Reply
from tests.terminal import Terminal

READY = "tokens · /help"

# A chat whose final save of the answer is hit by two Ctrl-C presses: the bookkeeping
# window, made reachable by sending SIGINT from inside the store's write.
PRESSED_WHILE_SAVING = """
import os, signal, sys
from pathlib import Path
from rich.console import Console
from claude_tui.api import ApiClient
from claude_tui.app import Chat, ChatSettings
from claude_tui.app.meter import Meter
from claude_tui.app.recorder import SessionRecorder
from claude_tui.app.wiring import price_table
from claude_tui.config import Config
from claude_tui.store import Store
from claude_tui.store._connection import connect
from claude_tui.ui.turn_view import TurnView
from tests.sinks import Collected

class PressedWhileSaving(Store):
    def save_message(self, session_id, seq, message, branch=0):
        if message.role == "assistant":
            os.kill(os.getpid(), signal.SIGINT)
            os.kill(os.getpid(), signal.SIGINT)
        super().save_message(session_id, seq, message, branch)

base_url, key, path = sys.argv[1], sys.argv[2], Path(sys.argv[3])
client = ApiClient(api_key=key, key_env="K", base_url=base_url, timeout=5, max_retries=0)
store = PressedWhileSaving(connect(path))
billed = Collected()
chat = Chat(
    client,
    ChatSettings("claude-sonnet-5-5", 1000),
    recorder=SessionRecorder(store),
    meter=Meter(price_table(Config()), billed, lambda text: len(text) // 4),
)
quiet = Console(file=open(os.devnull, "w"))
result = TurnView(quiet, quiet).show(chat.send("hello"))
print(result.status, len(billed), [m.status for m in store.load(chat.recorder.session_id).messages])
"""


# The same chat, hit by SIGTERM (as a closed terminal's SIGHUP) while the answer is saved.
TERMINATED_WHILE_SAVING = (
    PRESSED_WHILE_SAVING.replace(
        """            os.kill(os.getpid(), signal.SIGINT)
            os.kill(os.getpid(), signal.SIGINT)""",
        """            os.kill(os.getpid(), signal.SIGTERM)""",
    )
    .replace(
        'result = TurnView(quiet, quiet).show(chat.send("hello"))',
        "signal.signal(signal.SIGTERM, _exit_on_signal)\n"
        "try:\n"
        '    TurnView(quiet, quiet).show(chat.send("hello"))\n'
        "except SystemExit as exc:\n"
        "    print('exit', exc.code, end=' ')\n"
        "result = chat.conversation.messages[-1]",
    )
    .replace(
        "from tests.sinks import Collected",
        "from tests.sinks import Collected\nfrom claude_tui.ui.lifecycle import _exit_on_signal",
    )
)


def test_a_termination_during_the_save_waits_for_it(api: ApiDouble, tmp_path: Path) -> None:
    """SIGTERM or SIGHUP while the answer is saved ends the process after it, saved once."""
    script = textwrap.dedent(TERMINATED_WHILE_SAVING)
    args = [api.base_url, api.api_key, str(tmp_path / "db.sqlite3")]
    done = subprocess.run(
        [sys.executable, "-c", script, *args], capture_output=True, text=True, timeout=60
    )
    assert done.stderr == ""
    assert done.stdout.strip() == "exit 143 complete 1 ['complete', 'complete']"


def test_presses_during_the_bookkeeping_are_held_off(api: ApiDouble, tmp_path: Path) -> None:
    """Ctrl-C while the ended answer is saved: no traceback, saved whole, billed once."""
    script = textwrap.dedent(PRESSED_WHILE_SAVING)
    args = [api.base_url, api.api_key, str(tmp_path / "db.sqlite3")]
    done = subprocess.run(
        [sys.executable, "-c", script, *args], capture_output=True, text=True, timeout=60
    )
    assert done.stderr == ""
    assert done.stdout.strip() == "complete 1 ['complete', 'complete']"


def _slow_answer(terminal: Terminal, api: ApiDouble) -> None:
    api.script(Reply(text="word " * 400, chunk=5, delay=0.05))
    terminal.wait_for(READY)
    terminal.type("talk slowly")
    terminal.press("enter")
    terminal.wait_for("word word word")


def _ledger_rows(home: Path) -> int:
    return Store.open(home / "data" / "sessions.sqlite3").ledger.since().calls


@pytest.mark.parametrize("presses", [2, 3, 5])
def test_many_presses_mid_answer_end_in_one_line(
    presses: int, terminal: Terminal, api: ApiDouble, home: Path
) -> None:
    """Double, triple, quintuple Ctrl-C: one 'interrupted' line, the prompt, one ledger row."""
    _slow_answer(terminal, api)
    terminal.press(*["ctrl-c"] * presses)  # pexpect paces keys 50 ms apart, like fast fingers
    terminal.wait_for("interrupted")
    terminal.wait_for(READY)
    terminal.type("next")
    terminal.press("enter")
    terminal.wait_for("You said: next")
    terminal.wait_for(READY)
    terminal.press("ctrl-d")
    assert terminal.wait_exit() == 0
    assert b"Traceback" not in terminal.raw
    assert terminal.text.count("interrupted") == 1
    assert _ledger_rows(home) == 2


def test_ctrl_c_works_when_started_with_sigint_ignored(
    app_env: dict[str, str], api: ApiDouble
) -> None:
    """Started by nohup or `cmd &` (SIGINT ignored), Ctrl-C still stops an answer."""
    terminal = Terminal(
        [], app_env, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN)
    )
    try:
        _slow_answer(terminal, api)
        terminal.press("ctrl-c")
        terminal.wait_for("interrupted: the partial answer is kept")
    finally:
        terminal.close()
