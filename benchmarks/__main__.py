"""``python -m benchmarks``: run every figure and print the table."""

from benchmarks.run import main

main()
