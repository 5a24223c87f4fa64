"""Watching an overwatch: altitude, distance from the centre and where the nose points,
sampled on fleet's telemetry over a span of the vehicle's own clock."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from backend import Backend
from flight_script import telemetry_until

from fleet.geo import bearing_rad, distance_m
from fleet.service import FleetService


@dataclass(slots=True)
class Track:
    alt_m: list[float] = field(default_factory=list)
    radius_m: list[float] = field(default_factory=list)
    nose_off_deg: list[float] = field(default_factory=list)  # heading vs bearing to centre
    modes: set[str] = field(default_factory=set)

    def band(self, values: list[float]) -> str:
        return f"{min(values):.1f}..{max(values):.1f}"


async def joined(svc: FleetService, backend: Backend, unit_id: str,
                 centre: tuple[float, float], radius_m: float, sim_s: float) -> None:
    """Until the aircraft flies on the circle (within 5 m of it)."""
    await telemetry_until(svc, unit_id, lambda t: abs(
        distance_m(*centre, t.lat_deg, t.lon_deg) - radius_m) < 5.0 and t.mode == "GUIDED",
        backend.wall(sim_s))


async def watch(svc: FleetService, backend: Backend, unit_id: str,
                centre: tuple[float, float], vehicle_s: float) -> Track:
    """Sample every report for ``vehicle_s`` seconds of the vehicle's clock (the report's
    source_time: SYSTEM_TIME's Unix time plus time_boot_ms)."""
    track = Track()
    start: float | None = None

    def sample(t) -> bool:
        nonlocal start
        assert t.source_time is not None, "no SYSTEM_TIME from the vehicle"
        start = t.source_time if start is None else start
        track.alt_m.append(t.relative_alt_m or 0.0)
        track.radius_m.append(distance_m(*centre, t.lat_deg, t.lon_deg))
        if t.heading_deg is not None:
            to_centre = math.degrees(bearing_rad(t.lat_deg, t.lon_deg, *centre))
            track.nose_off_deg.append(abs((t.heading_deg - to_centre + 180) % 360 - 180))
        track.modes.add(str(t.mode))
        return t.source_time - start >= vehicle_s

    try:
        await telemetry_until(svc, unit_id, sample, backend.wall(vehicle_s) * 2)
    except TimeoutError as exc:
        exc.add_note(f"vehicle clock from {start}: {len(track.alt_m)} reports")
        raise
    return track
