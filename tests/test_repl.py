"""The interactive chat in a real pseudo-terminal, typed at as a person would."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from tests.api_double import ApiDouble, Reply
from tests.terminal import Terminal

PROMPT = "\N{HEAVY RIGHT-POINTING ANGLE QUOTATION MARK ORNAMENT}"
# The bottom toolbar is drawn with the prompt, and unlike the prompt mark it never
# appears in replayed history, so it says the prompt is really ready.
READY = "tokens · /help"


def _ready(term: Terminal) -> None:
    term.wait_for(READY)


def _user_texts(api: ApiDouble) -> list[str]:
    body = api.requests[-1].body
    assert isinstance(body, dict)
    return [
        block["text"]
        for message in body["messages"]
        for block in message["content"]
        if message["role"] == "user"
    ]


def test_question_streams_a_rendered_answer_and_footer(terminal: Terminal, api: ApiDouble) -> None:
    """Typing a question and Enter shows the answer rendered as markdown, then a footer."""
    api.script(Reply(text="# Title\n\nSome **bold** words.\n\n- one\n- two\n", output_tokens=9))
    _ready(terminal)
    terminal.type("hello there")
    terminal.press("enter")
    screen = terminal.wait_for("9 out")
    assert "Title" in screen and "# Title" not in screen
    assert "Some bold words." in screen
    assert "• one" in screen
    assert _user_texts(api) == ["hello there"]


def test_alt_enter_inserts_newline_and_enter_sends_both_lines(
    terminal: Terminal, api: ApiDouble
) -> None:
    """Esc Enter adds a line to the message instead of sending it."""
    _ready(terminal)
    terminal.type("first")
    terminal.press("alt-enter")
    terminal.type("second")
    terminal.press("enter")
    terminal.wait_for("You said: first")
    assert _user_texts(api) == ["first\nsecond"]


def test_bracketed_paste_is_one_message(terminal: Terminal, api: ApiDouble) -> None:
    """A pasted block of lines is inserted whole and only Enter sends it."""
    _ready(terminal)
    terminal.paste("line one\nline two\nline three")
    terminal.wait_for("line three")
    assert api.requests == []
    terminal.press("enter")
    terminal.wait_for("You said: line one")
    assert _user_texts(api) == ["line one\nline two\nline three"]


def test_ctrl_c_mid_answer_keeps_partial_and_returns_to_prompt(
    terminal: Terminal, api: ApiDouble
) -> None:
    """Ctrl-C during a slow answer stops it, keeps the partial text and the chat goes on."""
    api.script(Reply(text="word " * 400, chunk=5, delay=0.05))
    _ready(terminal)
    terminal.type("talk slowly")
    terminal.press("enter")
    terminal.wait_for("word word word")
    terminal.press("ctrl-c")
    terminal.wait_for("interrupted")
    terminal.type("next")
    terminal.press("enter")
    terminal.wait_for("You said: next")
    body = api.requests[-1].body
    assert isinstance(body, dict)
    roles = [m["role"] for m in body["messages"]]
    assert roles == ["user", "assistant", "user"]
    partial = body["messages"][1]["content"][0]["text"]
    assert partial.startswith("word word") and len(partial) < len("word " * 400)


def test_ctrl_c_at_prompt_clears_line_and_ctrl_d_exits(terminal: Terminal) -> None:
    """Ctrl-C clears what was typed; Ctrl-D on an empty line leaves with status 0."""
    _ready(terminal)
    terminal.type("half a thought")
    terminal.wait_for("half a thought")
    terminal.press("ctrl-c")
    terminal.wait_for(lambda screen: "half a thought" not in screen.splitlines()[-3:][0])
    terminal.press("ctrl-d")
    assert terminal.wait_exit() == 0


def test_tab_completes_slash_commands(terminal: Terminal) -> None:
    """Tab completes a command name and the menu shows its description."""
    _ready(terminal)
    terminal.type("/he")
    terminal.press("tab")
    terminal.wait_for("list commands and keys")
    terminal.press("enter")
    terminal.press("enter")
    terminal.wait_for("/model [--force] [ID]")


def test_unknown_command_hints_and_sends_nothing(terminal: Terminal, api: ApiDouble) -> None:
    """A mistyped command gets a one-line hint and no request is made."""
    _ready(terminal)
    terminal.type("/modle")
    terminal.press("enter")
    terminal.wait_for("did you mean /model?")
    assert api.requests == []


def test_retry_and_undo_keep_the_conversation_valid(terminal: Terminal, api: ApiDouble) -> None:
    """/retry resends the last question in place of its answer; /undo drops the exchange."""
    api.script(Reply(text="first answer"), Reply(text="second answer"))
    _ready(terminal)
    terminal.type("question")
    terminal.press("enter")
    terminal.wait_for("first answer")
    terminal.type("/retry")
    terminal.press("enter")
    terminal.wait_for("second answer")
    body = api.requests[-1].body
    assert isinstance(body, dict)
    assert [m["role"] for m in body["messages"]] == ["user"]
    terminal.type("/undo")
    terminal.press("enter")
    terminal.wait_for("Dropped the last exchange")
    terminal.type("fresh")
    terminal.press("enter")
    terminal.wait_for("You said: fresh")
    assert _user_texts(api) == ["fresh"]


def test_model_lists_and_switches(terminal: Terminal, api: ApiDouble) -> None:
    """/model lists models from the API; /model ID switches the next request's model."""
    _ready(terminal)
    terminal.type("/model")
    terminal.press("enter")
    terminal.wait_for("claude-opus-5-5")
    terminal.type("/model claude-opus-5-5")
    terminal.press("enter")
    terminal.wait_for("Model: claude-opus-5-5")
    terminal.type("hi")
    terminal.press("enter")
    terminal.wait_for("You said: hi")
    body = api.requests[-1].body
    assert isinstance(body, dict) and body["model"] == "claude-opus-5-5"


def test_a_model_id_is_checked_even_before_the_list_was_shown(
    terminal: Terminal, api: ApiDouble
) -> None:
    """A typo in a fresh chat gets a did-you-mean and is not used; --force takes any id."""
    _ready(terminal)
    terminal.type("/model claude-opus-5-6")
    terminal.press("enter")
    terminal.wait_for("did you mean 'claude-opus-5-5'?")
    terminal.type("/model --force claude-opus-6-0")
    terminal.press("enter")
    terminal.wait_for("Model: claude-opus-6-0")
    assert not [r for r in api.requests if r.path == "/v1/messages"]


def test_a_mistyped_dash_m_is_refused_before_the_message_is_sent(
    app_env: dict[str, str], api: ApiDouble
) -> None:
    """-m with a typo: the first message gets one line with the nearest id, nothing is sent."""
    terminal = Terminal(["-m", "claude-sonet-5-5"], app_env)
    try:
        _ready(terminal)
        terminal.type("hello")
        terminal.press("enter")
        terminal.wait_for("unknown model 'claude-sonet-5-5' (did you mean 'claude-sonnet-5-5'?)")
        terminal.type("/model claude-sonnet-5-5")
        terminal.press("enter")
        terminal.wait_for("Model: claude-sonnet-5-5")
        assert not [r for r in api.requests if r.path == "/v1/messages"]
    finally:
        terminal.close()


def test_model_lists_what_each_model_takes(terminal: Terminal) -> None:
    """/model shows each model's window, longest answer, inputs, thinking and effort levels."""
    _ready(terminal)
    terminal.type("/model")
    terminal.press("enter")
    terminal.wait_for("as the API lists them now")
    screen = terminal.text
    assert re.search(
        r"claude-opus-5-5\s+1,000,000\s+128,000\s+yes\s+yes\s+yes\s+adaptive \(always\)", screen
    )
    assert re.search(r"claude-haiku-5-5\s+200,000\s+64,000\s+yes\s+no\s+no\s+budget\s+-", screen)


def test_history_persists_across_runs(app_env: dict[str, str], home: Path) -> None:
    """A message sent in one run comes back with Up in the next run."""
    first = Terminal([], app_env)
    _ready(first)
    first.type("remember me")
    first.press("enter")
    first.wait_for("You said: remember me")
    first.press("ctrl-d")
    first.wait_exit()
    second = Terminal([], app_env)
    try:
        _ready(second)
        second.press("up")
        second.wait_for(f"{PROMPT} remember me")
    finally:
        second.close()


def test_thinking_is_shown_dimmed_and_passed_back(terminal: Terminal, api: ApiDouble) -> None:
    """Thinking streams on screen, and the next request returns the signed block unchanged."""
    api.script(Reply(text="The answer.", thinking="Let me consider this."))
    _ready(terminal)
    terminal.type("think")
    terminal.press("enter")
    screen = terminal.wait_for("The answer.")
    assert "Let me consider this." in screen
    terminal.type("more")
    terminal.press("enter")
    terminal.wait_for("You said: more")
    sent = api.requests[-1].body["messages"][1]["content"][0]
    assert sent["type"] == "thinking" and sent["thinking"] == "Let me consider this."
    assert sent["signature"]


def test_copy_sends_osc52_with_the_code_block(terminal: Terminal, api: ApiDouble) -> None:
    """/copy 1 puts the first code block on the clipboard through OSC 52."""
    import base64

    api.script(Reply(text="Try:\n\n```sh\nls -la\n```\n"))
    _ready(terminal)
    terminal.type("how to list?")
    terminal.press("enter")
    terminal.wait_for("ls -la")
    terminal.type("/copy 1")
    terminal.press("enter")
    terminal.wait_for("Copied code block 1")
    payload = base64.b64encode(b"ls -la\n")
    assert b"\x1b]52;c;" + payload + b"\x07" in terminal.raw


def test_resizing_mid_answer_keeps_every_paragraph_once(
    app_env: dict[str, str], api: ApiDouble
) -> None:
    """A window narrowed while an answer streams shows each paragraph once, none lost or doubled."""
    env = {k: v for k, v in app_env.items() if k not in ("COLUMNS", "LINES")}  # as a shell has it
    paragraphs = [f"P{n}: " + "word " * 12 for n in range(1, 9)]
    api.script(Reply(text="\n\n".join(paragraphs), chunk=6, delay=0.03))
    terminal = Terminal([], env)
    try:
        _ready(terminal)
        terminal.type("write")
        terminal.press("enter")
        terminal.wait_for("P3:")
        terminal.resize(40, 60)
        screen = terminal.wait_for("tok/s")
    finally:
        terminal.close()
    flat = "".join(screen.splitlines())
    assert [flat.count(f"P{n}:") for n in range(1, 9)] == [1] * 8


def test_sdk_and_renderer_load_in_the_background_after_the_prompt(
    app_env: dict[str, str],
) -> None:
    """No SDK module is imported before the prompt is drawn; the SDK and renderer follow."""
    importtime = (sys.executable, "-X", "importtime", "-m", "claude_tui")
    term = Terminal([], app_env, program=importtime)
    try:
        # importlib.import_module's own module gets no line, but what it imports does.
        loaded = [rb"\| +anthropic\.types\r\n", rb"\| +rich\.markdown\r\n"]
        term.wait_for(lambda _: all(re.search(name, term.raw) for name in loaded), timeout=60)
        drawn = bytes(term.raw).index(READY.encode())
        assert b"anthropic" not in term.raw[:drawn]
        assert b"markdown_it" not in term.raw[:drawn]
    finally:
        term.close()


def test_ctrl_c_during_a_slow_command_returns_to_the_prompt(
    terminal: Terminal, api: ApiDouble
) -> None:
    """Ctrl-C while /model waits on a slow model list stops the command, not the chat."""
    api.models_delay = 30
    _ready(terminal)
    terminal.type("/model")
    terminal.press("enter")
    terminal.wait_for(lambda _: any(r.path == "/v1/models" for r in api.requests))
    terminal.press("ctrl-c")
    terminal.wait_for("interrupted: /model stopped")
    terminal.type("still here")
    terminal.press("enter")
    terminal.wait_for("You said: still here")


def test_ctrl_x_ctrl_e_returns_to_the_prompt_with_the_edited_text(
    app_env: dict[str, str], api: ApiDouble, tmp_path: Path
) -> None:
    """The editor's text comes back into the prompt to review; only Enter sends it."""
    editor = tmp_path / "editor.sh"
    editor.write_text('#!/bin/sh\nprintf "written in the editor" > "$1"\n')
    editor.chmod(0o755)
    terminal = Terminal([], {**app_env, "EDITOR": str(editor)})
    try:
        _ready(terminal)
        terminal.type("draft")
        terminal.type("\x18\x05")  # Ctrl-X Ctrl-E
        terminal.wait_for("written in the editor")
        terminal.type(", then reviewed")
        terminal.press("enter")
        terminal.wait_for("You said: written in the editor, then reviewed")
        assert _user_texts(api) == ["written in the editor, then reviewed"]
    finally:
        terminal.close()


def test_copy_also_uses_a_clipboard_tool_and_says_which(
    app_env: dict[str, str], api: ApiDouble, tmp_path: Path
) -> None:
    """With xclip on PATH and a display, /copy hands it the text too and names it."""
    tools = tmp_path / "bin"
    tools.mkdir()
    xclip = tools / "xclip"
    xclip.write_text(f'#!/bin/sh\ncat > "{tmp_path / "clipboard"}"\n')
    xclip.chmod(0o755)
    env = {**app_env, "PATH": f"{tools}:{app_env['PATH']}", "DISPLAY": ":0"}
    env.pop("WAYLAND_DISPLAY", None)
    api.script(Reply(text="Try:\n\n```sh\nls -la\n```\n"))
    terminal = Terminal([], env)
    try:
        _ready(terminal)
        terminal.type("how to list?")
        terminal.press("enter")
        terminal.wait_for("ls -la")
        terminal.type("/copy 1")
        terminal.press("enter")
        terminal.wait_for("with OSC 52 and xclip")
    finally:
        terminal.close()
    assert (tmp_path / "clipboard").read_text() == "ls -la\n"


def test_vi_mode_edits_with_vi_keys_and_shows_its_mode(
    app_env: dict[str, str], api: ApiDouble, home: Path
) -> None:
    """editing_mode = "vi": Esc shows normal mode, 0 x deletes the first character, Enter sends."""
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text('editing_mode = "vi"\n')
    terminal = Terminal([], app_env)
    try:
        terminal.wait_for("vi: insert ·")
        terminal.type("xhello")
        terminal.wait_for("xhello")
        terminal.type("\x1b")
        terminal.wait_for("vi: normal ·")
        terminal.type("0x")
        terminal.wait_for(lambda screen: "xhello" not in screen)
        terminal.press("enter")
        terminal.wait_for("You said: hello")
    finally:
        terminal.close()
    assert _user_texts(api) == ["hello"]


def test_a_cut_answer_offers_continue(terminal: Terminal, api: ApiDouble) -> None:
    """An answer cut at max_tokens says how to go on, and /continue streams the rest."""
    api.script(Reply(text="Counting: one two", stop_reason="max_tokens"), Reply(text=" three."))
    _ready(terminal)
    terminal.type("count")
    terminal.press("enter")
    terminal.wait_for("the answer reached max_tokens: /continue goes on from where it stopped")
    terminal.type("/continue")
    terminal.press("enter")
    terminal.wait_for("three.")
    assert api.requests[-1].body["messages"][1]["content"][0]["text"] == "Counting: one two"


def test_think_and_effort_follow_the_models_capabilities(
    terminal: Terminal, api: ApiDouble
) -> None:
    """/effort refuses a level the model lacks in one line; what is set goes out as the API asks."""
    _ready(terminal)
    terminal.type("/effort xhigh")
    terminal.press("enter")
    terminal.wait_for("claude-sonnet-5-5 takes effort low, medium, high, max, not xhigh")
    terminal.type("/effort high")
    terminal.press("enter")
    terminal.wait_for("Effort: high")
    terminal.type("/model claude-opus-5-5")
    terminal.press("enter")
    terminal.type("/think 4096")
    terminal.press("enter")
    terminal.wait_for("takes no thinking budget: it thinks adaptively")
    terminal.type("go")
    terminal.press("enter")
    terminal.wait_for("You said: go")
    body = api.requests[-1].body
    assert body["output_config"] == {"effort": "high"}
    assert body["thinking"] == {"type": "adaptive"} and body["model"] == "claude-opus-5-5"
