"""What machine a benchmark ran on, for the tables recorded in docs."""

from __future__ import annotations

import os
import platform
from collections.abc import Sequence


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if "model name" in line)
    except (OSError, StopIteration):
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}"


def print_table(rows: Sequence[tuple[str, str, str]]) -> None:
    """The machine, then one line per figure: name, measured value, target."""
    width = max((len(r[0]) for r in rows), default=10)
    value_width = max([len("measured"), *(len(r[1]) for r in rows)])
    print(f"machine: {machine()}")
    print(f"{'figure':<{width}}  {'measured':>{value_width}}  target")
    print(f"{'-' * width}  {'-' * value_width}  {'-' * 10}")
    for name, value, target in rows:
        print(f"{name:<{width}}  {value:>{value_width}}  {target}")
