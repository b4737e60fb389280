"""Escape sequences in the model's text, titles and API errors reach the screen inert.

Each hostile sequence is planted with a distinctive payload, because rich and
prompt-toolkit legitimately write their own escape codes (colours, cursor moves,
rich's own OSC 8 links). The pty tests assert on the raw bytes the terminal got:
no planted sequence arrives whole, and its visible stand-in is on the screen.
"""

from __future__ import annotations

import json

import pytest
from rich.console import Console

from claude_tui.app import TurnResult
from claude_tui.ui.footer import footer
from claude_tui.ui.markdown_stream import MarkdownStream, render_markdown
from tests.api_double import ApiDouble, Reply
from tests.render import screen_lines
from tests.terminal import Terminal
from tests.test_cli import _run
from tests.test_repl import READY

# (what the model writes, what the person sees instead)
PLANTS = [
    ("\x1b]0;PWNED\x07", "␛]0;PWNED␇"),  # window title
    ("\x1b]52;c;UFdORUQ=\x07", "␛]52;c;UFdORUQ=␇"),  # clipboard write
    ("\x1b]8;;https://evil.example/PWNED\x1b\\", "␛]8;;https://evil.example/PWNED␛\\"),
    ("\x1b[2J\x1b[7;77H", "␛[2J␛[7;77H"),  # clear screen, move the cursor
    # C1 CSI / OSC / ST; as UTF-8 the CSI is b"\xc2\x9b" (a lone b"\x9b" ends "␛" too)
    ("\x9b2J\x9d0;PWNED\x9c", "<U+009B>2J<U+009D>0;PWNED<U+009C>"),
    ("bell\x07bs\x08cr\rdel\x7f", "bell␇bs␈cr␍del␡"),
]
HOSTILE = " ".join(raw for raw, _ in PLANTS)
ANSWER = f"Said: {HOSTILE}\n\n```python\nx = '{HOSTILE}'\n```\n"
TITLE_PLANTS = [PLANTS[0], PLANTS[4]]
TITLE = "".join(raw for raw, _ in TITLE_PLANTS)
DOCUMENT = "\n\n".join(
    [
        f"# Heading {PLANTS[0][0]}",
        f"Paragraph {HOSTILE}",
        f"Inline `{PLANTS[3][0]}` code and *emphasis {PLANTS[1][0]}*",
        f"```python\nx = '{HOSTILE}'\n```",
        f"| col |\n|---|\n| {HOSTILE} |",
        f"> {HOSTILE}",
        f"- item {HOSTILE}",
    ]
)


def _assert_nothing_planted_arrives(raw: bytes, plants: list[tuple[str, str]] = PLANTS) -> None:
    for hostile, _ in plants:
        assert hostile.encode() not in raw


def _assert_shown(screen: str, plants: list[tuple[str, str]] = PLANTS) -> None:
    for _, shown in plants:
        assert _count(screen, shown) >= 1


def _count(screen: str, shown: str) -> int:
    """How often ``shown`` is on screen, counting one the terminal wrapped across lines."""
    return "".join(screen.splitlines()).count(shown)


def _console(width: int) -> Console:
    """A colour terminal console, so rich writes its own escape codes among ours."""
    return Console(width=width, height=30, force_terminal=True, color_system="truecolor")


@pytest.mark.parametrize("how", ["one shot", "streamed"])
def test_every_markdown_element_renders_controls_inert(how: str) -> None:
    """Headings, paragraphs, code spans, code blocks, tables, quotes and lists show every plant."""
    console = _console(240)
    with console.capture() as capture:
        if how == "one shot":
            render_markdown(console, DOCUMENT)
        else:
            with MarkdownStream(console) as stream:
                for char in DOCUMENT:
                    stream.feed(char)
    raw = capture.get()
    _assert_nothing_planted_arrives(raw.encode())
    screen = "\n".join(screen_lines(raw, 240))
    for hostile, shown in PLANTS:
        assert screen.count(shown) == DOCUMENT.count(hostile)


def _check_on_terminal(
    env: dict[str, str], args: list[str], exit_code: int, plants: list[tuple[str, str]] = PLANTS
) -> None:
    """Run claude-tui in a pty to the end; it obeys no plant and shows each one."""
    term = Terminal(args, env)
    try:
        assert term.wait_exit() == exit_code
        _assert_nothing_planted_arrives(bytes(term.raw))
        _assert_shown(term.text, plants)
    finally:
        term.close()


@pytest.mark.parametrize(
    ("reply", "exit_code"),
    [
        (Reply(text=ANSWER, chunk=3), 0),
        (Reply(status=400, error_message=f"bad request {HOSTILE}"), 1),
    ],
    ids=["answer", "api error"],
)
def test_ask_to_a_terminal_is_inert(
    app_env: dict[str, str], api: ApiDouble, reply: Reply, exit_code: int
) -> None:
    """`ask` on a terminal shows an answer, or the server's error message, inert."""
    api.script(reply)
    _check_on_terminal(app_env, ["ask", "hi"], exit_code)


def test_ask_to_a_pipe_stays_byte_exact(app_env: dict[str, str], api: ApiDouble) -> None:
    """Piped, `ask` writes the model's text exactly as it came, for scripts."""
    api.script(Reply(text=ANSWER))
    result = _run(app_env, "ask", "hi")
    assert result.returncode == 0 and result.stdout == ANSWER


def test_repl_shows_answer_thinking_and_error_inert(terminal: Terminal, api: ApiDouble) -> None:
    """In the chat, the live answer, its thinking and an error line all show plants inert."""
    api.script(
        Reply(text=ANSWER, thinking=f"thinking {HOSTILE}", chunk=3),
        Reply(status=400, error_message=f"bad request {HOSTILE}"),
    )
    terminal.wait_for(READY)
    terminal.type("hi")
    terminal.press("enter")
    terminal.wait_for(" out ")
    terminal.type("again")
    terminal.press("enter")
    terminal.wait_for("error:")
    terminal.wait_for(READY)
    _assert_nothing_planted_arrives(bytes(terminal.raw))
    for _, shown in PLANTS:
        assert _count(terminal.text, shown) == 4


@pytest.fixture
def hostile_session(app_env: dict[str, str], api: ApiDouble) -> str:
    """A saved session whose question, answer and title all carry planted sequences."""
    api.script(Reply(text=ANSWER))
    assert _run(app_env, "ask", f"question {HOSTILE}").returncode == 0
    session_id = json.loads(_run(app_env, "sessions", "list", "--json").stdout)[0]["id"]
    assert _run(app_env, "sessions", "rename", session_id, TITLE).returncode == 0
    return session_id


def test_resume_replays_the_session_inert(app_env: dict[str, str], hostile_session: str) -> None:
    """The picker's titles, the resuming line and the replayed turns are all inert."""
    term = Terminal(["-r"], app_env)
    try:
        term.wait_for("Resume which session?")
        _assert_shown(term.wait_for(TITLE_PLANTS[1][1]), TITLE_PLANTS)
        term.press("enter")
        screen = term.wait_for(READY)
        _assert_nothing_planted_arrives(bytes(term.raw))
        for _, shown in PLANTS:
            assert _count(screen, shown) >= 3
    finally:
        term.close()


@pytest.mark.parametrize(
    ("command", "plants"),
    [
        (["sessions", "list"], TITLE_PLANTS),
        (["sessions", "search", "question"], TITLE_PLANTS),
        (["sessions", "show", "ID"], PLANTS),
        (["sessions", "export", "ID"], PLANTS),
    ],
)
def test_sessions_commands_on_a_terminal_are_inert(
    app_env: dict[str, str], hostile_session: str, command: list[str], plants: list[tuple[str, str]]
) -> None:
    """Lists, search hits, a shown session and an export printed to a terminal obey nothing."""
    args = [hostile_session if arg == "ID" else arg for arg in command]
    _check_on_terminal(app_env, args, 0, plants)


def test_export_to_a_pipe_stays_byte_exact(app_env: dict[str, str], hostile_session: str) -> None:
    """An export piped to a file or program keeps the model's text exactly as it was."""
    markdown = _run(app_env, "sessions", "export", hostile_session).stdout
    assert ANSWER.rstrip("\n") in markdown and f"# {TITLE}" in markdown


def test_json_lists_escape_controls_yet_keep_the_title(
    app_env: dict[str, str], hostile_session: str
) -> None:
    """`sessions list --json` writes the exact title, with DEL and C1 as JSON escapes."""
    document = _run(app_env, "sessions", "list", "--json").stdout
    assert "\x9b" not in document and json.loads(document)[0]["title"] == TITLE


def test_the_footer_shows_a_hostile_model_id_inert() -> None:
    """The model id in the footer comes from the server, so its controls are shown, not run."""
    result = TurnResult("complete", "claude\x1b]0;PWNED\x07", None, None, None, 1.0)
    assert footer(result).plain == "claude␛]0;PWNED␇"


def test_a_hostile_system_prompt_is_shown_inert(app_env: dict[str, str]) -> None:
    """/system shows a system prompt from the config or a resumed session without obeying it."""
    term = Terminal([], {**app_env, "CLAUDE_TUI_SYSTEM": "be \x1b]0;PWNED\x07 nice"})
    try:
        term.wait_for(READY)
        term.type("/system")
        term.press("enter")
        term.wait_for("System prompt: be ␛]0;PWNED␇ nice")
        assert b"\x1b]0;PWNED" not in term.raw
    finally:
        term.close()
