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
from .machine import print_table


def main() -> None:
    rows = (core_state.run() + mavlink_ingest.run() + mavlink_fleet.run()
            + drone_sim.run() + city_sim.run() + mqtt_ingest.run()
            + dispatch.run() + planning.run())
    print_table(rows)


if __name__ == "__main__":
    main()
