"""What each unit was last told to do, and by whom: the intent behind what it does.

Telemetry says what a unit *does* (a drone in GUIDED at 2 m/s); the tasking says why
(an operator's goto, a schedule's patrol, an incident's overwatch) and where it is going,
so the console can show the operator's and the schedule's intent apart and draw targets
and routes on the map. Pure: the service records one per successful command.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from .commands import (
    ClearMission,
    Command,
    Disarm,
    DownloadMission,
    Goto,
    Hold,
    Land,
    Orbit,
    Patrol,
    PauseMission,
    ReturnToLaunch,
    StartMission,
    Takeoff,
    UploadMission,
)
from .missions import MissionType
from .missions import catalog as cat
from .missions.items import MissionItem

LatLon = tuple[float, float]


@dataclass(frozen=True, slots=True)
class Tasking:
    """The last moving command a unit accepted.

    ``origin`` is :class:`fleet.commands.Origin`'s value (operator, schedule, dispatch);
    ``command`` a short name (goto, overwatch, patrol, mission, hold, return, land,
    takeoff); ``target`` the point it is going to or circling; ``route`` the path it
    follows (a patrol, or the mission it was started on).
    """

    origin: str
    command: str
    since: float  # Unix seconds
    target: LatLon | None = None
    route: tuple[LatLon, ...] | None = None
    radius_m: float | None = None  # an overwatch circle's
    alt_m: float | None = None  # the height it was told to climb to (takeoff), above home


#: the mission items a vehicle flies through (a DO_SET_ROI's point is looked at, not flown)
NAV_PLACES = frozenset({cat.NAV_WAYPOINT, cat.NAV_LOITER_UNLIM, cat.NAV_LOITER_TURNS,
                        cat.NAV_LOITER_TIME, cat.NAV_LAND, cat.NAV_TAKEOFF})


def route_of(items: Iterable[MissionItem]) -> tuple[LatLon, ...]:
    """The points a mission flies through (its placed NAV items: waypoints, loiters,
    landings), in order: what the map draws and the plan's length is measured on. Items
    at 0, 0 (a takeoff or landing "here", RTL) have no place."""
    return tuple(
        (it.lat_deg, it.lon_deg) for it in items
        if it.command in NAV_PLACES and math.isfinite(it.lat_deg)
        and math.isfinite(it.lon_deg) and not (it.lat_deg == 0.0 and it.lon_deg == 0.0)
    )


def next_tasking(command: Command, origin: str, now: float,
                 mission: tuple[LatLon, ...] | None) -> Tasking | bool | None:
    """The tasking after ``command`` is accepted: a new Tasking, None to clear it (the unit
    was disarmed), or False when the command does not change what the unit is doing
    (arm, mode, speed, a mission upload, status)."""
    if isinstance(command, Goto):
        return Tasking(origin, "goto", now, (command.lat_deg, command.lon_deg))
    if isinstance(command, Orbit):
        return Tasking(origin, "overwatch", now, (command.lat_deg, command.lon_deg),
                       radius_m=command.radius_m)
    if isinstance(command, Patrol):
        return Tasking(origin, "patrol", now, route=command.route)
    if isinstance(command, StartMission):
        return Tasking(origin, "mission", now, route=mission or None)
    if isinstance(command, Hold | PauseMission):
        return Tasking(origin, "hold", now)
    if isinstance(command, ReturnToLaunch):
        return Tasking(origin, "return", now)
    if isinstance(command, Land):
        return Tasking(origin, "land", now)
    if isinstance(command, Takeoff):
        return Tasking(origin, "takeoff", now, alt_m=command.relative_alt_m)
    if isinstance(command, Disarm):
        return None
    return False


def next_mission(command: Command, result: object,
                 mission: tuple[LatLon, ...] | None) -> tuple[LatLon, ...] | None:
    """The mission known to be on the vehicle after ``command`` returned ``result``."""
    if isinstance(command, UploadMission) and command.mission_type is MissionType.MISSION:
        return route_of(command.items)
    if isinstance(command, ClearMission) and command.mission_type is MissionType.MISSION:
        return None
    if (isinstance(command, DownloadMission) and command.mission_type is MissionType.MISSION
            and isinstance(result, tuple)):
        return route_of(result)
    return mission
