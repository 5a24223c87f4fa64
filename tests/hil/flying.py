"""Steps the HIL scenarios share, each waiting on what fleet reports (never on the clock):
take off, wait for a mode or a position, find alerts. Budgets are vehicle seconds, turned
into wall seconds by the backend."""

from __future__ import annotations

import math
from collections.abc import Callable

from backend import Backend
from flight_script import telemetry_until

from fleet.events import Alert
from fleet.geo import displace, distance_m
from fleet.model import Telemetry
from fleet.service import FleetService


def offset(lat: float, lon: float, north_m: float, east_m: float) -> tuple[float, float]:
    """The point ``north_m``/``east_m`` metres from (lat, lon)."""
    return displace(lat, lon, east_m, north_m)


async def ready(svc: FleetService, backend: Backend, unit_id: str) -> Telemetry:
    """Heard, EKF and GPS good, pre-arm checks passed (SITL: ~40 vehicle s after boot),
    and a position known (on a lossy link the readiness can come before any position)."""
    unit = await svc.wait_for_unit(unit_id, timeout=backend.wall(30))
    await unit.wait_ready(timeout=backend.wall(90))
    return await until_telemetry(
        svc, backend, unit_id, lambda t: math.isfinite(t.lat_deg) and math.isfinite(t.lon_deg),
        sim_s=10)


async def take_off(svc: FleetService, backend: Backend, unit_id: str, alt_m: float) -> Telemetry:
    """Ready, armed, GUIDED takeoff, and up to 95 % of ``alt_m``; the start point."""
    start = await ready(svc, backend, unit_id)
    unit = svc.unit(unit_id)
    await unit.action.arm(timeout=backend.wall(10))
    await unit.action.takeoff(alt_m, timeout=backend.wall(10))
    await telemetry_until(svc, unit_id, lambda t: (t.relative_alt_m or 0) >= alt_m * 0.95,
                          backend.wall(alt_m / 1.0 + 10))  # climbs at >= 1 m/s
    return start


async def until_telemetry(svc: FleetService, backend: Backend, unit_id: str,
                          predicate: Callable[[Telemetry], bool], sim_s: float) -> Telemetry:
    return await telemetry_until(svc, unit_id, predicate, backend.wall(sim_s))


async def until_mode(svc: FleetService, backend: Backend, unit_id: str, mode: str,
                     sim_s: float = 10) -> Telemetry:
    return await until_telemetry(svc, backend, unit_id, lambda t: t.mode == mode, sim_s)


async def until_near(svc: FleetService, backend: Backend, unit_id: str,
                     lat: float, lon: float, within_m: float, sim_s: float) -> Telemetry:
    return await until_telemetry(
        svc, backend, unit_id,
        lambda t: distance_m(t.lat_deg, t.lon_deg, lat, lon) <= within_m, sim_s)


async def until_disarmed(svc: FleetService, backend: Backend, unit_id: str,
                         sim_s: float) -> Telemetry:
    return await until_telemetry(svc, backend, unit_id, lambda t: t.armed is False, sim_s)


def alerts(svc: FleetService, unit_id: str, code: str, *words: str) -> list[Alert]:
    """The unit's alerts with ``code`` whose message has every one of ``words`` (any case)."""
    return [a for a in svc.alerts if a.unit_id == unit_id and a.code == code
            and all(w.lower() in a.message.lower() for w in words)]
