"""One row per figure: what we measured, the baseline from the same run, and the goal.

Every benchmark returns :class:`Figure` rows and the runner prints them as one
table. A goal is either a ratio to the baseline (these machines are shared and
noisy, so a ratio measured in one run is the figure to trust) or an absolute
ceiling; a figure with neither is reported for comparison only.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

COLUMNS = ("figure", "measured", "baseline", "ratio", "goal", "holds")


@dataclass(frozen=True)
class Figure:
    """A measurement next to its baseline; ``measured`` is None for a slot not filled yet."""

    number: int  # the goal's number in issue 6, "Fast"
    name: str
    measured: float | None
    baseline: float | None
    unit: str  # "s", "s CPU" or "MB"
    max_ratio: float | None = None
    ceiling: float | None = None  # in seconds (or MB), the measured value must stay below it

    @property
    def ratio(self) -> float | None:
        """measured / baseline: below 1 means ours is cheaper."""
        if self.measured is None or not self.baseline:
            return None
        return self.measured / self.baseline

    @property
    def goal(self) -> str:
        if self.max_ratio is not None:
            return f"ratio ≤ {self.max_ratio:g}"
        if self.ceiling is not None:
            return f"< {amount(self.ceiling, self.unit)}"
        return "reported"

    @property
    def holds(self) -> str:
        """yes / NO against the goal; "pending" for an empty slot, "-" without a goal."""
        if self.measured is None:
            return "pending"
        ratio = self.ratio
        if self.max_ratio is not None and ratio is not None:
            return "yes" if ratio <= self.max_ratio else "NO"
        if self.ceiling is not None:
            return "yes" if self.measured < self.ceiling else "NO"
        return "-"

    def cells(self) -> tuple[str, ...]:
        ratio = self.ratio
        return (
            f"{self.number}. {self.name}",
            "-" if self.measured is None else amount(self.measured, self.unit),
            "-" if self.baseline is None else amount(self.baseline, self.unit),
            "-" if ratio is None else f"{ratio:.2f}x" if ratio >= 0.1 else f"{ratio:.2g}x",
            self.goal,
            self.holds,
        )


def amount(value: float, unit: str) -> str:
    """Seconds as s or ms with three significant digits; anything else as it is."""
    if not unit.startswith("s"):
        return f"{value:.0f} {unit}"
    suffix = unit[1:]
    if value >= 1:
        return f"{value:.2f} s{suffix}"
    return f"{value * 1000:.3g} ms{suffix}"


def table(figures: Sequence[Figure]) -> str:
    """A Markdown table, readable in a terminal and pasteable into the README."""
    ordered = sorted(figures, key=lambda figure: figure.number)
    rows = [COLUMNS, *(figure.cells() for figure in ordered)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
    lines = [_row(row, widths) for row in rows]
    lines.insert(1, _row(tuple("-" * width for width in widths), widths))
    return "\n".join(lines)


def _row(cells: tuple[str, ...], widths: list[int]) -> str:
    return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"


def seconds(action: Callable[[], object]) -> float:
    """Wall time of one call."""
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def paired_medians(
    ours: Callable[[], float], baseline: Callable[[], float], runs: int
) -> tuple[float, float]:
    """Medians of ``runs`` alternating measurements, so a burst of load hits both sides."""
    mine, theirs = [], []
    for _ in range(runs):
        mine.append(ours())
        theirs.append(baseline())
    return statistics.median(mine), statistics.median(theirs)


def timed_figure(
    number: int,
    name: str,
    ours: Callable[[], object],
    baseline: Callable[[], object],
    runs: int,
    ceiling: float,
) -> Figure:
    """Wall time of ``ours`` beside ``baseline``, paired medians, against a ceiling in seconds."""
    mine, theirs = paired_medians(lambda: seconds(ours), lambda: seconds(baseline), runs)
    return Figure(number, name, mine, theirs, "s", ceiling=ceiling)
