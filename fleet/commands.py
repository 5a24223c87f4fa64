"""Commands fleet can send to a unit, as values.

The public API (``unit.action.arm()``) builds one of these and the service hands it to
the driver of the link that reaches the unit; each driver translates it to its protocol
(MAVLink COMMAND_LONG, an MQTT ``cmd`` message) or raises UnsupportedCommandError.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from .missions import MissionItem, MissionType
from .model import UnitStatus


@dataclass(frozen=True, slots=True)
class Arm:
    force: bool = False  # bypass pre-arm checks: only when an operator explicitly asks


@dataclass(frozen=True, slots=True)
class Disarm:
    force: bool = False  # disarm even in flight: only when an operator explicitly asks


@dataclass(frozen=True, slots=True)
class SetMode:
    """An autopilot mode by name (e.g. "GUIDED", "AUTO"). Modes flown from a pilot's
    sticks (ArduCopter's LOITER, ALT_HOLD, CIRCLE, ...) are refused for an armed aircraft
    unless ``pilot`` says someone holds the sticks: without one they descend."""

    mode: str
    pilot: bool = False


@dataclass(frozen=True, slots=True)
class Takeoff:
    relative_alt_m: float


@dataclass(frozen=True, slots=True)
class Goto:
    lat_deg: float
    lon_deg: float
    alt_m: float | None = None  # relative to home for aircraft; ignored by ground units


@dataclass(frozen=True, slots=True)
class Orbit:
    """Circle a point at a held altitude, nose on the centre (overwatch); ``alt_m`` None
    keeps the current height, ``velocity_m_s`` None the default speed."""

    lat_deg: float
    lon_deg: float
    radius_m: float
    alt_m: float | None = None
    velocity_m_s: float | None = None


@dataclass(frozen=True, slots=True)
class Hold:
    """Stop and hold position (and, for aircraft, altitude) with no pilot input."""


@dataclass(frozen=True, slots=True)
class ReturnToLaunch:
    pass


@dataclass(frozen=True, slots=True)
class Land:
    pass


@dataclass(frozen=True, slots=True)
class SetSpeed:
    speed_m_s: float


@dataclass(frozen=True, slots=True)
class SetHome:
    """Move the vehicle's home: where RTL (and a GCS failsafe's RTL) returns and lands.

    With no point (``SetHome()``) home becomes where the vehicle is now. With a point,
    ``alt_amsl_m`` is the home's altitude above mean sea level; None keeps the altitude
    of the home the vehicle has now: never sea level, which would put a city's ground
    tens of metres "above home" (docs/flight-safety.md, "Home and base"). The driver
    reads the home back and fails if the vehicle did not take it.
    """

    lat_deg: float | None = None
    lon_deg: float | None = None
    alt_amsl_m: float | None = None

    def __post_init__(self) -> None:
        if (self.lat_deg is None) != (self.lon_deg is None):
            raise ValueError("SetHome needs both latitude and longitude, or neither")
        if self.lat_deg is None and self.alt_amsl_m is not None:
            raise ValueError("SetHome here takes the vehicle's own altitude")

    @property
    def here(self) -> bool:
        """Home becomes the vehicle's current position."""
        return self.lat_deg is None


@dataclass(frozen=True, slots=True)
class UploadMission:
    """Replace the vehicle's mission (or fence, or rally points) with ``items``; with
    ``verify``, read it back and compare (within the vehicle's rounding)."""

    items: tuple[MissionItem, ...]
    mission_type: MissionType = MissionType.MISSION
    verify: bool = True
    #: called with (done, total) as items go out, e.g. for a progress bar
    progress: Callable[[int, int], None] | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class DownloadMission:
    """Read the vehicle's list; the result is a tuple of MissionItem (no home)."""

    mission_type: MissionType = MissionType.MISSION
    progress: Callable[[int, int], None] | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class ClearMission:
    mission_type: MissionType = MissionType.MISSION


@dataclass(frozen=True, slots=True)
class SetMissionCurrent:
    index: int  # 0-based, in the user's numbering (home excluded)


@dataclass(frozen=True, slots=True)
class StartMission:
    pass


@dataclass(frozen=True, slots=True)
class PauseMission:
    pass


@dataclass(frozen=True, slots=True)
class Patrol:
    """Follow ``route`` ((lat_deg, lon_deg) points, at least two), looping unless told
    not to; replaced by the next command. A ground or water unit's patrol."""

    route: tuple[tuple[float, float], ...]
    loop: bool = True


@dataclass(frozen=True, slots=True)
class SetStatus:
    """The centre changes the unit's duty status (it shows on the crew's terminal)."""

    status: UnitStatus


Command = (
    Arm | Disarm | SetMode | Takeoff | Goto | Orbit | Hold | ReturnToLaunch | Land | SetSpeed
    | SetHome | UploadMission | DownloadMission | ClearMission | SetMissionCurrent | StartMission
    | PauseMission | Patrol | SetStatus
)


class Origin(StrEnum):
    """Who sends a command (``FleetService.send(..., origin=)``): an operator at the
    console, the CLI or a script (the default), or the core's own automation. An
    operator's command to a unit on a scheduled run takes the unit over from the schedule
    (docs/planning.md, "Hand-over"); the automation's commands never do."""

    OPERATOR = "operator"
    SCHEDULE = "schedule"
    DISPATCH = "dispatch"


def command_name(command: Command) -> str:
    """A short name for logs and errors, e.g. ``arm``, ``return_to_launch``."""
    name = type(command).__name__
    return "".join("_" + c.lower() if c.isupper() else c for c in name).lstrip("_")
