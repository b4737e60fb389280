"""Benchmarks for issue 6, "Fast": run them all with ``python -m benchmarks``."""
