"""The API key stays secret: never written, printed or echoed, and what we write is private."""

from __future__ import annotations

import json
import os
import secrets
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.api_double import ApiDouble, Reply
from tests.terminal import Terminal
from tests.test_cli import _run
from tests.test_repl import READY

KEY = "sk-ant-TESTKEY-" + secrets.token_hex(16)
WRONG_KEY = "sk-ant-TESTKEY-" + secrets.token_hex(16)


@pytest.fixture
def keyed_api() -> Iterator[ApiDouble]:
    """The API double, accepting only the recognisable KEY."""
    with ApiDouble(api_key=KEY) as double:
        yield double


@pytest.fixture
def env(keyed_api: ApiDouble, app_env: dict[str, str]) -> dict[str, str]:
    """A claude-tui environment holding KEY, with fast retries."""
    return {**app_env, "ANTHROPIC_API_KEY": KEY, "CLAUDE_TUI_BASE_URL": keyed_api.base_url}


@pytest.fixture
def open_umask() -> Iterator[None]:
    """Children start with umask 0, so only the app's own care keeps its files private."""
    previous = os.umask(0)
    yield
    os.umask(previous)


def _leaks(data: bytes) -> list[str]:
    """Which secrets (or their random halves) appear in ``data``."""
    found = []
    for key in (KEY, WRONG_KEY):
        for part in (key, key.rsplit("-", 1)[1]):
            if part.encode() in data:
                found.append(part)
    return found


def _files(root: Path) -> dict[Path, bytes]:
    return {path: path.read_bytes() for path in root.rglob("*") if path.is_file()}


def _session(env: dict[str, str]) -> str:
    """The id of the most recent session."""
    return json.loads(_run(env, "sessions", "list", "--json").stdout)[0]["id"]


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _repl_session(env: dict[str, str], api: ApiDouble, home: Path) -> bytes:
    """A chat with an answer, a 401, a 500, a model list and an export; the pty's bytes."""
    term = Terminal([], env)
    try:
        term.wait_for(READY)
        for text, wait in (
            ("hello there", "You said: hello there"),
            ("/model", "claude-opus-5-5"),
            ("rejected", "key was rejected"),
            ("broken", "service is busy"),
            (f"/export {home / 'repl-export.md'}", "Exported to"),
        ):
            if text == "rejected":
                api.script(Reply(status=401))
            elif text == "broken":
                api.script(Reply(status=500, times=3))
            term.type(text)
            term.press("enter")
            term.wait_for(wait)
        term.press("ctrl-d")
        assert term.wait_exit() == 0
    finally:
        term.close()
    return bytes(term.raw)


def test_a_whole_session_never_writes_or_prints_the_key(
    env: dict[str, str], keyed_api: ApiDouble, home: Path
) -> None:
    """REPL, ask, export, config and errors (SDK debug logging on) leave no trace of the key."""
    output = [_repl_session(env, keyed_api, home)]
    debug = {**env, "ANTHROPIC_LOG": "debug", "CLAUDE_TUI_MAX_RETRIES": "1"}
    runs = [_run(debug, "ask", "one question")]
    keyed_api.script(Reply(status=500, times=2))
    runs += [
        _run(debug, "ask", "a failing one"),
        _run({**debug, "ANTHROPIC_API_KEY": WRONG_KEY}, "ask", "with the wrong key"),
        _run(env, "config", "show"),
        _run(env, "config", "init"),
    ]
    session = _session(env)
    runs += [
        _run(env, "sessions", "export", session, "-f", "json"),
        _run(env, "sessions", "export", session, "-o", str(home / "cli-export.md")),
        _run(env, "sessions", "show", session),
    ]
    output += [(run.stdout + run.stderr).encode() for run in runs]
    assert "Request options" in runs[0].stderr, "the SDK's debug log was not on"
    assert "key was rejected" in runs[2].stderr and "service is busy" in runs[1].stderr
    sent = " ".join(value for r in keyed_api.requests for value in r.headers.values())
    assert KEY in sent and WRONG_KEY in sent, "the keys were not in use"
    files = _files(home)
    assert {"sessions.sqlite3", "history", "config.toml", "cli-export.md"} <= {
        path.name for path in files
    }
    leaks = {str(path): _leaks(data) for path, data in files.items() if _leaks(data)}
    leaks.update({f"output {n}": _leaks(data) for n, data in enumerate(output) if _leaks(data)})
    assert leaks == {}


@pytest.mark.usefixtures("open_umask")
def test_files_the_app_creates_are_private(
    env: dict[str, str], keyed_api: ApiDouble, home: Path
) -> None:
    """Whatever the umask: folders 0700; database, WAL, history, config and exports 0600."""
    data = home / "data"
    term = Terminal([], env)
    try:
        term.wait_for(READY)
        term.type("keep me")
        term.press("enter")
        term.wait_for("You said: keep me")
        live = ["sessions.sqlite3", "sessions.sqlite3-wal", "sessions.sqlite3-shm", "history"]
        assert {name: _mode(data / name) for name in live} == dict.fromkeys(live, 0o600)
        term.type(f"/export {home / 'repl.md'}")
        term.press("enter")
        term.wait_for("Exported to")
    finally:
        term.close()
    result = _run(env, "sessions", "export", _session(env), "-o", str(home / "cli.json"))
    assert result.returncode == 0, result.stderr
    config = home / "settings" / "config.toml"
    assert _run(env, "-C", str(config), "config", "init").returncode == 0
    assert {_mode(path) for path in (home, data, config.parent)} == {0o700}
    assert {_mode(path) for path in (home / "repl.md", home / "cli.json", config)} == {0o600}


def _config(home: Path, text: str, mode: int) -> Path:
    home.mkdir(parents=True, exist_ok=True)
    path = home / "config.toml"
    path.write_text(text)
    path.chmod(mode)
    return path


def test_a_readable_config_holding_a_key_warns_once_with_the_chmod(
    env: dict[str, str], home: Path
) -> None:
    """A key in a group/other-readable config earns one warning naming `chmod 600 FILE`."""
    path = _config(home, f'# old key: {KEY}\nmodel = "claude-opus-5-5"\n', 0o644)
    result = _run(env, "ask", "hi")
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == [
        f"claude-tui: warning: {path} contains an API key and other users can read it: "
        f"run chmod 600 {path}"
    ]
    assert _leaks((result.stdout + result.stderr).encode()) == []
    path.chmod(0o600)
    assert _run(env, "config", "show").stderr == ""


@pytest.mark.parametrize(
    ("line", "words"),
    [
        (f'api_key = "{KEY}"', "api_key is not allowed here"),
        (f'ANTHROPIC_API_KEY = "{KEY}"', "export it as ANTHROPIC_API_KEY"),
        (f'api_key_env = "{KEY}"', "api_key_env must be the name of an environment variable"),
        (f'max_tokens = "{KEY}"', "max_tokens must be an integer"),
        (f'[pricing."m"]\ninput = "{KEY}"', 'pricing."m".input must be a number'),
    ],
    ids=["api_key", "ANTHROPIC_API_KEY", "api_key_env", "max_tokens", "pricing"],
)
def test_a_key_in_the_config_is_refused_without_repeating_it(
    env: dict[str, str], home: Path, line: str, words: str
) -> None:
    """A key pasted into the config is one error line (exit 2) that never shows the key."""
    _config(home, line + "\n", 0o600)
    result = _run(env, "config", "show")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and words in result.stderr
    assert _leaks((result.stdout + result.stderr).encode()) == []
