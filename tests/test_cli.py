"""The command line from outside: real processes, real pipes, the API double behind them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from claude_tui import __version__
from claude_tui.core.conversation import Message
from claude_tui.store import Store
from tests.api_double import ApiDouble, Reply
from tests.terminal import Terminal


def _run(env: dict[str, str], *args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "claude_tui", *args],
        input=stdin,
        env=env,
        capture_output=True,
        timeout=60,
        check=False,
    )
    return subprocess.CompletedProcess(
        result.args,
        result.returncode,
        result.stdout.decode("utf-8", "replace"),
        result.stderr.decode("utf-8", "replace"),
    )


def _run_importtime(env: dict[str, str], *args: str) -> tuple[str, set[str]]:
    """Standard output, and the top-level packages the run imported anything from."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "claude_tui", *args],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    modules = (line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines())
    return result.stdout, {module.split(".")[0] for module in modules}


def test_version_prints_without_importing_the_sdk(app_env: dict[str, str]) -> None:
    """--version answers without paying for the anthropic import."""
    stdout, imported = _run_importtime(app_env, "--version")
    assert stdout.strip() == f"claude-tui {__version__}"
    assert "anthropic" not in imported and "prompt_toolkit" not in imported


def test_help_prints_without_importing_the_sdk(app_env: dict[str, str]) -> None:
    """--help, for the app and for a command, answers without the SDK or the chat UI."""
    for args in (["--help"], ["ask", "--help"]):
        stdout, imported = _run_importtime(app_env, *args)
        assert "Usage: claude-tui" in stdout
        assert "anthropic" not in imported and "httpx2" not in imported
        assert "prompt_toolkit" not in imported


def test_ask_piped_prints_plain_markdown(app_env: dict[str, str], api: ApiDouble) -> None:
    """When stdout is a pipe, ask writes the raw markdown and exits 0."""
    api.script(Reply(text="# Heading\n\n**bold**"))
    result = _run(app_env, "ask", "what?")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "# Heading\n\n**bold**\n"
    assert api.requests[-1].body["messages"][0]["content"][0]["text"] == "what?"


def test_ask_reads_the_question_from_stdin(app_env: dict[str, str], api: ApiDouble) -> None:
    """`echo question | claude-tui ask` sends the piped text."""
    result = _run(app_env, "ask", stdin=b"from a pipe\n")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "You said: from a pipe\n"


def test_ask_puts_piped_text_after_the_question(app_env: dict[str, str], api: ApiDouble) -> None:
    """A question plus piped text sends both, the question first."""
    _run(app_env, "ask", "review this", stdin=b"diff --git a b\n")
    sent = api.requests[-1].body["messages"][0]["content"][0]["text"]
    assert sent == "review this\n\ndiff --git a b\n"


def test_ask_with_invalid_utf8_is_one_error_line(app_env: dict[str, str]) -> None:
    """Bytes that are not UTF-8 on stdin give an error line, not a traceback."""
    result = _run(app_env, "ask", stdin=b"\xff\xfe bad")
    assert result.returncode == 2
    assert "not valid UTF-8" in result.stderr and "Traceback" not in result.stderr


def test_ask_failure_exits_non_zero_with_one_line(app_env: dict[str, str], api: ApiDouble) -> None:
    """A rejected key exits 1 with a single error line on stderr."""
    api.script(Reply(status=401))
    result = _run(app_env, "ask", "hi")
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "key was rejected" in result.stderr
    assert api.api_key not in result.stderr + result.stdout


def test_ask_without_a_key_says_how_to_set_it(app_env: dict[str, str]) -> None:
    """With no key in the environment the error says which variable to export."""
    env = {k: v for k, v in app_env.items() if k != "ANTHROPIC_API_KEY"}
    result = _run(env, "ask", "hi")
    assert result.returncode == 1 and "export ANTHROPIC_API_KEY" in result.stderr


def test_ask_to_a_terminal_renders_markdown(app_env: dict[str, str], api: ApiDouble) -> None:
    """When stdout is a terminal, ask renders the markdown instead of printing it raw."""
    api.script(Reply(text="# Heading\n\n- item"))
    term = Terminal(["ask", "hi"], app_env)
    try:
        assert term.wait_exit() == 0
        assert "• item" in term.text and "# Heading" not in term.text
    finally:
        term.close()


def test_malformed_config_is_one_line_exit_2(app_env: dict[str, str], home: Path) -> None:
    """A broken config file names the file and line, exits 2, and shows no traceback."""
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text('model = "x"\nmax_tokens = \n')
    for args in (["ask", "hi"], []):
        result = _run(app_env, *args, stdin=b"hello")
        assert result.returncode == 2
        assert str(home / "config.toml") in result.stderr and "Traceback" not in result.stderr
        assert result.stderr.count("\n") == 1


def test_bare_command_answers_piped_input(app_env: dict[str, str], api: ApiDouble) -> None:
    """`echo question | claude-tui`, with no command, answers like ask."""
    result = _run(app_env, stdin=b"from a pipe\n")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "You said: from a pipe\n"


def test_config_init_then_show_gives_defaults(app_env: dict[str, str], home: Path) -> None:
    """`config init` writes the example file (private) and `config show` reads it back."""
    assert _run(app_env, "config", "path").stdout.strip() == str(home / "config.toml")
    assert _run(app_env, "config", "init").returncode == 0
    assert (home / "config.toml").stat().st_mode & 0o077 == 0
    shown = _run(app_env, "config", "show")
    assert shown.returncode == 0 and 'model = "claude-sonnet-5-5"' in shown.stdout
    again = _run(app_env, "config", "init")
    assert again.returncode == 2 and "already exists" in again.stderr


def test_model_flag_overrides_config(app_env: dict[str, str], api: ApiDouble) -> None:
    """-m on the command line wins over the environment and the file."""
    env = {**app_env, "CLAUDE_TUI_MODEL": "claude-haiku-5-5"}
    _run(env, "-m", "claude-opus-5-5", "ask", "hi")
    assert api.requests[-1].body["model"] == "claude-opus-5-5"


def test_a_mistyped_model_is_one_line_and_nothing_is_sent(
    app_env: dict[str, str], api: ApiDouble
) -> None:
    """ask -m with a typo exits 2 with the nearest id and no chat advice; nothing is sent."""
    result = _run(app_env, "-m", "claude-sonet-5-5", "ask", "hi")
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "claude-tui: error: unknown model 'claude-sonet-5-5' (did you mean 'claude-sonnet-5-5'?)"
    ]
    assert not [r for r in api.requests if r.path == "/v1/messages"]


def test_usage_errors_are_one_line_and_help_shows_no_value_for_flags(
    app_env: dict[str, str],
) -> None:
    """A missing argument or unknown option is one line with exit 2; --help lists flags plainly."""
    for args, words in (
        (["sessions", "show"], "Missing argument 'ref'"),
        (["--bogus"], "No such option: --bogus"),
        (["sessions", "nope"], "No such command 'nope'"),
    ):
        done = _run(app_env, *args)
        assert done.returncode == 2
        assert done.stderr.startswith("claude-tui: error: ") and words in done.stderr
        assert done.stderr.count("\n") == 1 and "╭" not in done.stderr
    help_text = _run(app_env, "sessions", "list", "--help").stdout
    assert "--json" in help_text and "<bool>" not in help_text and "╭" not in help_text


def test_shell_completion_offers_commands_and_session_ids(
    app_env: dict[str, str], home: Path
) -> None:
    """--show-completion prints a bash script; completing a session ref lists saved ids."""
    store = Store.open(home / "data" / "sessions.sqlite3")
    session = store.create_session("m", None)
    store.save_message(session.id, 0, Message("user", [{"type": "text", "text": "hi"}]))
    script = _run(app_env, "--show-completion", "bash").stdout
    assert "_CLAUDE_TUI_COMPLETE=complete_bash" in script
    env = {**app_env, "_CLAUDE_TUI_COMPLETE": "complete_bash", "COMP_CWORD": "3"}
    ids = _run({**env, "COMP_WORDS": "claude-tui sessions show "}).stdout.split()
    assert ids == [session.id]
    commands = _run({**env, "COMP_WORDS": "claude-tui sess", "COMP_CWORD": "1"}).stdout.split()
    assert commands == ["sessions"]


def test_shell_completion_offers_kept_model_ids_and_roles(
    app_env: dict[str, str], home: Path, api: ApiDouble
) -> None:
    """-m completes from the models list kept by an earlier run; --role from the config."""
    assert _run(app_env, "ask", "hi").returncode == 0  # keeps the list
    (home / "config.toml").write_text('[roles.reviewer]\nsystem = "Review."\n')
    env = {**app_env, "_CLAUDE_TUI_COMPLETE": "complete_bash", "COMP_CWORD": "2"}
    models = _run({**env, "COMP_WORDS": "claude-tui -m claude-"}).stdout.split()
    assert models == ["claude-haiku-5-5", "claude-opus-5-5", "claude-sonnet-5-5"]
    roles = _run({**env, "COMP_WORDS": "claude-tui --role re"}).stdout.split()
    assert roles == ["reviewer"]
