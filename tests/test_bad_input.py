"""Bad input and bad storage: one clear line, the chat goes on, nothing saved is harmed."""

from __future__ import annotations

import datetime
import json
import math
import os
import resource
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from claude_tui.config import ENV_KEYS, KEYS, Config, config_to_toml, load_config
from claude_tui.errors import ConfigError
from tests.api_double import ApiDouble, Reply
from tests.terminal import Terminal
from tests.test_cli import _run
from tests.test_repl import READY

SECRET = "sk-ant-HYPOTHESIS-0123456789abcdef"


def _db(home: Path) -> Path:
    return home / "data" / "sessions.sqlite3"


def _saved(home: Path) -> list[tuple[str, str]]:
    """Every saved message of the latest session as (role, text), after an integrity check."""
    conn = sqlite3.connect(_db(home))
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        rows = conn.execute(
            "SELECT role, text FROM messages WHERE session_id = "
            "(SELECT id FROM sessions ORDER BY updated_at DESC LIMIT 1) ORDER BY seq"
        )
        return list(rows)
    finally:
        conn.close()


def _sent(api: ApiDouble) -> list[tuple[str, str]]:
    """The last request's messages as (role, text)."""
    body = api.requests[-1].body
    return [(m["role"], m["content"][0]["text"]) for m in body["messages"]]


def _exchange(text: str) -> list[tuple[str, str]]:
    return [("user", text), ("assistant", f"You said: {text}")]


@pytest.fixture
def chat(app_env: dict[str, str]) -> Iterator[Terminal]:
    """A ready interactive chat in a pty."""
    term = Terminal([], app_env)
    term.wait_for(READY)
    yield term
    term.close()


def _say(term: Terminal, text: str, wait: str | None = None, timeout: float = 15) -> None:
    term.type(text)
    term.press("enter")
    term.wait_for(wait or f"You said: {text}", timeout=timeout)


def _quit(term: Terminal) -> None:
    term.press("ctrl-d")
    assert term.wait_exit(timeout=30) == 0
    assert b"Traceback" not in term.raw


# --- config ---------------------------------------------------------------------------------


def _load_text(text: str | bytes) -> Config:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "config.toml"
        path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8", "replace"))
        return load_config(path, {}, {})


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("temperature = nan\n", ":1: temperature must be a number from 0 to 1, got nan"),
        ("temperature = 1.01\n", "temperature must be a number from 0 to 1, got 1.01"),
        ("timeout = inf\n", "timeout must be a number above 0, got inf"),
        ("timeout = 1" + "0" * 400 + "\n", "timeout must be a number above 0"),
        ("max_tokens = -1\n", "max_tokens must be an integer from 1 to 1000000, got -1"),
        ("model = 2026-11-24\n", "model must be a string, got 2026-11-24"),
        ('api_key_env = "MY KEY"\n', "api_key_env must be the name of an environment variable"),
        (
            "\n[budget]\nsession_usd = -2\n",
            ":3: budget.session_usd must be an amount in USD above 0",
        ),
        ("[budget]\ndaily_usd = nan\n", "budget.daily_usd must be an amount in USD above 0"),
        ("[budget]\nweekly_usd = 1\n", "unknown key 'budget.weekly_usd' (did you mean"),
        (
            "[[budget]]\nsession_usd = 1\n",
            "budget must be a table with session_usd and/or daily_usd",
        ),
        ("budget = 3\n", "budget must be a table with session_usd and/or daily_usd, got 3"),
        ('[pricing."m"]\ninput = 1\n', 'pricing."m" needs cache_write_5m'),
        ('[pricing."m"]\ninput = -1\n', 'pricing."m".input must be 0 or more, got -1'),
        ("[pricing]\nm = 1\n", 'pricing."m" must be a table of rates'),
        ("[colours]\nred = 1\n", ":1: unknown key 'colours'"),
    ],
)
def test_each_bad_value_is_one_precise_line(text: str, words: str) -> None:
    """Out-of-range, non-finite, mistyped and misplaced values each name the key and the value."""
    with pytest.raises(ConfigError) as caught:
        _load_text(text)
    message = str(caught.value)
    assert words in message and "\n" not in message and caught.value.exit_code == 2


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return _toml_string(value)
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    return "{" + ", ".join(_pair(k, v) for k, v in value.items()) + "}"


def _toml_string(text: str) -> str:
    """A TOML basic string: JSON's escapes, but never split into UTF-16 surrogate pairs."""
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def _pair(key: str, value: Any) -> str:
    return f"{_toml_string(key)} = {_toml_value(value)}"


def _toml_document(document: dict[str, Any]) -> str:
    """Scalars as ``key = value`` lines, tables as ``[key]`` sections, like a person writes."""
    tables = {k: v for k, v in document.items() if isinstance(v, dict)}
    lines = [_pair(k, v) for k, v in document.items() if k not in tables]
    for key, table in tables.items():
        lines.append(f"[{_toml_string(key)}]")
        lines += [_pair(k, v) for k, v in table.items()]
    return "\n".join(lines) + "\n"


KEY_NAMES = st.sampled_from([*KEYS, "api_key", "session_usd", "daily_usd", "input", "output"])
NAMES = KEY_NAMES | st.text(min_size=1, max_size=6)
SCALARS = (
    st.integers()
    | st.integers(min_value=-5, max_value=2_000_000)
    | st.floats()
    | st.booleans()
    | st.text(max_size=8)
    | st.just(SECRET)
    | st.sampled_from(["off", "adaptive", "full", "http://x", "claude-sonnet-5-5"])
    | st.datetimes()
    | st.dates()
    | st.times()
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(NAMES, inner, max_size=5),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(NAMES, VALUES, max_size=6))
def test_any_valid_toml_loads_or_is_one_config_error(document: dict[str, Any]) -> None:
    """Valid TOML of any keys, types and tables: a Config or a one-line error that hides keys."""
    try:
        _load_text(_toml_document(document))
    except ConfigError as exc:
        assert "\n" not in str(exc) and SECRET not in str(exc)


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_a_damaged_config_loads_or_is_one_config_error(data: st.DataObject) -> None:
    """A real config file with random bytes cut out or spliced in never escapes as a traceback."""
    text = config_to_toml(Config(system=SECRET, temperature=0.5)).encode()
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, min(len(text), start + 20)))
    damaged = text[:start] + data.draw(st.binary(max_size=12)) + text[end:]
    try:
        _load_text(damaged)
    except ConfigError as exc:
        assert "\n" not in str(exc) and SECRET not in str(exc)


ENV_TEXT = st.text(st.characters() | st.characters(min_codepoint=0xDC80, max_codepoint=0xDCFF))


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from([key.upper() for key in ENV_KEYS]), ENV_TEXT, max_size=4))
def test_any_environment_values_load_or_are_one_config_error(values: dict[str, str]) -> None:
    """CLAUDE_TUI_* variables of any text, undecodable bytes too, load or are one ConfigError."""
    env = {"CLAUDE_TUI_HOME": "/nonexistent", **{f"CLAUDE_TUI_{k}": v for k, v in values.items()}}
    try:
        load_config(None, env, {})
    except ConfigError as exc:
        assert "\n" not in str(exc)


@pytest.mark.parametrize(
    "text",
    [
        'model = "x\n',
        "modle = 1\n",
        'max_tokens = "many"\n',
        "temperature = 2\n",
        "[budget]\nsession_usd = 0\n",
        '[pricing."m"]\noutput = "free"\n',
        'api_key = "sk-ant-xyz"\n',
    ],
)
def test_a_bad_config_file_is_one_stderr_line_and_exit_2(
    app_env: dict[str, str], api: ApiDouble, home: Path, text: str
) -> None:
    """From the command line a bad config is exactly one line on stderr, exit 2, nothing sent."""
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text(text)
    (home / "config.toml").chmod(0o600)
    result = _run(app_env, "ask", "hi")
    assert result.returncode == 2
    assert result.stderr.startswith("claude-tui: error: ") and result.stderr.count("\n") == 1
    assert api.requests == []


def test_undecodable_environment_text_is_one_line(app_env: dict[str, str], api: ApiDouble) -> None:
    """A system prompt variable holding bytes that are not UTF-8 is refused, not a crash."""
    result = _run({**app_env, "CLAUDE_TUI_SYSTEM": "caf\udce9"}, "ask", "hi")
    assert result.returncode == 2 and result.stderr.count("\n") == 1
    assert "CLAUDE_TUI_SYSTEM: system must be valid UTF-8 text" in result.stderr


# --- input ----------------------------------------------------------------------------------


def test_a_one_megabyte_paste_is_sent_and_saved_whole(
    chat: Terminal, api: ApiDouble, home: Path
) -> None:
    """A bracketed paste of 1 MB reaches the API byte for byte and is saved whole."""
    line = "0123456789abcdef" * 4 + "\n"
    text = line * (1024 * 1024 // len(line)) + "the end"
    api.script(Reply(text="got it all"))
    chat.paste(text)
    chat.wait_for("the end", timeout=60)
    chat.press("enter")
    chat.wait_for("got it all", timeout=60)
    assert _sent(api) == [("user", text)]
    _quit(chat)
    assert _saved(home) == [("user", text), ("assistant", "got it all")]


def test_empty_and_blank_input_is_ignored(chat: Terminal, api: ApiDouble) -> None:
    """Enter on nothing, spaces, or a pasted run of blank lines sends nothing."""
    chat.press("enter")
    chat.type("   \t ")
    chat.press("enter")
    chat.paste("\n  \n\t\n")
    chat.press("enter")
    _say(chat, "now something")
    assert len([r for r in api.requests if r.path == "/v1/messages"]) == 1 and _sent(api) == [
        ("user", "now something")
    ]


@pytest.mark.parametrize("args", [["ask", "   "], ["ask"]])
def test_ask_with_only_blank_input_is_one_line(
    app_env: dict[str, str], api: ApiDouble, args: list[str]
) -> None:
    """`ask` with a blank question or blank piped text says what to do and sends nothing."""
    result = _run(app_env, *args, stdin=b" \n\t\n")
    assert result.returncode == 2 and "nothing to ask" in result.stderr
    assert result.stderr.count("\n") == 1 and api.requests == []


@pytest.mark.parametrize(
    "data",
    [b"caf\xe9", b"\xc3", b"\x80 stray", b"\xed\xa0\x80 surrogate", b"ok " * 50_000 + b"\xff"],
    ids=["latin-1", "truncated", "continuation", "encoded-surrogate", "late"],
)
def test_ask_with_undecodable_stdin_is_one_line(
    app_env: dict[str, str], api: ApiDouble, data: bytes
) -> None:
    """Whatever the broken byte and wherever it is, stdin that is not UTF-8 is one line, exit 2."""
    result = _run(app_env, "ask", stdin=data)
    assert result.returncode == 2 and result.stderr.count("\n") == 1
    assert "standard input is not valid UTF-8" in result.stderr and api.requests == []


def test_an_undecodable_argument_is_one_line(app_env: dict[str, str], api: ApiDouble) -> None:
    """A question argument holding bytes that are not UTF-8 is refused before anything is saved."""
    result = _run(app_env, "ask", "caf\udce9")
    assert result.returncode == 2
    assert result.stderr == "claude-tui: error: argument 2 is not valid UTF-8\n"
    assert api.requests == []


def test_undecodable_bytes_in_the_repl_are_replaced_and_sent(
    chat: Terminal, api: ApiDouble, home: Path
) -> None:
    """Bytes that are not UTF-8 typed or pasted become U+FFFD with a warning; the chat goes on."""
    chat.child.send(b"\x1b[200~caf\xe9 au lait\x1b[201~\r")
    chat.wait_for("replaced with")
    chat.wait_for("You said: caf\N{REPLACEMENT CHARACTER} au lait")
    assert _sent(api) == [("user", "caf\N{REPLACEMENT CHARACTER} au lait")]
    _say(chat, "still here")
    _quit(chat)
    assert _saved(home) == [
        *_exchange("caf\N{REPLACEMENT CHARACTER} au lait"),
        *_exchange("still here"),
    ]


# --- storage --------------------------------------------------------------------------------


@pytest.mark.parametrize("args", [[], ["ask", "hi"]], ids=["repl", "ask"])
def test_a_file_where_the_data_folder_should_be_is_one_line(
    app_env: dict[str, str], api: ApiDouble, home: Path, args: list[str]
) -> None:
    """An unusable data directory stops claude-tui with one line saying what to move."""
    home.mkdir(parents=True)
    (home / "data").write_text("not a folder")
    term = Terminal(args, app_env)
    try:
        assert term.wait_exit() == 1
    finally:
        term.close()
    assert "cannot use the data directory" in term.text and "move it aside" in term.text
    assert b"Traceback" not in term.raw and api.requests == []
    assert (home / "data").read_text() == "not a folder"


def test_an_unusable_history_file_costs_only_the_history(
    app_env: dict[str, str], api: ApiDouble, home: Path
) -> None:
    """A folder where the input history should be: one warning, and the chat works."""
    (home / "data" / "history").mkdir(parents=True)
    term = Terminal([], app_env)
    try:
        term.wait_for(READY)
        assert "input history not kept" in term.text
        _say(term, "still works")
        _quit(term)
    finally:
        term.close()


def test_a_read_only_data_folder_is_one_line_and_left_as_it_was(
    app_env: dict[str, str], api: ApiDouble, home: Path
) -> None:
    """With the data folder and database read-only, -c says so in one line and changes nothing."""
    assert _run(app_env, "ask", "remember").returncode == 0
    data = home / "data"
    files = {path: path.read_bytes() for path in data.iterdir()}
    for path in files:
        path.chmod(0o400)
    data.chmod(0o500)
    try:
        if os.access(data, os.W_OK):
            pytest.skip("running as root: permissions do not stop writes")
        result = _run(app_env, "ask", "more")
        assert result.returncode == 1 and result.stderr.count("\n") == 1
        assert "session database" in result.stderr and "Permission denied" in result.stderr
        assert {path: path.read_bytes() for path in data.iterdir()} == files
    finally:
        data.chmod(0o700)
        for path in files:
            path.chmod(0o600)


def _file_size_limit(limit: int) -> Callable[[], None]:
    """A child setup capping every file it writes at ``limit`` bytes: a disk that fills up."""

    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


def test_a_full_disk_warns_keeps_the_conversation_and_saved_data(
    app_env: dict[str, str], api: ApiDouble, home: Path
) -> None:
    """Writes failing for space: warnings, the next request has everything, the file is intact."""
    limit = 400_000
    term = Terminal([], app_env, preexec_fn=_file_size_limit(limit))
    try:
        term.wait_for(READY)
        _say(term, "small one")
        api.script(Reply(text="big one answered"))
        term.paste("y" * limit * 2)
        term.press("enter")
        term.wait_for("not saved: cannot write the session database", timeout=60)
        assert "input history not saved: File too large" in term.text
        _say(term, "next")
        assert _sent(api) == [
            *_exchange("small one"),
            ("user", "y" * limit * 2),
            ("assistant", "big one answered"),
            ("user", "next"),
        ]
        _quit(term)
        assert "nor kept in a recovery file (File too large)" in term.text
    finally:
        term.close()
    assert _saved(home) == _exchange("small one")
    # Only ledger rows the full disk refused may be kept aside (small enough to write);
    # the session's own recovery file could not be written, as the chat said.
    recovered = list((home / "data").glob("recovered/*"))
    assert all(path.name.startswith("usage-") for path in recovered)


def test_a_database_locked_past_the_timeout_warns_then_catches_up(
    app_env: dict[str, str], api: ApiDouble, home: Path, chat: Terminal
) -> None:
    """A lock held past the timeout: a warning, the chat goes on, then missed turns are saved."""
    _say(chat, "before")
    holder = sqlite3.connect(_db(home), isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        _say(chat, "during", "stayed locked by another process for 10 s", timeout=60)
        assert "You said: during" in chat.text
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    _say(chat, "after")
    expected = [*_exchange("before"), *_exchange("during"), *_exchange("after")]
    assert _sent(api) == expected[:-1]
    _quit(chat)
    assert _saved(home) == expected


# --- smaller truths (issue 10) ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "config"), [(["-m", ""], None), (["-m", "  "], None), ([], 'model = ""\n')]
)
def test_an_empty_model_is_refused_like_any_bad_value(
    args: list[str], config: str | None, app_env: dict[str, str], home: Path
) -> None:
    """model = "" or -m "" is one precise line, not a request for model ''."""
    if config is not None:
        home.mkdir(parents=True, exist_ok=True)
        (home / "config.toml").write_text(config)
    done = _run(app_env, *args, "ask", "hi")
    assert done.returncode == 2
    assert "model must be a non-empty string" in done.stderr and done.stderr.count("\n") == 1


@pytest.mark.parametrize("command", [["sessions", "list"], ["ask", "hi"]])
def test_a_home_that_is_a_file_is_named(
    command: list[str], app_env: dict[str, str], tmp_path: Path
) -> None:
    """CLAUDE_TUI_HOME pointing at a file says which file is in the way, not 'File exists'."""
    home = tmp_path / "not-a-folder"
    home.write_text("")
    done = _run({**app_env, "CLAUDE_TUI_HOME": str(home)}, *command)
    assert done.returncode != 0
    assert f"{home} is a file, not a folder" in done.stderr and "File exists" not in done.stderr


def test_ask_never_suggests_chat_commands(app_env: dict[str, str], api: ApiDouble) -> None:
    """ask has no /retry: its errors give the reason alone."""
    api.script(Reply(status=500, times=5))
    done = _run({**app_env, "CLAUDE_TUI_MAX_RETRIES": "0"}, "ask", "hi")
    assert done.returncode != 0
    assert "the service is busy (500 api_error)" in done.stderr
    assert "/retry" not in done.stderr


def test_a_missing_key_is_said_before_the_prompt_and_nothing_is_saved(
    app_env: dict[str, str], home: Path
) -> None:
    """No API key: one line before the prompt; a message typed anyway is refused, not saved."""
    env = {k: v for k, v in app_env.items() if k != "ANTHROPIC_API_KEY"}
    term = Terminal([], env)
    try:
        term.wait_for(READY)
        assert "error: no API key: set ANTHROPIC_API_KEY" in term.text
        term.type("hello")
        term.press("enter")
        term.wait_for(lambda screen: screen.count("no API key") == 2)
        _quit(term)
    finally:
        term.close()
    done = _run(env, "ask", "hi")
    assert done.returncode == 1 and done.stderr.startswith("claude-tui: error: no API key")
    assert "hidden" not in done.stderr
    assert "No saved sessions" in _run(env, "sessions", "list").stdout
