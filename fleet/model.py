"""The fleet's vocabulary: units, kinds, telemetry and status, as plain data.

Nothing here does I/O or knows about asyncio; links translate wire messages into
these types, and every consumer (TUI, dispatch, planning) reads them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum, StrEnum

import msgspec


class Domain(StrEnum):
    """Which of the "four rapid police" forces a unit belongs to (online has no units)."""

    AIR = "air"
    LAND = "land"
    WATER = "water"


class UnitKind(StrEnum):
    DRONE = "drone"
    HELICOPTER = "helicopter"
    COMMAND_VEHICLE = "command_vehicle"
    PATROL_CAR = "patrol_car"
    MOTORCYCLE = "motorcycle"
    COMMAND_BOAT = "command_boat"
    PATROL_BOAT = "patrol_boat"

    @property
    def domain(self) -> Domain:
        return _KIND_DOMAIN[self]


_KIND_DOMAIN = {
    UnitKind.DRONE: Domain.AIR,
    UnitKind.HELICOPTER: Domain.AIR,
    UnitKind.COMMAND_VEHICLE: Domain.LAND,
    UnitKind.PATROL_CAR: Domain.LAND,
    UnitKind.MOTORCYCLE: Domain.LAND,
    UnitKind.COMMAND_BOAT: Domain.WATER,
    UnitKind.PATROL_BOAT: Domain.WATER,
}


class UnitStatus(StrEnum):
    """Operational status, after the usual CAD unit states.

    ``LOST`` is never set by an operator: it overlays the duty status while a unit's
    telemetry is stale, so a unit that was en route is en route again when it comes back.
    """

    AVAILABLE = "available"
    PATROLLING = "patrolling"
    DISPATCHED = "dispatched"
    EN_ROUTE = "en_route"
    ON_SCENE = "on_scene"
    RETURNING = "returning"
    OUT_OF_SERVICE = "out_of_service"
    LOST = "lost"

    @property
    def code(self) -> int:
        """Small integer used in the numpy status column."""
        return _STATUS_CODE[self]

    @property
    def committed(self) -> bool:
        """True when the unit is busy with an incident and should not be sent elsewhere."""
        return self in (UnitStatus.DISPATCHED, UnitStatus.EN_ROUTE, UnitStatus.ON_SCENE)


STATUSES: tuple[UnitStatus, ...] = tuple(UnitStatus)
_STATUS_CODE = {s: i for i, s in enumerate(STATUSES)}
KINDS: tuple[UnitKind, ...] = tuple(UnitKind)
KIND_CODE = {k: i for i, k in enumerate(KINDS)}


class LinkState(StrEnum):
    """Whether we hear a unit: never heard, heard recently, or silent past its timeout."""

    NEVER_SEEN = "never_seen"
    OK = "ok"
    LOST = "lost"


class GpsFix(IntEnum):
    """GPS fix quality, numbered as MAVLink's GPS_FIX_TYPE so MAVLink maps one to one."""

    NO_GPS = 0
    NO_FIX = 1
    FIX_2D = 2
    FIX_3D = 3
    DGPS = 4
    RTK_FLOAT = 5
    RTK_FIXED = 6


@dataclass(frozen=True, slots=True)
class Position:
    lat_deg: float
    lon_deg: float
    alt_m: float = 0.0


@dataclass(frozen=True, slots=True)
class Base:
    """A place units start from and return to: an airfield, a square, a pontoon."""

    id: str
    name: str
    position: Position


@dataclass(frozen=True, slots=True)
class Capabilities:
    """What a unit can do; the defaults per kind live in :data:`KIND_DEFAULTS`."""

    cruise_speed_m_s: float
    endurance_min: float
    launch_time_s: float = 0.0
    stale_after_s: float = 10.0
    responds_to: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Unit:
    """A registered unit. Identity and capabilities only; its live state is elsewhere."""

    id: str
    callsign: str
    kind: UnitKind
    group: str
    base: Base | None
    capabilities: Capabilities
    #: how links find this unit, e.g. {"mavlink": "1:1"} or {"mqtt": "rp08-cv1"}
    addresses: dict[str, str] = field(default_factory=dict, hash=False, compare=False)
    #: watched, never commanded (e.g. another agency's vehicle): commands refused locally
    read_only: bool = False

    @property
    def domain(self) -> Domain:
        return self.kind.domain


class Telemetry(msgspec.Struct, frozen=True, gc=False):
    """One report from a unit. Fields the source does not send are None.

    An immutable msgspec Struct rather than a frozen dataclass: one is built per report
    (hundreds a second), in a small fraction of a dataclass's time (bench/core_state.py,
    docs/benchmarks.md).

    A position of NaN means the unit is heard but not placed (no GPS fix yet).
    ``source_time`` is the unit's own clock (Unix seconds) when it has one;
    ``received_time`` is ours (Unix seconds) when the report arrived. ``ready`` is the
    unit's own "ready to go" (for an autopilot: EKF, GPS and pre-arm checks all good).
    """

    lat_deg: float
    lon_deg: float
    received_time: float
    alt_m: float | None = None
    relative_alt_m: float | None = None
    heading_deg: float | None = None
    ground_speed_m_s: float | None = None
    battery_pct: float | None = None
    mode: str | None = None
    armed: bool | None = None
    gps_fix: GpsFix | None = None
    source_time: float | None = None
    battery_v: float | None = None
    satellites: int | None = None
    ready: bool | None = None
    mission_seq: int | None = None  # the mission item being flown


# Defaults a config may override per kind. Speeds are typical patrol cruise speeds in a
# city; stale timeouts follow the link conventions (MAVLink GCS 5 s; MQTT at 1 Hz: 10 s).
KIND_DEFAULTS: dict[UnitKind, Capabilities] = {
    UnitKind.DRONE: Capabilities(
        cruise_speed_m_s=12.0, endurance_min=35.0, launch_time_s=30.0, stale_after_s=5.0,
        responds_to=frozenset({"overwatch", "search", "traffic", "crowd", "water_rescue"}),
    ),
    UnitKind.HELICOPTER: Capabilities(
        cruise_speed_m_s=55.0, endurance_min=150.0, launch_time_s=300.0, stale_after_s=5.0,
        responds_to=frozenset({"overwatch", "search", "water_rescue", "terror"}),
    ),
    UnitKind.COMMAND_VEHICLE: Capabilities(
        cruise_speed_m_s=9.0, endurance_min=600.0, stale_after_s=10.0,
        responds_to=frozenset({"terror", "crowd", "violent_crime"}),
    ),
    UnitKind.PATROL_CAR: Capabilities(
        cruise_speed_m_s=11.0, endurance_min=480.0, stale_after_s=10.0,
        responds_to=frozenset({"terror", "violent_crime", "theft", "traffic", "assistance",
                               "crowd"}),
    ),
    UnitKind.MOTORCYCLE: Capabilities(
        cruise_speed_m_s=12.5, endurance_min=240.0, stale_after_s=10.0,
        responds_to=frozenset({"violent_crime", "theft", "traffic", "assistance", "crowd"}),
    ),
    UnitKind.COMMAND_BOAT: Capabilities(
        cruise_speed_m_s=10.0, endurance_min=360.0, stale_after_s=10.0,
        responds_to=frozenset({"water_rescue", "water_patrol", "terror"}),
    ),
    UnitKind.PATROL_BOAT: Capabilities(
        cruise_speed_m_s=13.0, endurance_min=240.0, stale_after_s=10.0,
        responds_to=frozenset({"water_rescue", "water_patrol"}),
    ),
}


@dataclass(frozen=True, slots=True)
class Zone:
    """An area with a response-time target (minutes), e.g. downtown 3, other urban 5.

    ``polygon`` is a closed ring of (lat_deg, lon_deg) without the repeated first point.
    ``road_factor`` turns straight-line distance into road distance for ground units
    until a road graph is available.
    """

    id: str
    name: str
    target_min: float
    polygon: tuple[tuple[float, float], ...]
    road_factor: float = 1.4


@dataclass(frozen=True, slots=True)
class KeySite:
    """A place where police must be visible within ``target_min`` (1 minute by default)."""

    id: str
    name: str
    position: Position
    radius_m: float = 300.0
    target_min: float = 1.0
