"""The benchmark runner works end to end: every figure gets a row, the table is well formed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIGURES = (
    "1. time to prompt (pty)",
    "1. first answer, typed at the prompt",
    "2. render 1 KB: CPU vs naive Live re-render",
    "2. render p99 per delta: 20 KB vs 2 KB",
    "3. ask, 4 KB answer to a pty",
    "4. resume a 1,000-message session",
    "4. list sessions over 1,000",
    "4. search 10,000 messages",
    "4. /cost over 50,000 ledger rows",
    "4. cost --by day",
    "4. cost --by model",
    "4. cost --by session",
    "4. cost --by session --since 30d",
    "5. peak RSS at the first answer",
    "5. peak RSS, 4 KB answer",
    *(
        f"6. {shape}: {what}"
        for shape in (
            "1,200-item bullet list",
            "400-line block quote",
            "30 numbered steps with code",
            "20 KB paragraph",
        )
        for what in ("render p99 per delta", "lines unlike one-shot", "ask CPU vs bare SDK")
    ),
)


def test_quick_run_prints_a_row_for_every_figure() -> None:
    """`python -m benchmarks --quick` prints a row per figure; every streamed shape matches."""
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    rows = [line.split("|")[1:-1] for line in result.stdout.splitlines()]
    cells = [[cell.strip() for cell in row] for row in rows]
    assert cells[0] == ["figure", "measured", "baseline", "ratio", "goal", "holds"]
    by_name = {row[0]: row for row in cells[2:]}
    assert set(FIGURES) <= set(by_name)
    for name in FIGURES:
        assert by_name[name][5] in ("yes", "NO", "-", "pending"), by_name[name]
    unlike = [name for name in FIGURES if name.endswith("lines unlike one-shot")]
    assert [by_name[name][1] for name in unlike] == ["0 lines"] * len(unlike)
