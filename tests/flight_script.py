"""The scripted police-drone flight, run against the simulator and, when given, against
ArduPilot SITL: the same steps, the same expectations.

ready -> mission upload (verified by read-back) -> arm -> takeoff (GUIDED) -> AUTO ->
every waypoint reached -> RTL -> landed and disarmed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from waits import until

from fleet.missions import MissionItem, return_to_launch, takeoff, waypoint
from fleet.model import Telemetry
from fleet.service import FleetService

ALT_M = 20.0


def patrol_mission(lat: float, lon: float) -> list[MissionItem]:
    """Takeoff, a triangle of ~150 m legs over the incident area, RTL."""
    d = 0.0012
    return [
        takeoff(ALT_M),
        waypoint(lat + d, lon, ALT_M),
        waypoint(lat + d, lon + d, ALT_M),
        waypoint(lat, lon + d, ALT_M),
        return_to_launch(),
    ]


async def telemetry_until(svc: FleetService, unit_id: str,
                          predicate: Callable[[Telemetry], bool], timeout: float) -> Telemetry:
    async with asyncio.timeout(timeout):
        async for t in svc.unit(unit_id).telemetry.reports():
            if predicate(t):
                return t
    raise AssertionError("unreachable")


async def heights(svc: FleetService, unit_id: str, vehicle_s: float,
                  timeout: float = 60.0) -> list[float]:
    """The unit's relative altitudes over the next ``vehicle_s`` seconds of its own clock
    (SYSTEM_TIME), whatever the simulator's speed-up."""
    seen: list[float] = []
    start: float | None = None
    async with asyncio.timeout(timeout):
        async for t in svc.unit(unit_id).telemetry.reports():
            assert t.source_time is not None, "the vehicle sends no SYSTEM_TIME"
            start = t.source_time if start is None else start
            seen.append(t.relative_alt_m or 0.0)
            if t.source_time - start >= vehicle_s:
                return seen
    raise AssertionError("unreachable")


def reached_items(svc: FleetService, unit_id: str) -> list[int]:
    return [int(a.message.rsplit(" ", 1)[-1]) for a in svc.alerts
            if a.code == "mission.reached" and a.unit_id == unit_id]


async def full_flight(svc: FleetService, unit_id: str, *, scale_s: float = 1.0) -> None:
    """Fly the whole sortie; ``scale_s`` stretches every wait (SITL at low speedup)."""
    drone = await svc.wait_for_unit(unit_id, timeout=60 * scale_s)
    await drone.wait_ready(timeout=120 * scale_s)
    start = drone.snapshot.telemetry
    assert start is not None and start.armed is False
    mission = patrol_mission(start.lat_deg, start.lon_deg)
    await drone.mission.upload(mission, timeout=30 * scale_s)
    assert len(await drone.mission.download(timeout=30 * scale_s)) == len(mission)

    await drone.action.arm(timeout=10 * scale_s)
    await drone.action.takeoff(ALT_M, timeout=10 * scale_s)
    await telemetry_until(svc, unit_id, lambda t: (t.relative_alt_m or 0) > ALT_M * 0.9,
                          60 * scale_s)

    await drone.mission.start(timeout=10 * scale_s)
    await telemetry_until(svc, unit_id, lambda t: t.mode == "AUTO", 10 * scale_s)
    # items are numbered from 1 (ArduPilot's seq, home being 0): the waypoints are 2..4
    await until(svc, lambda: {2, 3, 4} <= set(reached_items(svc, unit_id)), 180 * scale_s)

    await drone.action.return_to_launch(timeout=10 * scale_s)
    await telemetry_until(svc, unit_id, lambda t: t.mode == "RTL", 10 * scale_s)
    landed = await telemetry_until(svc, unit_id, lambda t: t.armed is False, 240 * scale_s)
    assert (landed.relative_alt_m or 0) < 1.0
