"""Console figures from issue 6: 1,000 units reporting at 1 Hz, the console drawing them.

Targets: the console refreshes at least 10 times a second (its timer applies every change,
the screen re-renders what changed); the core's ingest is not slowed by it: updates per
second of ingest time with the console running within 10 % of headless (fleet's JSON-lines
frontend, which holds one stream subscription as the console does; the core with no
frontend at all is shown too: the subscription itself is the core's cost). Also reported:
event-loop lag (what the operator feels as key latency), the console's CPU share, and the
time one refresh takes.

The load is fed straight into ``service.state.ingest`` (what a link does per report) from a
task on the same loop: every 25 ms a fortieth of the fleet moves (every 40th unit, so
reports interleave across the table as they do from real links), each unit once a second.
The app runs headless under ``run_test`` at 200x60, so rendering is real (the compositor
draws every dirty line) but nothing is written to a terminal.

Run alone: ``python -m bench.console``; ``python -m bench.console --screenshot FILE.svg``
writes the README's picture instead.
"""

from __future__ import annotations

import asyncio
import math
import random
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fleet.config import FleetConfig, parse_config
from fleet.headless import stream_json_lines
from fleet.model import Telemetry
from fleet.service import FleetService
from tui.app import FleetConsole

N_UNITS = 1_000
TICK_S = 0.025  # the feeder's step: 1/40 of the fleet each step is 1 Hz per unit
WARMUP_S = 2.0
MEASURE_S = 8.0
SIZE = (200, 60)
CENTRE = (26.893, 112.600)
KINDS = ("drone", "patrol_car", "motorcycle", "patrol_car", "motorcycle", "command_vehicle",
         "patrol_boat")


def make_config(n: int = N_UNITS) -> FleetConfig:
    units = []
    for i in range(n):
        kind = KINDS[i % len(KINDS)]
        group = {"drone": "air", "patrol_boat": "water"}.get(kind, f"g{i % 26:02d}")
        unit: dict[str, Any] = {"id": f"u{i:04d}", "callsign": f"Unit {i:04d}", "kind": kind,
                                "group": group}
        if kind == "drone":
            unit["mavlink"] = {"sysid": 1 + i % 250, "compid": 1 + i // 250}
        units.append(unit)
    groups = [{"id": f"g{g:02d}", "name": f"Group {g}", "domain": "land"} for g in range(26)]
    groups += [{"id": "air", "name": "Air", "domain": "air"},
               {"id": "water", "name": "Water", "domain": "water"}]
    return parse_config({"fleet": {"name": "Bench city"}, "groups": groups, "units": units})


@dataclass
class Feeder:
    """Moves every unit once a second: every ``TICK_S``, every n-th unit."""

    svc: FleetService
    rng: random.Random = field(default_factory=lambda: random.Random(6))
    updates: int = 0

    async def run(self) -> None:
        ids = [u.id for u in self.svc.config.units]
        pos = {u: (CENTRE[0] + self.rng.uniform(-0.04, 0.04),
                   CENTRE[1] + self.rng.uniform(-0.05, 0.05)) for u in ids}
        battery = {u: self.rng.uniform(40, 100) for u in ids}  # drains ~1 % a minute
        steps = round(1 / TICK_S)
        ingest, monotonic, k = self.svc.state.ingest, self.svc.monotonic, 0
        loop = asyncio.get_running_loop()
        due = loop.time()
        while True:
            now_wall = time.time()
            reports = []
            for unit_id in ids[k::steps]:
                lat, lon = pos[unit_id]
                lat += self.rng.uniform(-3e-4, 3e-4)
                lon += self.rng.uniform(-3e-4, 3e-4)
                pos[unit_id] = (lat, lon)
                battery[unit_id] = max(0.0, battery[unit_id] - 0.017)
                reports.append((unit_id, Telemetry(
                    lat, lon, now_wall, alt_m=60.0, relative_alt_m=40.0,
                    ground_speed_m_s=self.rng.uniform(0, 15), heading_deg=90.0,
                    battery_pct=battery[unit_id], mode="AUTO", armed=True,
                    source_time=now_wall)))
            now = monotonic()
            for unit_id, tel in reports:
                ingest(unit_id, tel, now, "bench")
            self.updates += len(reports)
            k = (k + 1) % steps
            due += TICK_S  # on a fixed schedule: a late step is followed by a short sleep
            await asyncio.sleep(max(0.0, due - loop.time()))


async def ingest_rate(svc: FleetService, rounds: int = 15) -> float:
    """Updates per second of ingest time: whole-fleet rounds of reports timed one by one
    (a few ms each, so a stray GC or preemption shows as one slow round), the median
    round counted, a pause between rounds so the console keeps drawing."""
    units = [u.id for u in svc.config.units]
    rng = random.Random(7)
    per_round = []
    for _ in range(rounds):
        wall = time.time()
        reports = [(u, Telemetry(CENTRE[0] + rng.uniform(-0.04, 0.04),
                                 CENTRE[1] + rng.uniform(-0.05, 0.05), wall,
                                 ground_speed_m_s=5.0, battery_pct=70.0, source_time=wall))
                   for u in units]
        now = svc.monotonic()
        ingest = svc.state.ingest
        t0 = time.perf_counter()
        for unit_id, tel in reports:
            ingest(unit_id, tel, now, "bench")
        per_round.append(len(reports) / (time.perf_counter() - t0))
        await asyncio.sleep(0.1)
    return statistics.median(per_round)


@dataclass
class LagProbe:
    """How late a 10 ms sleep wakes: what the loop's other work costs a key press."""

    lags: list[float] = field(default_factory=list)

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            t0 = loop.time()
            await asyncio.sleep(0.01)
            self.lags.append(loop.time() - t0 - 0.01)


def _p(values: list[float], q: float) -> float:
    if not values:
        return math.nan
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def _counting(fn: Callable[..., Any], hits: list[float], timed: bool = False
              ) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        t0 = time.perf_counter()
        result = fn(*args, **kwargs)
        if not (args and args[-1] is None):  # _display(screen, None) draws nothing
            hits.append(time.perf_counter() - t0 if timed else t0)
        return result
    return wrapper


class _Discard:
    """stdout for the headless frontend: every line formatted and written, then dropped."""

    def write(self, text: str) -> int:
        return len(text)

    def flush(self) -> None:
        pass


async def measure(frontend: str, sort: str = "callsign") -> dict[str, float]:
    """One run with ``frontend`` "none" (the core alone), "headless" (fleet's JSON-lines
    frontend, its output discarded) or "console": warm up, then measure for MEASURE_S."""
    config = make_config()
    async with FleetService(config) as svc:
        feeder, probe = Feeder(svc), LagProbe()
        async with asyncio.TaskGroup() as tg:
            tasks = [tg.create_task(feeder.run()), tg.create_task(probe.run())]
            if frontend == "headless":
                tasks.append(tg.create_task(stream_json_lines(svc, _Discard())))  # type: ignore[arg-type]
            try:
                if frontend == "console":
                    return await _with_console(svc, feeder, probe, sort)
                return await _window(feeder, probe)
            finally:
                for task in tasks:
                    task.cancel()


async def _window(feeder: Feeder, probe: LagProbe,
                  app: FleetConsole | None = None, frames: list[float] | None = None,
                  ticks: list[float] | None = None, renders: list[float] | None = None,
                  ) -> dict[str, float]:
    await asyncio.sleep(WARMUP_S)
    updates0, applied0 = feeder.updates, (app.frames if app else 0)
    frames0 = len(frames) if frames is not None else 0
    ticks0 = len(ticks) if ticks is not None else 0
    renders0 = len(renders) if renders is not None else 0
    probe.lags.clear()
    cpu0, wall0 = time.process_time(), time.perf_counter()
    await asyncio.sleep(MEASURE_S)
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    out = {
        "updates_per_s": (feeder.updates - updates0) / wall,
        "lag_p50_ms": _p(probe.lags, 0.5) * 1e3,
        "lag_p99_ms": _p(probe.lags, 0.99) * 1e3,
        "cpu_share": cpu / wall,
    }
    if app is not None and frames is not None and ticks is not None:
        out["refreshes_per_s"] = (app.frames - applied0) / wall
        out["frames_per_s"] = (len(frames) - frames0) / wall
        out["tick_p50_ms"] = _p(ticks[ticks0:], 0.5) * 1e3
        out["tick_p95_ms"] = _p(ticks[ticks0:], 0.95) * 1e3
    if renders is not None:
        out["render_p50_ms"] = _p(renders[renders0:], 0.5) * 1e3
        out["render_p95_ms"] = _p(renders[renders0:], 0.95) * 1e3
    out["ingest_rate"] = await ingest_rate(feeder.svc)  # after the window's counts
    return out


async def _with_console(svc: FleetService, feeder: Feeder, probe: LagProbe,
                        sort: str) -> dict[str, float]:
    app = FleetConsole(svc)
    frames: list[float] = []
    ticks: list[float] = []
    renders: list[float] = []
    async with app.run_test(size=SIZE) as pilot:
        app._display = _counting(app._display, frames)  # type: ignore[method-assign]
        app.refresh_view = _counting(app.refresh_view, ticks, timed=True)  # type: ignore[method-assign]
        screen = app.main  # the compositor's work for one frame: every dirty line drawn
        screen._compositor_refresh = _counting(  # type: ignore[method-assign]
            screen._compositor_refresh, renders, timed=True)
        app.main.sort_by(sort)
        await pilot.pause()
        return await _window(feeder, probe, app, frames, ticks, renders)


def _best(runs: list[dict[str, float]]) -> dict[str, float]:
    """Each figure's run least disturbed by the rest of the machine (other work only
    ever lowers a rate or raises a lag)."""
    best = dict(runs[0])
    for run_ in runs[1:]:
        for key, value in run_.items():
            higher_is_better = key in ("ingest_rate", "updates_per_s", "refreshes_per_s",
                                       "frames_per_s")
            best[key] = max(best[key], value) if higher_is_better else min(best[key], value)
    return best


def run(repeats: int = 2) -> list[tuple[str, str, str]]:
    runs: dict[str, list[dict[str, float]]] = {"none": [], "headless": [], "console": []}
    for _ in range(repeats):  # interleaved, so a busy spell hits them all
        for frontend, results in runs.items():
            results.append(asyncio.run(measure(frontend)))
    bare, headless, console = (_best(runs[f]) for f in ("none", "headless", "console"))
    sorted_run = asyncio.run(measure("console", sort="battery"))
    ratio = console["ingest_rate"] / headless["ingest_rate"]
    return [
        ("console refreshes/s, 1,000 units at 1 Hz", f"{console['refreshes_per_s']:.1f}",
         ">= 10"),
        ("  screen frames rendered/s", f"{console['frames_per_s']:.1f}", ""),
        ("  one refresh: drain + apply (ms, p50 / p95)",
         f"{console['tick_p50_ms']:.1f} / {console['tick_p95_ms']:.1f}", ""),
        ("  one frame: compositor draws dirty lines (ms, p50 / p95)",
         f"{console['render_p50_ms']:.1f} / {console['render_p95_ms']:.1f}", ""),
        ("  ... sorted by battery (refreshes/s)", f"{sorted_run['refreshes_per_s']:.1f}",
         ">= 10"),
        ("  ... sorted by battery, one refresh (ms, p95)",
         f"{sorted_run['tick_p95_ms']:.1f}", ""),
        ("core ingest, no frontend at all (updates/s of ingest time)",
         f"{bare['ingest_rate']:,.0f}", ""),
        ("core ingest, headless frontend (updates/s of ingest time)",
         f"{headless['ingest_rate']:,.0f}", ""),
        ("core ingest, console running (updates/s of ingest time)",
         f"{console['ingest_rate']:,.0f}", f"within 10 % ({ratio:.0%})"),
        ("updates applied/s, headless / console (offered 1,000)",
         f"{headless['updates_per_s']:,.0f} / {console['updates_per_s']:,.0f}", ""),
        ("event-loop lag p99 (ms), headless / console",
         f"{headless['lag_p99_ms']:.1f} / {console['lag_p99_ms']:.1f}", "< 50 with console"),
        ("process CPU share, headless / console",
         f"{headless['cpu_share']:.0%} / {console['cpu_share']:.0%}", ""),
    ]


# -- the README's picture ----------------------------------------------------------------
class _IdleLink:
    """A link that says it is connected and delivers nothing (the picture's header)."""

    def __init__(self, name: str) -> None:
        self.name = name

    async def run(self, ctx: Any) -> None:
        from fleet.events import ConnectionState

        ctx.connection(ConnectionState.CONNECTED)
        await asyncio.Event().wait()


async def screenshot(path: str, size: tuple[int, int] = (180, 50)) -> None:
    """The Hengyang demo fleet mid-shift, saved as SVG (``docs/console.svg``)."""
    import dataclasses

    from fleet.config import MavlinkConfig, demo_config_path, load_config
    from fleet.events import Alert, Severity
    from fleet.model import UnitStatus

    config = dataclasses.replace(load_config(demo_config_path()), mavlink=MavlinkConfig(),
                                 mqtt=None)
    rng = random.Random(26)
    links = [_IdleLink("mavlink:air-main"), _IdleLink("mqtt")]
    async with FleetService(config, links=links, wall=lambda: 1_800_000_000.0) as svc:
        now = svc.monotonic()
        for unit in config.units:
            if unit.base is None or rng.random() < 0.06:
                continue  # a few never heard
            base = unit.base.position
            air = unit.kind.value in ("drone", "helicopter")
            spread = 0.02 if air else 0.006
            svc.state.ingest(unit.id, Telemetry(
                base.lat_deg + rng.uniform(-spread, spread),
                base.lon_deg + rng.uniform(-spread, spread), 1_800_000_000.0,
                alt_m=base.alt_m + (60 if air else 0), relative_alt_m=60.0 if air else None,
                ground_speed_m_s=rng.uniform(0, 12), heading_deg=rng.uniform(0, 360),
                battery_pct=rng.uniform(31, 100) if rng.random() > 0.02 else 24.0,
                battery_v=15.6 if air else None, satellites=16 if air else None,
                gps_fix=3 if air else None, mission_seq=3 if air else None,
                mode="AUTO" if air else None, armed=air, ready=True), now,
                "mavlink:air-main" if air else "mqtt")
            roll = rng.random()
            if roll < 0.3:
                svc.set_status(unit.id, UnitStatus.PATROLLING)
            elif roll < 0.36:
                svc.set_status(unit.id, UnitStatus.EN_ROUTE)
            elif roll < 0.4:
                svc.set_status(unit.id, UnitStatus.ON_SCENE)
        svc.state.mark_lost("air-4", "no telemetry for 5.1 s")
        for severity, code, message, unit_id in (
            (Severity.WARNING, "battery.low", "RP08 Moto 3: fuel 18 %", "rp08-mc3"),
            (Severity.NOTICE, "mission.reached", "air-1: reached mission item 3", "air-1"),
        ):
            svc.alerts.append(Alert(1_800_000_000.0, severity, code, message, unit_id=unit_id))
        app = FleetConsole(svc)
        async with app.run_test(size=size) as pilot:
            await asyncio.sleep(0.2)  # the idle links report connected
            while app.frames < 3:
                await pilot.pause(0.05)
            app.main.select("air-1")
            await pilot.press("f", "plus", "plus")
            await pilot.pause(0.3)
            app.save_screenshot(path)


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--screenshot":
        asyncio.run(screenshot(sys.argv[2]))
        print(f"wrote {sys.argv[2]}")
        return
    from bench.machine import print_table

    print_table(run())


if __name__ == "__main__":
    main()
