"""Answers of the shapes that used to cost the most: long lists, long quotes, numbered steps
with code in each, and one huge paragraph.

For each shape: the CPU of ``claude-tui ask`` rendering it to a pty against the bare
SDK script printing it (goal: at most 1.5x, as on the 200 KB mixed corpus), the
renderer's p99 time per 4-character delta (goal: under 2 ms), and how many screen
lines differ from a one-shot render of the same text (goal: none).
"""

from __future__ import annotations

import io
import statistics
import tempfile
from pathlib import Path

from rich.console import Console

from benchmarks.bench_render import ours, p99
from benchmarks.children import Finished, api_double, bare_sdk, claude_tui, environment, run_in_pty
from benchmarks.figures import Figure
from claude_tui.ui.markdown_stream import MarkdownStream, render_markdown
from tests.render import screen_lines

QUESTION = "write it"
RUNS = 3
WIDTH = 100


def shapes(quick: bool) -> dict[str, str]:
    """The shapes, at full size or a tenth of it for a smoke run."""
    scale = 10 if quick else 1
    steps = (
        f"{n}. Step {n}: run the next command and check its output.\n\n"
        + _indented(f"```bash\nmake step-{n}\n./check {n} --verbose\n```", len(f"{n}. "))
        for n in range(1, 31 // scale + 2)
    )
    return {
        "1,200-item bullet list": "\n".join(
            f"- item {n}: a point made in a few words" for n in range(1200 // scale)
        ),
        "400-line block quote": "\n".join(
            f"> quoted line {n} of the passage" for n in range(400 // scale)
        ),
        "30 numbered steps with code": "\n\n".join(steps),
        "20 KB paragraph": ("lorem ipsum dolor sit amet " * 760)[: 20_000 // scale],
    }


def _indented(text: str, width: int) -> str:
    """Code under a list item, indented to the item's text as models write it."""
    return "\n".join(" " * width + line for line in text.split("\n"))


def figures(quick: bool = False) -> list[Figure]:
    """Three rows per shape: ask CPU against the bare SDK, p99 per delta, screen equality."""
    rows = []
    for name, text in shapes(quick).items():
        _, latencies = ours(text)
        rows.append(
            Figure(6, f"{name}: render p99 per delta", p99(latencies), None, "s", ceiling=0.002)
        )
        rows.append(
            Figure(6, f"{name}: lines unlike one-shot", _unlike(text), None, "lines", ceiling=1)
        )
        rows.append(_ask_cpu(name, text, 1 if quick else RUNS))
    return rows


def _ask_cpu(name: str, text: str, runs: int) -> Figure:
    ask = [*claude_tui(), "ask", QUESTION]
    with tempfile.TemporaryDirectory() as folder, api_double(text) as url:
        env = environment(Path(folder), url)
        ours_runs: list[Finished] = []
        bare_runs: list[Finished] = []
        for _ in range(runs):
            ours_runs.append(run_in_pty(ask, env))
            bare_runs.append(run_in_pty(bare_sdk(QUESTION), env))
    return Figure(
        6,
        f"{name}: ask CPU vs bare SDK",
        statistics.median(run.cpu_seconds for run in ours_runs),
        statistics.median(run.cpu_seconds for run in bare_runs),
        "s CPU",
        max_ratio=1.5,
    )


def _unlike(text: str) -> int:
    """Screen lines that differ between streaming ``text`` in 4-character deltas and one shot."""
    streamed, once = _console(), _console()
    with MarkdownStream(streamed) as stream:
        for index in range(0, len(text), 4):
            stream.feed(text[index : index + 4])
    render_markdown(once, text)
    a, b = _screen(streamed), _screen(once)
    return sum(x != y for x, y in zip(a, b, strict=False)) + abs(len(a) - len(b))


def _console() -> Console:
    return Console(
        file=io.StringIO(), width=WIDTH, height=40, force_terminal=True, color_system=None
    )


def _screen(console: Console) -> list[str]:
    return screen_lines(console.file.getvalue(), WIDTH)  # type: ignore[attr-defined]
