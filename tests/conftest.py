"""Shared fixtures: an isolated home for every test and the API double."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.api_double import ApiDouble
from tests.terminal import Terminal

ISOLATED_PREFIXES = ("ANTHROPIC_", "CLAUDE_TUI_")
ISOLATED_NAMES = ("NO_COLOR", "FORCE_COLOR", "EDITOR", "VISUAL", "DISPLAY", "WAYLAND_DISPLAY")


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point CLAUDE_TUI_HOME at a temporary folder and hide the developer's own setup."""
    for name in list(os.environ):
        if name.startswith(ISOLATED_PREFIXES) or name in ISOLATED_NAMES:
            monkeypatch.delenv(name)
    path = tmp_path / "home"
    monkeypatch.setenv("CLAUDE_TUI_HOME", str(path))
    return path


@pytest.fixture
def api() -> Iterator[ApiDouble]:
    """A running Anthropic API double on 127.0.0.1."""
    with ApiDouble() as double:
        yield double


@pytest.fixture
def app_env(api: ApiDouble, home: Path) -> dict[str, str]:
    """The environment for a claude-tui process that talks to the double."""
    env = dict(os.environ)
    env.update(
        {
            "ANTHROPIC_API_KEY": api.api_key,
            "CLAUDE_TUI_BASE_URL": api.base_url,
            "CLAUDE_TUI_HOME": str(home),
            "TERM": "xterm-256color",
            "COLUMNS": "100",
            "LINES": "40",
        }
    )
    return env


@pytest.fixture
def terminal(app_env: dict[str, str]) -> Iterator[Terminal]:
    """claude-tui's interactive chat in a real pseudo-terminal."""
    term = Terminal([], app_env)
    yield term
    term.close()
