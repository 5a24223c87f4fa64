"""The settings planning owns: patrols and patrol schedules as configured.

:mod:`fleet.config` reads TOML into these and checks them (a patrol is planned once,
by :func:`fleet.planning.patrols.build_plan`, so bad geometry is a config error);
planning never reads the config itself.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

LatLon = tuple[tuple[float, float], ...]

PATTERNS = ("coverage", "perimeter", "tour", "corridor")
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True, slots=True)
class PatrolConfig:
    """A patrol as configured; :func:`fleet.planning.patrols.build_plan` plans it."""

    id: str
    name: str
    pattern: str  # coverage, perimeter, tour, corridor
    zone: str | None = None
    polygon: LatLon = ()
    site: str | None = None  # perimeter: orbit this key site
    sites: tuple[str, ...] = ()  # tour
    line: LatLon = ()  # corridor
    exclusions: tuple[LatLon, ...] = ()
    alt_m: float = 60.0
    spacing_m: float | None = None  # coverage: given, or from the camera
    angle_deg: float | None = None
    offset_m: float = 50.0
    radius_m: float | None = None
    loiter_s: float = 60.0
    closed: bool = True
    speed_m_s: float | None = None  # None: the unit's cruise speed
    split: int = 1  # units sharing each run
    duration_min: float = 30.0  # ground and water units: how long to drive the loop
    reserve: float = 0.25
    clearance_m: float = 10.0


@dataclass(frozen=True, slots=True)
class PatrolSchedule:
    """Run ``patrol`` every ``every_min`` from ``start`` to ``end`` on ``days`` with units
    from ``pool`` (config order; the executor picks the available ones)."""

    id: str
    name: str
    patrol: str
    start: dt.time
    end: dt.time
    every_min: float | None  # None: once per window, at its start
    days: frozenset[int]  # 0 = Monday; the day a window starts
    pool: tuple[str, ...]
    retries: int = 2
    enabled: bool = True


@dataclass(frozen=True, slots=True)
class Roster:
    """"Five shifts, four rotations": ``len(crews)`` crews share ``shifts_per_day`` shifts a
    day; on day d (counted from ``epoch``) shift s is worked by crew (s - d) mod n, so each
    crew moves one shift later every day and rests one day in n (n - shifts crews rest)."""

    id: str
    crews: tuple[str, ...]
    shifts_per_day: int
    first_shift: dt.time
    epoch: dt.date
    groups: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Blackout:
    """No scheduled run starts in this window (runs already flying finish)."""

    id: str
    reason: str
    start: dt.datetime | dt.time  # a one-off window, or a daily one
    end: dt.datetime | dt.time
    days: frozenset[int]  # daily windows only
    applies_to: frozenset[str]  # schedule ids; empty: every patrol schedule


ScheduleEntry = PatrolSchedule | Roster | Blackout
