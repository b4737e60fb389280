"""Streaming render cost: ours against a naive full re-render per delta, same run.

Feeds a markdown answer in 4-character deltas into an in-memory terminal
console. The naive renderer re-renders the whole document in a ``rich.live.Live``
on every delta, as several peers do; it is quadratic, so it runs on a small
document only and its ratio compares like with like. Run through
``python -m benchmarks``.
"""

from __future__ import annotations

import io
import statistics
import time
from dataclasses import dataclass

from rich.console import Console
from rich.live import Live
from rich.markdown import Markdown

from benchmarks.figures import Figure
from claude_tui.ui.markdown_stream import MarkdownStream

DELTA = 4


@dataclass(frozen=True)
class Sizes:
    """Answer sizes in KB, and runs per measurement."""

    small: int
    large: int
    naive: int  # the naive renderer is quadratic: 10 KB takes it about 90 s here
    runs: int


FULL = Sizes(small=10, large=200, naive=4, runs=3)
QUICK = Sizes(small=2, large=20, naive=1, runs=1)


def document(kilobytes: int) -> str:
    """Prose, lists, a table and code blocks (one of 300 lines), repeated to size."""
    code = "\n".join(f"    value_{n} = compute({n})  # step {n}" for n in range(300))
    unit = (
        "## Section\n\nSome prose with **bold** and `code`, long enough to wrap around the "
        "terminal width at least once or twice in a typical window.\n\n"
        + "\n".join(f"- point {n} of the list" for n in range(12))
        + "\n\n| name | value |\n|---|---|\n| a | 1 |\n| b | 2 |\n\n"
        + "```python\ndef f():\n"
        + code
        + "\n```\n\n"
    )
    text = ""
    while len(text) < kilobytes * 1024:
        text += unit
    return text[: kilobytes * 1024]


def console() -> Console:
    return Console(
        file=io.StringIO(), width=100, height=40, force_terminal=True, color_system="truecolor"
    )


def ours(text: str) -> tuple[float, list[float]]:
    """CPU seconds in total and per-delta latencies for MarkdownStream."""
    latencies = []
    start = time.process_time()
    with MarkdownStream(console()) as stream:
        for index in range(0, len(text), DELTA):
            before = time.perf_counter()
            stream.feed(text[index : index + DELTA])
            latencies.append(time.perf_counter() - before)
    return time.process_time() - start, latencies


def naive(text: str) -> float:
    """CPU seconds to re-render the whole markdown on every delta."""
    start = time.process_time()
    with Live(console=console(), auto_refresh=False) as live:
        for index in range(0, len(text), DELTA):
            live.update(Markdown(text[: index + DELTA]), refresh=True)
    return time.process_time() - start


def p99(values: list[float]) -> float:
    return statistics.quantiles(values, n=100)[98]


def _median_run(text: str, runs: int) -> tuple[float, float]:
    """Median CPU seconds and median per-delta p99 of ``runs`` renders of ``text``."""
    results = [ours(text) for _ in range(runs)]
    cpu = statistics.median(total for total, _ in results)
    return cpu, statistics.median(p99(latencies) for _, latencies in results)


def figures(quick: bool = False) -> list[Figure]:
    """CPU against the naive renderer, and whether per-delta cost stays flat as answers grow."""
    sizes = QUICK if quick else FULL
    small_cpu, small_p99 = _median_run(document(sizes.small), sizes.runs)
    large_cpu, large_p99 = _median_run(document(sizes.large), sizes.runs)
    tiny = document(sizes.naive)
    tiny_cpu, _ = _median_run(tiny, sizes.runs)
    naive_cpu = statistics.median(naive(tiny) for _ in range(sizes.runs))
    return [
        Figure(
            2,
            f"render {sizes.naive} KB: CPU vs naive Live re-render",
            tiny_cpu,
            naive_cpu,
            "s CPU",
            max_ratio=0.05,
        ),
        Figure(
            2,
            f"render p99 per delta: {sizes.large} KB vs {sizes.small} KB",
            large_p99,
            small_p99,
            "s",
            max_ratio=2.0,
        ),
        Figure(
            2,
            f"render CPU per KB: {sizes.large} KB vs {sizes.small} KB",
            large_cpu / sizes.large,
            small_cpu / sizes.small,
            "s CPU",
        ),
    ]
