"""An answer appears exactly once on the screen and in the scrollback, whatever the person does."""

from __future__ import annotations

import os
import signal
import sys
import termios
import time

import pexpect

from tests.api_double import ApiDouble, Reply
from tests.terminal import Terminal

READY = "tokens · /help"
PROMPT = "\N{HEAVY RIGHT-POINTING ANGLE QUOTATION MARK ORNAMENT}"


def _paragraphs(count: int) -> list[str]:
    return [f"P{n}: " + "word " * 12 for n in range(1, count + 1)]


def _ask(terminal: Terminal, api: ApiDouble, text: str, delay: float) -> None:
    api.script(Reply(text=text, chunk=6, delay=delay))
    terminal.wait_for(READY)
    terminal.type("write")
    terminal.press("enter")


def _answer_lines(transcript: str) -> list[str]:
    """The lines between the question's prompt line and the footer."""
    lines = transcript.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"{PROMPT} write"))
    end = next(i for i, line in enumerate(lines) if "tok/s" in line or "interrupted" in line)
    return lines[start + 1 : end]


def test_keys_typed_during_an_answer_wait_for_the_next_prompt(
    terminal: Terminal, api: ApiDouble
) -> None:
    """Typing early leaves the answer exactly as rendered; the keys appear in the next prompt."""
    paragraphs = _paragraphs(12)
    _ask(terminal, api, "\n\n".join(paragraphs), delay=0.02)
    terminal.wait_for("P3:")
    terminal.type("next question")
    terminal.wait_for("tok/s")
    terminal.wait_for(f"{PROMPT} next question")
    expected = [line for p in paragraphs for line in (p.rstrip(), "")][:-1]
    assert _answer_lines(terminal.transcript) == expected


def test_ctrl_c_mid_answer_leaves_each_line_once(terminal: Terminal, api: ApiDouble) -> None:
    """The partial answer is in the scrollback once: no line from the live region is repeated."""
    _ask(terminal, api, "\n\n".join(_paragraphs(60)), delay=0.02)
    terminal.wait_for("P5:")
    terminal.press("ctrl-c")
    terminal.wait_for(READY)
    shown = [line for line in _answer_lines(terminal.transcript) if line]
    assert shown and all(shown.count(line) == 1 for line in shown)
    assert [line.split(":")[0] for line in shown] == [f"P{n}" for n in range(1, len(shown) + 1)]
    assert "^C" not in terminal.transcript


def _state(pid: int) -> str:
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().rsplit(")", 1)[1].split()[0]


def _echoing(terminal: Terminal) -> bool:
    return bool(termios.tcgetattr(terminal.child.child_fd)[3] & termios.ECHO)


def test_ctrl_z_mid_answer_gives_the_shell_an_echoing_terminal(
    terminal: Terminal, api: ApiDouble
) -> None:
    """Suspended mid-answer, the terminal echoes again for the shell; fg finishes the answer."""
    _ask(terminal, api, "\n\n".join(_paragraphs(30)), delay=0.02)
    terminal.wait_for("P3:")
    assert not _echoing(terminal)
    terminal.type("\x1a")
    terminal.wait_for(lambda _: _state(terminal.child.pid) == "T")
    assert _echoing(terminal)
    os.kill(terminal.child.pid, signal.SIGCONT)
    terminal.wait_for("tok/s")
    terminal.wait_for(READY)
    shown = [line for line in _answer_lines(terminal.transcript) if line]
    assert [line.split(":")[0] for line in shown] == [f"P{n}" for n in range(1, 31)]


def test_shrinking_the_window_mid_list_leaves_each_item_once(
    app_env: dict[str, str], api: ApiDouble
) -> None:
    """100 -> 80 columns while a 40-item numbered list streams: every item once, none lost."""
    env = {k: v for k, v in app_env.items() if k not in ("COLUMNS", "LINES")}  # as a shell has it
    items = "\n".join(f"{n}. item number {n} " + "word " * 8 for n in range(1, 41))
    api.script(Reply(text=items, chunk=6, delay=0.01))
    terminal = Terminal([], env)
    try:
        terminal.wait_for(READY)
        terminal.type("write")
        terminal.press("enter")
        terminal.wait_for("item number 12")
        terminal.resize(40, 80)
        terminal.wait_for("tok/s")
        terminal.wait_for(READY)
        transcript = terminal.transcript
    finally:
        terminal.close()
    assert [transcript.count(f"item number {n} ") for n in range(1, 41)] == [1] * 40


def test_ask_in_the_background_runs_to_its_end(app_env: dict[str, str], api: ApiDouble) -> None:
    """`claude-tui ask … &` from an interactive shell is not stopped for touching the tty."""
    api.script(Reply(text="hello from the model"))
    env = {**app_env, "PS1": "$ "}
    shell = pexpect.spawn("bash", ["--norc", "--noprofile", "-i"], env=env, timeout=30)
    try:
        shell.expect_exact("$ ")
        shell.sendline(f"{sys.executable} -m claude_tui ask 'say hi' &")
        shell.expect("hello from the model")
        deadline = time.monotonic() + 60  # a bound for a busy machine, not a timing
        while time.monotonic() < deadline:
            shell.sendline("jobs -l")
            found = shell.expect([r"Done", r"Stopped", r"Running"])
            if found != 2:
                break
        assert found == 0, "the background ask was stopped or never ended"
    finally:
        shell.close(force=True)
