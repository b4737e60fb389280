"""Run the programs being compared the way a person would: in a pseudo-terminal, clean home.

Both sides of every comparison start here with the same environment and the
same kind of terminal, and are timed from just before exec.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pty
import struct
import subprocess
import sys
import sysconfig
import tempfile
import termios
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

ROWS, COLS = 40, 100
API_KEY = "sk-ant-bench-key"
DOUBLE = Path(__file__).resolve().parent.parent / "tests" / "api_double.py"
BARE_SDK = Path(__file__).resolve().parent / "bare_sdk.py"
# Bytecode: pip compiles it when it installs a package, so an installed claude-tui and the
# SDK both start from .pyc files. A developer shell may forbid writing them
# (PYTHONDONTWRITEBYTECODE); the children may, so our side is not compiled on every start.
DROPPED = ("PYTHONDONTWRITEBYTECODE", "NO_COLOR", "FORCE_COLOR")
ISOLATED_PREFIXES = ("ANTHROPIC_", "CLAUDE_TUI_")


def claude_tui() -> list[str]:
    """The installed ``claude-tui`` script, or the module when it is not installed as one."""
    script = Path(sysconfig.get_path("scripts")) / "claude-tui"
    return [str(script)] if script.exists() else [sys.executable, "-m", "claude_tui"]


def bare_sdk(question: str) -> list[str]:
    """The baseline: the SDK's own streaming example and nothing else."""
    return [sys.executable, str(BARE_SDK), question]


def environment(home: Path, base_url: str) -> dict[str, str]:
    """Only what a fresh user has, plus a key and the address of the API double."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(ISOLATED_PREFIXES) and name not in DROPPED
    }
    env.update(
        HOME=str(home),
        CLAUDE_TUI_HOME=str(home / "claude-tui"),
        ANTHROPIC_API_KEY=API_KEY,
        ANTHROPIC_BASE_URL=base_url,
        TERM="xterm-256color",
        COLUMNS=str(COLS),
        LINES=str(ROWS),
    )
    return env


@contextlib.contextmanager
def api_double(answer: str, chunk: int = 4) -> Iterator[str]:
    """tests/api_double.py in a process of its own answering every message with ``answer``.

    Its own process, so serving does not share a GIL with the side reading the terminal.
    Yields the base URL.
    """
    with tempfile.NamedTemporaryFile("w", suffix=".md", encoding="utf-8") as file:
        file.write(answer)
        file.flush()
        command = [sys.executable, str(DOUBLE), "--api-key", API_KEY, "--reply-file", file.name]
        command += ["--chunk", str(chunk)]
        with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as server:
            try:
                assert server.stdout is not None
                yield server.stdout.readline().strip()
            finally:
                server.terminate()


@dataclass(frozen=True)
class Finished:
    """A child that ran to its end in a pty."""

    seconds: float  # from just before exec to its exit
    peak_rss_mb: float
    cpu_seconds: float  # user and system time of the child
    output: bytes


def run_in_pty(argv: Sequence[str], env: dict[str, str]) -> Finished:
    """Run to the end with a pty as stdin, stdout and stderr, reading everything it draws."""
    parent, child = pty.openpty()
    fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
    streams = [(os.POSIX_SPAWN_DUP2, child, fd) for fd in (0, 1, 2)]
    start = time.perf_counter()
    pid = os.posix_spawn(argv[0], list(argv), env, file_actions=streams, setsid=True)
    os.close(child)
    output = _drain(parent)
    _, status, usage = os.wait4(pid, 0)
    elapsed = time.perf_counter() - start
    os.close(parent)
    if os.waitstatus_to_exitcode(status) != 0:
        tail = output[-800:].decode("utf-8", "replace")
        raise RuntimeError(f"{' '.join(argv)} failed; its last output:\n{tail}")
    cpu = usage.ru_utime + usage.ru_stime
    return Finished(elapsed, usage.ru_maxrss / 1024, cpu, output)


def _drain(fd: int) -> bytes:
    """Read until the child side closes (EIO on Linux once every writer has gone)."""
    chunks = []
    while True:
        try:
            data = os.read(fd, 1 << 16)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    return b"".join(chunks)


def peak_rss_mb(pid: int) -> float:
    """The high-water mark of a running process's resident memory (VmHWM)."""
    status = Path(f"/proc/{pid}/status").read_text()
    line = next(line for line in status.splitlines() if line.startswith("VmHWM:"))
    return int(line.split()[1]) / 1024
