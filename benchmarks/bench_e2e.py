"""End to end: a 200 KB markdown answer streamed by the API double, rendered to a pty.

``claude-tui ask`` (parsing, rendering, saving the session) against the bare SDK
script printing ``text_stream`` to the same kind of pty, both timed from exec to
exit and run alternately against the same double; and the peak resident memory
of each.
"""

from __future__ import annotations

import statistics
import tempfile
from pathlib import Path

from benchmarks.bench_render import document
from benchmarks.children import Finished, api_double, bare_sdk, claude_tui, environment, run_in_pty
from benchmarks.figures import Figure

QUESTION = "write it all"
RUNS = 5


def figures(quick: bool = False) -> list[Figure]:
    """Wall time and peak memory of one long answer, ours against the bare SDK."""
    kilobytes, runs = (4, 1) if quick else (200, RUNS)
    ask = [*claude_tui(), "ask", QUESTION]
    with tempfile.TemporaryDirectory() as folder, api_double(document(kilobytes)) as url:
        env = environment(Path(folder), url)
        if not quick:
            run_in_pty(ask, env)  # warm-up: the first start compiles our bytecode
        ours: list[Finished] = []
        bare: list[Finished] = []
        for _ in range(runs):
            ours.append(run_in_pty(ask, env))
            bare.append(run_in_pty(bare_sdk(QUESTION), env))
    return [
        Figure(
            3,
            f"ask, {kilobytes} KB answer to a pty",
            statistics.median(run.seconds for run in ours),
            statistics.median(run.seconds for run in bare),
            "s",
            max_ratio=1.25,
        ),
        Figure(
            5,
            f"peak RSS, {kilobytes} KB answer",
            statistics.median(run.peak_rss_mb for run in ours),
            statistics.median(run.peak_rss_mb for run in bare),
            "MB",
        ),
    ]
