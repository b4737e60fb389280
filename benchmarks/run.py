"""Every figure of issue 6 ("Fast") in one table: ``python -m benchmarks [--quick]``.

Each suite generates its own data in a temporary folder, measures ours and its
baseline alternately in this run (medians of several runs), and returns rows;
progress goes to stderr and the table, in Markdown, to stdout. ``--quick`` uses
small data and single runs: a smoke test of the machinery, not figures to quote.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable

from benchmarks import (
    bench_e2e,
    bench_ledger,
    bench_render,
    bench_shapes,
    bench_startup,
    bench_store,
)
from benchmarks.figures import Figure, table

SUITES: dict[str, Callable[[bool], list[Figure]]] = {
    "startup": bench_startup.figures,
    "render": bench_render.figures,
    "e2e": bench_e2e.figures,
    "store": bench_store.figures,
    "ledger": bench_ledger.figures,
    "shapes": bench_shapes.figures,
}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small data, one run each")
    parser.add_argument(
        "--only", action="append", choices=SUITES, help="run just this suite (repeatable)"
    )
    args = parser.parse_args(argv)
    figures: list[Figure] = []
    for name in args.only or SUITES:
        started = time.perf_counter()
        print(f"{name} ...", end=" ", file=sys.stderr, flush=True)
        figures += SUITES[name](args.quick)
        print(f"{time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
    print(table(figures))
