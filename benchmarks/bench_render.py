"""Streaming render cost: ours against a naive full re-render per delta, same run.

Feeds a markdown answer in 4-character deltas into an in-memory terminal
console. The naive renderer re-renders the whole document in a ``rich.live.Live``
on every delta, as several peers do; it is quadratic, so it runs on the
smaller document only and the printed ratio compares like with like.

    python benchmarks/bench_render.py
"""

from __future__ import annotations

import io
import statistics
import time

from rich.console import Console
from rich.live import Live
from rich.markdown import Markdown

from claude_tui.ui.markdown_stream import MarkdownStream

DELTA = 4
# The naive renderer is quadratic: 10 KB takes it about 90 s here, so it gets 4 KB.
NAIVE_KB = 4


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


def main() -> None:
    small, large, tiny = document(10), document(200), document(NAIVE_KB)
    small_cpu, small_lat = ours(small)
    large_cpu, large_lat = ours(large)
    tiny_cpu, _ = ours(tiny)
    naive_cpu = naive(tiny)
    print(f"ours   10 KB: {small_cpu:7.2f} s CPU, p99 per delta {p99(small_lat) * 1e3:.2f} ms")
    print(f"ours  200 KB: {large_cpu:7.2f} s CPU, p99 per delta {p99(large_lat) * 1e3:.2f} ms")
    print(f"naive   {NAIVE_KB} KB: {naive_cpu:7.2f} s CPU (re-render per delta)")
    print(f"ours    {NAIVE_KB} KB: {tiny_cpu:7.2f} s CPU")
    print(f"naive / ours at {NAIVE_KB} KB: {naive_cpu / tiny_cpu:.1f}x")
    print(f"p99 at 200 KB / p99 at 10 KB: {p99(large_lat) / p99(small_lat):.2f}")
    print(f"ours CPU per KB, 200 KB / 10 KB: {(large_cpu / 200) / (small_cpu / 10):.2f}")


if __name__ == "__main__":
    main()
