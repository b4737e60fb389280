"""Where claude-tui keeps its config and data; CLAUDE_TUI_HOME puts both under one folder."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import platformdirs

APP = "claude-tui"
HOME_VARIABLE = "CLAUDE_TUI_HOME"


def config_path(env: Mapping[str, str] = os.environ) -> Path:
    """The default config file."""
    home = env.get(HOME_VARIABLE)
    if home:
        return Path(home) / "config.toml"
    return Path(platformdirs.user_config_dir(APP)) / "config.toml"


def data_dir(env: Mapping[str, str] = os.environ) -> Path:
    """The data folder, created private (0700) on first use."""
    home = env.get(HOME_VARIABLE)
    path = Path(home) / "data" if home else Path(platformdirs.user_data_dir(APP))
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def history_path(env: Mapping[str, str] = os.environ) -> Path:
    """The REPL's input history, kept across runs."""
    return data_dir(env) / "history"


def ensure_private_file(path: Path) -> None:
    """Create ``path`` readable by its owner only, or tighten it if it exists."""
    fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_APPEND, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)


def write_private(path: Path, text: str) -> None:
    """Write a file that only its owner can read, whatever the umask."""
    ensure_private_file(path)
    path.write_text(text, encoding="utf-8")
