"""Start-up: how soon the prompt is drawn, and whether the first answer pays for it.

The interactive chat runs in a pseudo-terminal that answers cursor position
requests as a real one does; the prompt counts as drawn when the bottom toolbar
is on the screen. Baselines, in the same run and alternating with ours:

- time to prompt against ``python -c "import anthropic"``;
- the first answer, typed the moment the prompt appears, against the same
  claude-tui with the SDK imported before anything else (an app that loads
  everything up front): loading the SDK in the background must not make it slower;
- resident memory at that first answer against the bare SDK script answering it.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from benchmarks.children import (
    api_double,
    bare_sdk,
    claude_tui,
    environment,
    peak_rss_mb,
    run_in_pty,
)
from benchmarks.figures import Figure, paired_medians
from tests.terminal import Terminal
from tests.test_repl import READY

ANSWER = "Ready when you are."
IMPORT_SDK = [sys.executable, "-c", "import anthropic"]
UP_FRONT = [
    sys.executable,
    "-c",
    "import anthropic, runpy; runpy.run_module('claude_tui', run_name='__main__')",
]
RUNS = 7


def time_to_prompt(program: Sequence[str], env: dict[str, str]) -> float:
    """Seconds from exec to the toolbar drawn under the prompt."""
    start = time.perf_counter()
    term = Terminal([], env, program=program)
    try:
        term.wait_for(READY, timeout=60)
        return time.perf_counter() - start
    finally:
        term.close()


def first_answer(program: Sequence[str], env: dict[str, str]) -> tuple[float, float]:
    """Seconds from exec to the first answer on screen, a message sent as soon as the
    prompt is drawn; and the process's peak resident memory (MB) by then."""
    start = time.perf_counter()
    term = Terminal([], env, program=program)
    try:
        term.wait_for(READY, timeout=60)
        term.type("hello")
        term.press("enter")
        term.wait_for(ANSWER, timeout=60)
        return time.perf_counter() - start, peak_rss_mb(term.child.pid)
    finally:
        term.close()


def figures(quick: bool = False) -> list[Figure]:
    """Time to prompt, first answer and memory, each against its baseline."""
    runs = 1 if quick else RUNS
    ours = claude_tui()
    with tempfile.TemporaryDirectory() as folder, api_double(ANSWER) as url:
        env = environment(Path(folder), url)
        if not quick:
            time_to_prompt(ours, env)  # warm-up: the first start compiles our bytecode
        prompt, sdk = paired_medians(
            lambda: time_to_prompt(ours, env),
            lambda: run_in_pty(IMPORT_SDK, env).seconds,
            runs,
        )
        answers, up_front, bare_rss = [], [], []
        for _ in range(runs):
            answers.append(first_answer(ours, env))
            up_front.append(first_answer(UP_FRONT, env)[0])
            bare_rss.append(run_in_pty(bare_sdk("hello"), env).peak_rss_mb)
    first, rss = (statistics.median(column) for column in zip(*answers, strict=True))
    return [
        Figure(1, "time to prompt (pty)", prompt, sdk, "s", max_ratio=0.25),
        Figure(
            1,
            "first answer, typed at the prompt",
            first,
            statistics.median(up_front),
            "s",
            max_ratio=1.1,
        ),
        Figure(5, "peak RSS at the first answer", rss, statistics.median(bare_rss), "MB"),
    ]
