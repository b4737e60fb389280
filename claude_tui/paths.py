"""Where claude-tui keeps its config and data; CLAUDE_TUI_HOME puts both under one folder."""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Mapping
from pathlib import Path

import platformdirs

from claude_tui.errors import StoreError

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
    try:
        make_private_dir(path)
    except OSError as exc:
        raise StoreError(f"cannot use the data directory {path}: {_reason(path, exc)}") from None
    return path


def make_private_dir(path: Path) -> None:
    """Create ``path`` and any missing parents 0700 (``mkdir -p`` gives parents 0755)."""
    for folder in reversed((path, *path.parents)):
        if not folder.is_dir():
            folder.mkdir(mode=0o700, exist_ok=True)


def _reason(path: Path, exc: OSError) -> str:
    """Name the file that stands where a folder should be, wherever it is on the path."""
    for folder in (path, *path.parents):
        if folder.exists() and not folder.is_dir():
            return f"{folder} is a file, not a folder: move it aside"
    return exc.strerror or str(exc)


def history_path(env: Mapping[str, str] = os.environ) -> Path:
    """The REPL's input history, kept across runs."""
    return data_dir(env) / "history"


def ensure_private_file(path: Path) -> None:
    """Create ``path`` readable by its owner only, or tighten it if it exists."""
    os.close(_open_private(path, os.O_APPEND))


def write_private(path: Path, text: str) -> None:
    """Write a file that only its owner can read, whatever the umask."""
    with os.fdopen(_open_private(path, os.O_TRUNC), "w", encoding="utf-8") as file:
        file.write(text)


def write_private_bytes(path: Path, data: bytes) -> None:
    """Write bytes to a file that only its owner can read, whatever the umask."""
    with os.fdopen(_open_private(path, os.O_TRUNC), "wb") as file:
        file.write(data)


def write_recovery(folder: Path, name: str, text: str) -> Path:
    """Keep what could not be saved in ``folder/recovered``, private; the file's path.

    Raises OSError when even that cannot be written (the disk that refused the
    database may refuse this too); no partial file is left behind.
    """
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = folder / "recovered" / f"{name}-{stamp}-{os.getpid()}.json"
    make_private_dir(target.parent)
    try:
        write_private(target, text)
    except OSError:
        target.unlink(missing_ok=True)  # half a recovery file would only mislead
        raise
    return target


def _open_private(path: Path, flags: int) -> int:
    """Open for writing, created 0600; a regular file that exists is tightened to 0600.

    Devices and pipes (``-o /dev/stdout``) are written to as they are.
    """
    fd = os.open(path, os.O_CREAT | os.O_WRONLY | flags, 0o600)
    if stat.S_ISREG(os.fstat(fd).st_mode):
        os.fchmod(fd, 0o600)
    return fd
