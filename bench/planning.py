"""Planning figures from issue 8: coverage plan, tour, response-coverage recommendation.

Targets: a coverage plan of a 2 km² polygon at 30 m spacing with two exclusion zones
under 50 ms; a tour of 50 points under 100 ms; a placement recommendation for 2,000
demand cells and 300 units under 200 ms. Medians of several runs (the machines are
noisy); ``python -m bench.planning``.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import numpy as np

from fleet.config import demo_config_path, load_config
from fleet.model import KIND_DEFAULTS, Unit, UnitKind
from fleet.planning import (
    Budget,
    LocalFrame,
    Responders,
    coverage_table,
    demand_grid,
    plan_area_coverage,
    plan_tour,
    recommend,
)
from fleet.planning.geometry import signed_area

CENTRE = (26.8930, 112.5880)
FRAME = LocalFrame(*CENTRE)


def median_ms(fn: Callable[[], object], runs: int = 7) -> float:
    fn()  # warm caches and imports
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000.0)
    return statistics.median(times)


def latlon(xy: list[tuple[float, float]]) -> np.ndarray:
    return FRAME.to_latlon(np.array(xy, dtype=float))


# an irregular 2 km² district (1.6 × 1.4 km, a notch on one side) and two no-fly zones
AREA = latlon([(0, 0), (1600, 0), (1600, 900), (1250, 1400), (500, 1400), (500, 1100),
               (0, 1100)])
EXCLUSIONS = [latlon([(300, 300), (550, 300), (550, 500), (300, 500)]),
              latlon([(1000, 700), (1250, 800), (1150, 1050), (950, 950)])]


def bench_coverage() -> tuple[float, float, int]:
    def once():
        return plan_area_coverage(AREA, spacing_m=30.0, speed_m_s=12.0,
                                  exclusions=EXCLUSIONS, start=(CENTRE[0] - 0.003, CENTRE[1]))
    plan = once()
    area_km2 = abs(signed_area(FRAME.to_xy(AREA)))
    assert 1.9e6 < area_km2 < 2.1e6
    return median_ms(once), area_km2 / 1e6, len(plan.detail.segments)  # type: ignore[union-attr]


def bench_sorties() -> float:
    plan = plan_area_coverage(AREA, spacing_m=30.0, speed_m_s=12.0, exclusions=EXCLUSIONS)
    return median_ms(lambda: plan.sorties(CENTRE, Budget(35 * 60), parts=2))


def bench_tour() -> float:
    pts = np.random.default_rng(8).uniform(-4000, 4000, (50, 2))
    return median_ms(lambda: plan_tour(pts, start=np.zeros(2)))


def _fleet(n: int, demand) -> Responders:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(300)
    kinds = [UnitKind.PATROL_CAR, UnitKind.MOTORCYCLE, UnitKind.COMMAND_VEHICLE]
    units = [Unit(f"u{i}", f"U{i}", kinds[i % 3], "g", None, KIND_DEFAULTS[kinds[i % 3]])
             for i in range(n)]
    lo, hi = demand.xy.min(axis=0), demand.xy.max(axis=0)
    pos = demand.frame.to_latlon(rng.uniform(lo, hi, (n, 2)))
    return Responders.at(units, pos, demand.frame)


def bench_response() -> tuple[float, float, int, int]:
    config = load_config(demo_config_path())
    demand = demand_grid(config.zones, config.key_sites, cells=2000)
    units = _fleet(300, demand)
    table_ms = median_ms(lambda: coverage_table(demand, units))
    idle = units.take(np.arange(0, 300))
    rec_ms = median_ms(lambda: recommend(demand, Responders.empty(), idle), runs=5)
    return table_ms, rec_ms, len(demand), len(units)


def run() -> list[tuple[str, str, str]]:
    cov_ms, km2, lines = bench_coverage()
    table_ms, rec_ms, cells, n_units = bench_response()
    return [
        (f"coverage plan, {km2:.1f} km² at 30 m, 2 exclusions, {lines} lines (ms)",
         f"{cov_ms:.1f}", "< 50"),
        ("  + cut into sorties for 2 drones (ms)", f"{bench_sorties():.1f}", ""),
        ("tour of 50 points, NN + 2-opt + Or-opt, 8 starts (ms)", f"{bench_tour():.1f}",
         "< 100"),
        (f"coverage table, {cells:,} cells × {n_units} units (ms)", f"{table_ms:.1f}", ""),
        (f"placement recommendation, {cells:,} cells × {n_units} idle units (ms)",
         f"{rec_ms:.1f}", "< 200"),
    ]


def main() -> None:
    from bench.machine import print_table

    print_table(run())


if __name__ == "__main__":
    main()
