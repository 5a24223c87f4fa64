"""Run every benchmark and print one table (``make bench``).

``python -m bench --only core_state,dispatch`` runs some of them; ``python -m bench.compare
DIR`` runs them side by side with another checkout (docs/benchmarks.md).
"""

from __future__ import annotations

import argparse
import importlib

from .machine import print_table

#: in the order of the table
MODULES = ("core_state", "mavlink_ingest", "mavlink_fleet", "drone_sim", "city_sim",
           "mqtt_ingest", "dispatch", "planning")


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m bench")
    p.add_argument("--only", default=",".join(MODULES), metavar="NAMES",
                   help=f"comma-separated, of: {', '.join(MODULES)}")
    args = p.parse_args(argv)
    names = [n.strip() for n in args.only.split(",") if n.strip()]
    unknown = sorted(set(names) - set(MODULES))
    if unknown:
        p.error(f"unknown benchmark {', '.join(unknown)}")
    rows = []
    for name in names:
        rows += importlib.import_module(f"bench.{name}").run()
    print_table(rows)


if __name__ == "__main__":
    main()
