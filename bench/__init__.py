"""Benchmarks: ``python -m bench`` prints a table; results are recorded in docs/benchmarks.md."""
