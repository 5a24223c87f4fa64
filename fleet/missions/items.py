"""Mission items as plain data in natural units, and builders whose names carry the units.

:class:`MissionItem` mirrors MAVLink's MISSION_ITEM_INT field for field but holds degrees
and metres as floats; :mod:`fleet.missions.wire` does the 1e7 integer encoding. Numbers
come from pymavlink's generated dialect so they cannot drift from what goes on the wire.

DO_JUMP targets are 1-based item numbers in the list you build. On ArduPilot, where seq 0
is home and the items go to seq 1..N, an item number *is* its sequence number, so the
jump needs no translation (and "item 3" means the same in errors, Mission Planner and QGC).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import IntEnum

from pymavlink.dialects.v20 import ardupilotmega as mavlink2

from fleet.model import Position

_RELATIVE = mavlink2.MAV_FRAME_GLOBAL_RELATIVE_ALT
_GLOBAL = mavlink2.MAV_FRAME_GLOBAL
_NO_FRAME = mavlink2.MAV_FRAME_MISSION  # "not a coordinate frame": what QGC uses for DO_*


class MissionType(IntEnum):
    """Which of a vehicle's three lists an upload targets, numbered as MAV_MISSION_TYPE."""

    MISSION = mavlink2.MAV_MISSION_TYPE_MISSION
    FENCE = mavlink2.MAV_MISSION_TYPE_FENCE
    RALLY = mavlink2.MAV_MISSION_TYPE_RALLY


class SpeedType(IntEnum):
    """DO_CHANGE_SPEED param1, numbered as MAVLink's SPEED_TYPE."""

    AIRSPEED = mavlink2.SPEED_TYPE_AIRSPEED
    GROUNDSPEED = mavlink2.SPEED_TYPE_GROUNDSPEED
    CLIMB = mavlink2.SPEED_TYPE_CLIMB_SPEED
    DESCENT = mavlink2.SPEED_TYPE_DESCENT_SPEED


@dataclass(frozen=True, slots=True)
class MissionItem:
    """One MISSION_ITEM_INT in natural units: param5-7 are ``lat_deg``, ``lon_deg``, ``alt_m``.

    ``alt_m`` is relative to home, above mean sea level or above terrain depending on
    ``frame``. NaN is a legal value in a few params (see :mod:`fleet.missions.validate`);
    compare items that may hold NaN with :func:`fleet.missions.wire.same_on_wire`.
    """

    command: int
    frame: int = _RELATIVE
    param1: float = 0.0
    param2: float = 0.0
    param3: float = 0.0
    param4: float = 0.0
    lat_deg: float = 0.0
    lon_deg: float = 0.0
    alt_m: float = 0.0
    autocontinue: bool = True

    @property
    def params(self) -> tuple[float, float, float, float, float, float, float]:
        """The seven MAV_CMD params in file order (5-7 = lat, lon, alt)."""
        return (self.param1, self.param2, self.param3, self.param4,
                self.lat_deg, self.lon_deg, self.alt_m)

    @property
    def position(self) -> Position:
        return Position(self.lat_deg, self.lon_deg, self.alt_m)


@dataclass(frozen=True, slots=True)
class Mission:
    """Items bound for one of a vehicle's lists; a list given is stored as a tuple."""

    items: tuple[MissionItem, ...] = ()
    mission_type: MissionType = MissionType.MISSION

    def __post_init__(self) -> None:
        object.__setattr__(self, "items", tuple(self.items))
        object.__setattr__(self, "mission_type", MissionType(self.mission_type))

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Iterator[MissionItem]:
        return iter(self.items)


@dataclass(frozen=True, slots=True)
class Plan:
    """What a ground-station plan file holds: a mission, a geofence and rally points.

    ``home`` is the planned home (a GLOBAL-frame NAV_WAYPOINT, altitude AMSL) or None.
    The speeds and the MAV_AUTOPILOT / MAV_TYPE numbers are carried for QGroundControl,
    which uses them to pick its editor and estimate times; fleet does not act on them.
    """

    mission: tuple[MissionItem, ...] = ()
    fence: tuple[MissionItem, ...] = ()
    rally: tuple[MissionItem, ...] = ()
    home: MissionItem | None = None
    cruise_speed_m_s: float = 15.0
    hover_speed_m_s: float = 5.0
    firmware_type: int = mavlink2.MAV_AUTOPILOT_ARDUPILOTMEGA
    vehicle_type: int = mavlink2.MAV_TYPE_QUADROTOR

    def __post_init__(self) -> None:
        for name in ("mission", "fence", "rally"):
            object.__setattr__(self, name, tuple(getattr(self, name)))

    def get(self, mission_type: MissionType) -> Mission:
        """The part of the plan that one upload of ``mission_type`` carries."""
        items = {MissionType.MISSION: self.mission, MissionType.FENCE: self.fence,
                 MissionType.RALLY: self.rally}[MissionType(mission_type)]
        return Mission(items, mission_type)


# --- mission builders ---------------------------------------------------------------

def home_item(lat_deg: float, lon_deg: float, alt_amsl_m: float = 0.0) -> MissionItem:
    """Seq 0 of an ArduPilot mission: a NAV_WAYPOINT in the GLOBAL (AMSL) frame."""
    return MissionItem(mavlink2.MAV_CMD_NAV_WAYPOINT, _GLOBAL, lat_deg=float(lat_deg),
                       lon_deg=float(lon_deg), alt_m=float(alt_amsl_m))


def takeoff(alt_m: float) -> MissionItem:
    """Climb to ``alt_m`` above home where the vehicle stands (lat/lon 0 = here)."""
    return MissionItem(mavlink2.MAV_CMD_NAV_TAKEOFF, alt_m=float(alt_m))


def waypoint(lat_deg: float, lon_deg: float, alt_m: float, hold_s: float = 0.0,
             accept_radius_m: float = 0.0) -> MissionItem:
    """Fly to a point; copters hold ``hold_s`` there (ArduPilot keeps whole seconds)."""
    return MissionItem(mavlink2.MAV_CMD_NAV_WAYPOINT, param1=float(hold_s),
                       param2=float(accept_radius_m), lat_deg=float(lat_deg),
                       lon_deg=float(lon_deg), alt_m=float(alt_m))


def loiter_time(lat_deg: float, lon_deg: float, alt_m: float, time_s: float,
                radius_m: float = 0.0) -> MissionItem:
    """Circle a point for ``time_s``; a negative radius circles counter-clockwise."""
    return MissionItem(mavlink2.MAV_CMD_NAV_LOITER_TIME, param1=float(time_s),
                       param3=float(radius_m), lat_deg=float(lat_deg),
                       lon_deg=float(lon_deg), alt_m=float(alt_m))


def loiter_turns(lat_deg: float, lon_deg: float, alt_m: float, turns: float,
                 radius_m: float = 0.0) -> MissionItem:
    """Circle a point ``turns`` times (ArduPilot stores whole turns up to 255)."""
    return MissionItem(mavlink2.MAV_CMD_NAV_LOITER_TURNS, param1=float(turns),
                       param3=float(radius_m), lat_deg=float(lat_deg),
                       lon_deg=float(lon_deg), alt_m=float(alt_m))


def loiter_unlimited(lat_deg: float, lon_deg: float, alt_m: float,
                     radius_m: float = 0.0) -> MissionItem:
    """Circle a point until told otherwise: the mission never passes this item."""
    return MissionItem(mavlink2.MAV_CMD_NAV_LOITER_UNLIM, param3=float(radius_m),
                       lat_deg=float(lat_deg), lon_deg=float(lon_deg), alt_m=float(alt_m))


def return_to_launch() -> MissionItem:
    return MissionItem(mavlink2.MAV_CMD_NAV_RETURN_TO_LAUNCH, _NO_FRAME)


def land(lat_deg: float = 0.0, lon_deg: float = 0.0) -> MissionItem:
    """Land at a point, or where the vehicle is when lat/lon are 0."""
    return MissionItem(mavlink2.MAV_CMD_NAV_LAND, lat_deg=float(lat_deg),
                       lon_deg=float(lon_deg))


def delay(time_s: float) -> MissionItem:
    """Wait ``time_s`` before the next item (time-of-day fields off: -1)."""
    return MissionItem(mavlink2.MAV_CMD_NAV_DELAY, _NO_FRAME, param1=float(time_s),
                       param2=-1.0, param3=-1.0, param4=-1.0)


def change_speed(speed_m_s: float,
                 speed_type: SpeedType = SpeedType.GROUNDSPEED) -> MissionItem:
    """Set the speed from here on; throttle -1 means unchanged (as QGC sends it)."""
    return MissionItem(mavlink2.MAV_CMD_DO_CHANGE_SPEED, _NO_FRAME,
                       param1=float(speed_type), param2=float(speed_m_s), param3=-1.0)


def jump(to_seq: int, repeat: int) -> MissionItem:
    """Go back to item ``to_seq`` (1-based, = ArduPilot seq) ``repeat`` more times; -1 = ever."""
    return MissionItem(mavlink2.MAV_CMD_DO_JUMP, _NO_FRAME, param1=float(to_seq),
                       param2=float(repeat))


def set_roi(lat_deg: float, lon_deg: float, alt_m: float) -> MissionItem:
    """Point the vehicle (and gimbal) at a location until the next ROI item."""
    return MissionItem(mavlink2.MAV_CMD_DO_SET_ROI_LOCATION, lat_deg=float(lat_deg),
                       lon_deg=float(lon_deg), alt_m=float(alt_m))


# --- fence and rally builders (frames and autocontinue as QGroundControl sends them) ----

def fence_polygon(vertices: Sequence[tuple[float, float]],
                  inclusion: bool = True) -> list[MissionItem]:
    """One item per (lat_deg, lon_deg) vertex, each carrying the vertex count in param1."""
    if len(vertices) < 3:
        raise ValueError(f"a fence polygon needs at least 3 vertices, got {len(vertices)}")
    command = (mavlink2.MAV_CMD_NAV_FENCE_POLYGON_VERTEX_INCLUSION if inclusion
               else mavlink2.MAV_CMD_NAV_FENCE_POLYGON_VERTEX_EXCLUSION)
    count = float(len(vertices))
    return [MissionItem(command, _GLOBAL, param1=count, lat_deg=float(lat),
                        lon_deg=float(lon), autocontinue=False)
            for lat, lon in vertices]


def fence_circle(lat_deg: float, lon_deg: float, radius_m: float,
                 inclusion: bool = True) -> MissionItem:
    command = (mavlink2.MAV_CMD_NAV_FENCE_CIRCLE_INCLUSION if inclusion
               else mavlink2.MAV_CMD_NAV_FENCE_CIRCLE_EXCLUSION)
    return MissionItem(command, _GLOBAL, param1=float(radius_m), lat_deg=float(lat_deg),
                       lon_deg=float(lon_deg), autocontinue=False)


def fence_return_point(lat_deg: float, lon_deg: float, alt_m: float = 0.0) -> MissionItem:
    """Where to go on a fence breach (ArduPilot keeps only lat/lon; QGC keeps the altitude)."""
    return MissionItem(mavlink2.MAV_CMD_NAV_FENCE_RETURN_POINT, _RELATIVE,
                       lat_deg=float(lat_deg), lon_deg=float(lon_deg), alt_m=float(alt_m),
                       autocontinue=False)


def rally_point(lat_deg: float, lon_deg: float, alt_m: float) -> MissionItem:
    """An alternative RTL destination; ArduPilot stores the altitude in whole metres."""
    return MissionItem(mavlink2.MAV_CMD_NAV_RALLY_POINT, _RELATIVE, lat_deg=float(lat_deg),
                       lon_deg=float(lon_deg), alt_m=float(alt_m), autocontinue=False)
