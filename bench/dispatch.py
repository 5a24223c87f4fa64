"""Dispatch figures (issue 7): recommendation over 10,000 units, audit append rate with
durability, verification and report speed.

Targets: a recommendation over 10,000 units under 1 ms; 1,000 audit events/s appended
durably (synchronous=FULL: each commit is fsynced before its appends are acknowledged).

    python -m bench.dispatch
"""

from __future__ import annotations

import asyncio
import itertools
import statistics
import tempfile
import time
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import numpy as np

from fleet.config import demo_config_path
from fleet.dispatch.anchor_file import default_anchor_dir, read_anchors
from fleet.dispatch.audit import AuditLog, open_readonly, select, verify_db
from fleet.dispatch.categories import DEFAULT_CATEGORIES
from fleet.dispatch.chain import AuditEntry
from fleet.dispatch.incident import INCIDENT_EVENT_KINDS, EventKind, IncidentEvent
from fleet.dispatch.ledger import to_entry
from fleet.dispatch.places import Placement
from fleet.dispatch.recommend import Recommender
from fleet.dispatch.reports import build
from fleet.dispatch.settings import DispatchSettings
from fleet.eta import rank_by_eta
from fleet.model import KIND_DEFAULTS, KINDS, Telemetry, Unit, UnitStatus
from fleet.state import FleetState

N_UNITS = 10_000
CENTRE = (26.89, 112.60)


def fleet(n: int = N_UNITS, seed: int = 7) -> FleetState:
    """``n`` units of every kind within ~10 km, random battery, a tenth committed."""
    rng = np.random.default_rng(seed)
    units = [Unit(f"u{i:05d}", f"U{i:05d}", KINDS[i % len(KINDS)], "g", None,
                  KIND_DEFAULTS[KINDS[i % len(KINDS)]]) for i in range(n)]
    state = FleetState(units)
    now = time.time()
    for i, u in enumerate(units):
        state.ingest(u.id, Telemetry(CENTRE[0] + rng.uniform(-0.09, 0.09),
                                     CENTRE[1] + rng.uniform(-0.09, 0.09), now,
                                     battery_pct=float(rng.uniform(5, 100))), 1.0)
        if i % 10 == 0:
            state.set_status(u.id, UnitStatus.EN_ROUTE)
    return state


def timings_ms(fn: Callable[[], object], runs: int = 300) -> tuple[float, float]:
    fn()  # warm caches (role masks, requirement rows)
    samples = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t) * 1e3)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.99) - 1]


def bench_recommend() -> dict[str, tuple[float, float]]:
    state = fleet()
    rec = Recommender(state, DispatchSettings())
    bridged = Recommender(state, DispatchSettings(
        road_map=str(demo_config_path().with_name("hengyang_map.json"))))
    rng = np.random.default_rng(3)  # incidents anywhere in the city, on both banks
    points = itertools.cycle([(CENTRE[0] + rng.uniform(-0.05, 0.05),
                               CENTRE[1] + rng.uniform(-0.05, 0.05)) for _ in range(301)])
    place = Placement("downtown", "Downtown", 180.0, 1.4, river_m=150.0)
    crime, rescue = DEFAULT_CATEGORIES["violent_crime"], DEFAULT_CATEGORIES["water_rescue"]
    return {
        "violent_crime (3 places), no explanation": timings_ms(
            lambda: rec.recommend(*CENTRE, crime, place, explain=0)),
        "violent_crime, with 5 left-out units explained": timings_ms(
            lambda: rec.recommend(*CENTRE, crime, place)),
        "water_rescue (boats near the river), explained": timings_ms(
            lambda: rec.recommend(*CENTRE, rescue, place)),
        "violent_crime, random points, rivers and bridges (road_map)": timings_ms(
            lambda: bridged.recommend(*next(points), crime, place, explain=0)),
        "fleet.eta.rank_by_eta top 10 (reference)": timings_ms(
            lambda: rank_by_eta(state.columns, *CENTRE, 10)),
    }


def entry(i: int) -> AuditEntry:
    return AuditEntry("command.sent", time.time(), "system", f"INC-{i // 10:05d}",
                      f"u{i % 500:05d}", {"command": "goto", "args": {"lat_deg": 26.9,
                                                                      "lon_deg": 112.6}})


async def _concurrent(log: AuditLog, n: int, producers: int) -> None:
    async def producer(k: int) -> None:
        for i in range(k, n, producers):
            await log.append(entry(i))

    await asyncio.gather(*(producer(k) for k in range(producers)))


def bench_audit(directory: Path) -> dict[str, float]:
    out: dict[str, float] = {}
    path = directory / "audit.sqlite3"
    with AuditLog(path) as log:
        n = 200
        t = time.perf_counter()
        for i in range(n):
            log.append_sync(entry(i))  # each waits for its own fsync: the worst case
        out["sequential appends (events/s)"] = n / (time.perf_counter() - t)
        for producers in (10, 100):
            n = 10_000
            commits = log.commits
            t = time.perf_counter()
            asyncio.run(_concurrent(log, n, producers))
            out[f"{producers} concurrent producers (events/s)"] = n / (time.perf_counter() - t)
            out[f"{producers} producers: events per commit"] = n / (log.commits - commits)
    with closing(open_readonly(path)) as conn:
        t = time.perf_counter()
        result = verify_db(conn, key=log.key, anchors=read_anchors(default_anchor_dir(path)))
        out["verify (rows/s)"] = result.rows / (time.perf_counter() - t)
    return out


def bench_report(directory: Path, incidents: int = 5_000) -> float:
    """Seconds to build a report over ``incidents`` closed calls (7 events each)."""
    path = directory / "report.sqlite3"
    t0 = 1_800_000_000.0
    data = {"lat": 26.9, "lon": 112.6, "category": "theft", "priority": 3,
            "zone": "downtown", "zone_name": "Downtown", "target_s": 180.0}
    events = []
    for i in range(incidents):
        iid, t, unit = f"I{i}", t0 + i * 60, f"u{i % 300}"
        events += [IncidentEvent(EventKind.RECEIVED, iid, t, "op", data=data),
                   IncidentEvent(EventKind.ASSIGNED, iid, t + 20, "op", unit),
                   IncidentEvent(EventKind.ACKNOWLEDGED, iid, t + 22, "sys", unit),
                   IncidentEvent(EventKind.EN_ROUTE, iid, t + 22, "sys", unit),
                   IncidentEvent(EventKind.ON_SCENE, iid, t + 20 + (i % 300), "sys", unit),
                   IncidentEvent(EventKind.CLEARED, iid, t + 900, "op"),
                   IncidentEvent(EventKind.CLOSED, iid, t + 1000, "op")]
    with AuditLog(path) as log:
        log.append_sync(*(to_entry(e) for e in events))
    with closing(open_readonly(path)) as conn:
        t = time.perf_counter()
        build(select(conn, kinds=INCIDENT_EVENT_KINDS), t0, t0 + incidents * 60 + 3600)
        return time.perf_counter() - t


def run() -> list[tuple[str, str, str]]:
    rows = []
    for name, (p50, p99) in bench_recommend().items():
        target = "< 1" if name.startswith("violent_crime") else ""
        rows.append((f"recommend over 10,000 units: {name} (ms p50)", f"{p50:.3f}", target))
        rows.append((f"recommend over 10,000 units: {name} (ms p99)", f"{p99:.3f}", ""))
    with tempfile.TemporaryDirectory() as tmp:
        for name, value in bench_audit(Path(tmp)).items():
            target = ">= 1,000" if "events/s" in name and "concurrent" in name else ""
            rows.append((f"audit, synchronous=FULL: {name}", f"{value:,.0f}", target))
        rows.append(("report over 5,000 incidents (s)", f"{bench_report(Path(tmp)):.2f}", ""))
    return rows


def main() -> None:
    from .machine import print_table

    print_table(run())


if __name__ == "__main__":
    main()
