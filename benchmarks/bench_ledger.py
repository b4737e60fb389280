"""Goal 4's last figure: ``/cost`` over 1,000,000 usage ledger rows, under 150 ms.

A slot to fill once the usage ledger lands on main: build 1,000,000 rows with
the ledger's own writer in a temporary database (a tenth with ``quick``), time
the query behind ``/cost`` with :func:`benchmarks.figures.paired_medians`
against a bare ``SELECT sum(...)`` over the same rows, and return one
``Figure(4, "/cost over 1,000,000 ledger rows", ..., ceiling=0.150)``.
Until then the runner prints the row as pending.
"""

from __future__ import annotations

from benchmarks.figures import Figure

GOAL_S = 0.150


def figures(quick: bool = False) -> list[Figure]:
    """The /cost figure; pending until the usage ledger exists."""
    return [Figure(4, "/cost over 1,000,000 ledger rows", None, None, "s", ceiling=GOAL_S)]
