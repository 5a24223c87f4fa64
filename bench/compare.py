"""Side by side: the benchmarks of this checkout against another one, in the same run.

    python -m bench.compare /tmp/base [--rounds 3] [--only core_state,dispatch]

The machines here are noisy (a figure of code both checkouts share swings by 10-50 %
between two runs a minute apart), so figures are only compared when measured together:
each round runs each benchmark module in the other checkout, then in this one, each in its
own process; the table gives each figure's best over the rounds (contention only ever
slows a run down, so the best is the steadiest estimate, as ``timeit`` takes the minimum)
and the change, marked ``WORSE`` beyond the tolerance (5 %). A figure is better higher
when it is a rate (``/s``, ``/CPU-s``, ``fps``, refreshes) or a throughput ratio, else
lower (times, bytes, CPU shares); counts that are the same on both sides show no change.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
MODULES = ("core_state", "mavlink_ingest", "mavlink_fleet", "drone_sim", "city_sim",
           "mqtt_ingest", "dispatch", "planning")
_NUMBER = re.compile(r"-?[\d,]*\.?\d+")
#: rates (per second, per CPU-second) and throughput ratios: higher is better
_RATE = re.compile(r"/s\b|/CPU-s|per s\b|fps|refreshes|\bratio\b| / bare", re.IGNORECASE)


def run_bench(tree: Path, only: str | None) -> dict[str, float]:
    """One ``python -m bench`` in ``tree``: figure name -> value (numeric rows only)."""
    cmd = [sys.executable, "-m", "bench", *(["--only", only] if only else [])]
    out = subprocess.run(cmd, cwd=tree, check=True, capture_output=True, text=True).stdout
    return parse_table(out)


def parse_table(text: str) -> dict[str, float]:
    figures: dict[str, float] = {}
    lines = text.splitlines()
    try:
        start = next(i for i, line in enumerate(lines) if line.startswith("---")) + 1
    except StopIteration:
        return figures
    for line in lines[start:]:
        parts = re.split(r"\s{2,}", line.strip())
        if len(parts) < 2:
            continue
        match = _NUMBER.search(parts[1])
        if match:
            figures[parts[0]] = float(match.group().replace(",", ""))
    return figures


def higher_is_better(name: str) -> bool:
    return bool(_RATE.search(name))


def change(name: str, base: float, now: float) -> float:
    """How much worse ``now`` is than ``base`` (positive: worse), as a fraction."""
    if base == 0:
        return 0.0
    return (base - now) / base if higher_is_better(name) else (now - base) / base


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.compare")
    p.add_argument("base", type=Path, help="the other checkout (e.g. a git worktree)")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--only", default=None, help="as python -m bench --only")
    p.add_argument("--tolerance", type=float, default=0.05)
    args = p.parse_args(argv)
    runs: dict[str, tuple[list[float], list[float]]] = {}
    modules = (args.only or ",".join(MODULES)).split(",")
    for r in range(args.rounds):
        for module in modules:
            for side, tree in enumerate((args.base, HERE)):
                print(f"round {r + 1}/{args.rounds}: {module} in {tree}", file=sys.stderr,
                      flush=True)
                for name, value in run_bench(tree, module).items():
                    runs.setdefault(name, ([], []))[side].append(value)
    width = max((len(n) for n in runs), default=10)
    print(f"{'figure':<{width}}  {'base':>12}  {'now':>12}  change")
    worse = 0
    for name, (base, now) in runs.items():
        if not base or not now:
            print(f"{name:<{width}}  {'-':>12}  {'-':>12}  only on one side")
            continue
        best = max if higher_is_better(name) else min
        b, n = best(base), best(now)
        c = change(name, b, n)
        flag = "  WORSE" if c > args.tolerance else ""
        worse += bool(flag)
        print(f"{name:<{width}}  {b:>12,.3f}  {n:>12,.3f}  {-c:+.1%}{flag}")
    return 1 if worse else 0


if __name__ == "__main__":
    sys.exit(main())
