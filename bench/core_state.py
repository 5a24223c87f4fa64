"""Fleet store figures from the foundation issue: ingest rate, ETA ranking, memory per unit.

Targets: >= 300,000 telemetry updates/s on one core; ranking 10,000 units by ETA to a
point (haversine + per-kind speed, top-k) under 0.5 ms; under 2 KiB per tracked unit.
"""

from __future__ import annotations

import gc
import random
import statistics
import time
import tracemalloc
from collections.abc import Callable

from fleet.eta import rank_by_eta
from fleet.model import KIND_DEFAULTS, KINDS, Telemetry, Unit
from fleet.state import FleetState
from fleet.stream import ChangeStream

N_UNITS = 10_000
CENTRE = (26.89, 112.57)


def make_units(n: int) -> list[Unit]:
    return [
        Unit(f"u{i:05d}", f"U{i:05d}", KINDS[i % len(KINDS)], f"g{i % 26:02d}", None,
             KIND_DEFAULTS[KINDS[i % len(KINDS)]])
        for i in range(n)
    ]


def make_reports(n: int, rng: random.Random) -> list[Telemetry]:
    now = time.time()
    return [
        Telemetry(CENTRE[0] + rng.uniform(-0.06, 0.06), CENTRE[1] + rng.uniform(-0.06, 0.06),
                  now, alt_m=60.0, heading_deg=rng.uniform(0, 360),
                  ground_speed_m_s=rng.uniform(0, 15), battery_pct=rng.uniform(20, 100),
                  mode="AUTO", armed=True, source_time=now)
        for _ in range(n)
    ]


def _best_of(runs: int, fn: Callable[[], float]) -> list[float]:
    return [fn() for _ in range(runs)]


def bench_ingest(with_stream: bool, runs: int = 5) -> float:
    """Updates per second through FleetState.ingest (optionally with one subscriber)."""
    rng = random.Random(1)
    units = make_units(N_UNITS)
    state = FleetState(units)
    if with_stream:
        stream = ChangeStream(state.snapshot)
        state.listener = stream
        sub = stream.subscribe(max_events=10_000)
    ids = [u.id for u in units]
    reports = make_reports(N_UNITS, rng)
    pairs = list(zip(ids, reports, strict=True)) * 10  # 100k updates per run
    ingest = state.ingest

    def once() -> float:
        t0 = time.perf_counter()
        for uid, rep in pairs:
            ingest(uid, rep, 1.0, "bench")
        dt = time.perf_counter() - t0
        if with_stream:
            sub.drain()
        return len(pairs) / dt

    once()  # warm: first reports flip every unit from LOST to AVAILABLE
    return statistics.median(_best_of(runs, once))


def bench_rank(k: int = 10, runs: int = 2000) -> tuple[float, float]:
    """Median and p99 milliseconds to rank 10,000 units by ETA to a random point."""
    rng = random.Random(2)
    units = make_units(N_UNITS)
    state = FleetState(units)
    for u, rep in zip(units, make_reports(N_UNITS, rng), strict=True):
        state.ingest(u.id, rep, 1.0)
    points = [(CENTRE[0] + rng.uniform(-0.05, 0.05), CENTRE[1] + rng.uniform(-0.05, 0.05))
              for _ in range(runs)]
    cols = state.columns
    for lat, lon in points[:50]:
        rank_by_eta(cols, lat, lon, k)
    times = []
    for lat, lon in points:
        t0 = time.perf_counter()
        rank_by_eta(cols, lat, lon, k)
        times.append((time.perf_counter() - t0) * 1e3)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.99)]


def bench_memory() -> float:
    """Bytes per tracked unit: registry, latest telemetry, columns, for 10,000 units."""
    rng = random.Random(3)
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    units = make_units(N_UNITS)
    state = FleetState(units)
    for u, rep in zip(units, make_reports(N_UNITS, rng), strict=True):
        state.ingest(u.id, rep, 1.0)
    gc.collect()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    del state, units
    return (after - before) / N_UNITS




def bench_build(runs: int = 200_000) -> float:
    """Microseconds to build one report as the MQTT bridge does (nine fields set): one
    per message, so it is part of every link's per-message cost."""
    t0 = time.perf_counter()
    for _ in range(runs):
        Telemetry(26.9, 112.6, 1.0, alt_m=62.0, heading_deg=271.5, ground_speed_m_s=8.4,
                  battery_pct=76.0, mode="patrolling", source_time=1.0)
    return (time.perf_counter() - t0) / runs * 1e6


def run() -> list[tuple[str, str, str]]:
    build_us = bench_build()
    ingest_bare = bench_ingest(with_stream=False)
    ingest_stream = bench_ingest(with_stream=True)
    rank_p50, rank_p99 = bench_rank()
    mem = bench_memory()
    return [
        ("build one Telemetry report (us)", f"{build_us:.2f}", ""),
        ("ingest, state only (updates/s)", f"{ingest_bare:,.0f}", ">= 300,000"),
        ("ingest, + 1 stream subscriber (updates/s)", f"{ingest_stream:,.0f}", ">= 300,000"),
        ("rank 10,000 by ETA, top 10 (ms, p50)", f"{rank_p50:.3f}", "< 0.5"),
        ("rank 10,000 by ETA, top 10 (ms, p99)", f"{rank_p99:.3f}", ""),
        ("memory per tracked unit (bytes)", f"{mem:,.0f}", "< 2,048"),
    ]
