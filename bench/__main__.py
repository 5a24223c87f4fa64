"""Run every benchmark and print one table (``make bench``)."""

from __future__ import annotations

from . import (
    city_sim,
    core_state,
    dispatch,
    drone_sim,
    mavlink_fleet,
    mavlink_ingest,
    mqtt_ingest,
    planning,
)
from .machine import machine


def main() -> None:
    rows = (core_state.run() + mavlink_ingest.run() + mavlink_fleet.run()
            + drone_sim.run() + city_sim.run() + mqtt_ingest.run()
            + dispatch.run() + planning.run())
    width = max(len(r[0]) for r in rows)
    print(f"machine: {machine()}")
    print(f"{'figure':<{width}}  {'measured':>12}  target")
    print(f"{'-' * width}  {'-' * 12}  {'-' * 10}")
    for name, value, target in rows:
        print(f"{name:<{width}}  {value:>12}  {target}")


if __name__ == "__main__":
    main()
