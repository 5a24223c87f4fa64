"""Plans as things units take: MAVLink missions, QGroundControl plans, ground patrols.

A sortie becomes: takeoff, change speed, the outbound detour, the route (a LOITER_TIME
where the plan holds, a WAYPOINT elsewhere), the inbound detour, RETURN_TO_LAUNCH: what
ArduPilot flies in AUTO from the ground after MISSION_START. Missions are validated
here, so a plan that the autopilot would refuse fails before any upload.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from fleet.commands import Patrol
from fleet.geo import LocalFrame
from fleet.missions import (
    MissionItem,
    Plan,
    change_speed,
    home_item,
    loiter_time,
    return_to_launch,
    takeoff,
    validate,
    waypoint,
)
from fleet.missions import catalog as mission_catalog

from .errors import PlanningError
from .plans import PatrolPlan
from .sorties import Sortie

#: a hold shorter than this is a waypoint: ArduPilot keeps whole seconds anyway
_MIN_HOLD_S = 1.0


def sortie_items(sortie: Sortie, frame: LocalFrame, *, alt_m: float,
                 speed_m_s: float | None = None) -> tuple[MissionItem, ...]:
    """The mission for one sortie, altitudes relative to home (the base)."""
    if not alt_m > 0:
        raise PlanningError(f"mission: expected an altitude > 0, got {alt_m:g}")
    items: list[MissionItem] = [takeoff(alt_m),
                                change_speed(speed_m_s or sortie.route.speed_m_s)]
    for lat, lon in frame.to_latlon(sortie.outbound):
        items.append(waypoint(lat, lon, alt_m))
    latlon = frame.to_latlon(sortie.route.points)
    for (lat, lon), hold in zip(latlon, sortie.route.loiter_s, strict=True):
        if hold >= _MIN_HOLD_S:
            items.append(loiter_time(lat, lon, alt_m, round(float(hold))))
        else:
            items.append(waypoint(lat, lon, alt_m))
    for lat, lon in frame.to_latlon(sortie.inbound):
        items.append(waypoint(lat, lon, alt_m))
    items.append(return_to_launch())
    validate(items)
    return tuple(items)


def sortie_plan(sortie: Sortie, frame: LocalFrame, *, alt_m: float,
                home_alt_amsl_m: float = 0.0, speed_m_s: float | None = None) -> Plan:
    """A QGroundControl plan (``fleet.missions.write_plan``) with the base as home."""
    lat, lon = frame.to_latlon(sortie.base)[0]
    speed = speed_m_s or sortie.route.speed_m_s
    return Plan(mission=sortie_items(sortie, frame, alt_m=alt_m, speed_m_s=speed),
                home=home_item(lat, lon, home_alt_amsl_m), cruise_speed_m_s=speed,
                hover_speed_m_s=min(speed, 5.0))


def patrol_command(plan: PatrolPlan) -> Patrol:
    """The route for a ground or water unit; loops repeat, holds are left to the crew."""
    points = plan.latlon()
    if plan.loop and len(points) > 2 and np.allclose(points[0], points[-1]):
        points = points[:-1]  # Patrol(loop=True) closes the loop itself
    if len(points) < 2:
        raise PlanningError(f"{plan.kind}: a patrol route needs at least 2 points")
    return Patrol(tuple((float(a), float(b)) for a, b in points), loop=plan.loop)


_NAV_POSITION = {mission_catalog.NAV_WAYPOINT, mission_catalog.NAV_LOITER_TIME}


def route_from_items(items: Iterable[MissionItem]) -> tuple[np.ndarray, np.ndarray, float]:
    """(points [lat, lon], loiter seconds per point, altitude) of a mission's route: its
    waypoints and timed loiters, as read back from a .plan file (``read_plan``)."""
    points, holds, alts = [], [], []
    for item in items:
        if item.command in _NAV_POSITION:
            points.append((item.lat_deg, item.lon_deg))
            holds.append(item.param1)  # loiter time, or a waypoint's hold: both seconds
            alts.append(item.alt_m)
    if not points:
        raise PlanningError("mission: no waypoints or timed loiters to follow")
    return np.array(points), np.array(holds, dtype=float), float(np.median(alts))
