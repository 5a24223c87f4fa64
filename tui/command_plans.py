"""The operator's commands as data: what each asks for, what it sends to whom, and when
it must be confirmed first.

Pure (no Textual, no I/O): the screen asks the operator for the value a command needs,
builds a :class:`Plan` here, shows it in the confirmation dialog if it is dangerous, then
sends exactly the plan's commands. Keeping the rules here means the dialog can show
precisely what will be sent, and the rules are tested without a terminal.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from fleet.activity import AIRBORNE_M
from fleet.commands import (
    Arm,
    Command,
    Disarm,
    Goto,
    Hold,
    Land,
    Orbit,
    Patrol,
    PauseMission,
    ReturnToLaunch,
    SetHome,
    SetMode,
    SetStatus,
    StartMission,
    Takeoff,
)
from fleet.events import UnitSnapshot
from fleet.model import Domain, UnitStatus
from tui.command_words import command_text
from tui.home_words import KEY, arm_danger, home_to_base, move_line

LatLon = tuple[float, float]
FLYING_ABOVE_M = AIRBORNE_M  # the core's airborne height (fleet.activity)
MAX_TAKEOFF_M = 500.0
#: mode names offered as suggestions: ArduCopter's modes that need no pilot on the sticks
#: (the core refuses LOITER, ALT_HOLD, CIRCLE, ... for an armed aircraft without one)
MODE_SUGGESTIONS = ("GUIDED", "BRAKE", "AUTO", "RTL", "SMART_RTL", "LAND")
#: the overwatch circle's radius, as the dispatcher's on-scene overwatch (dispatch settings)
OVERWATCH_RADIUS_M = 50.0
SETTABLE_STATUSES = tuple(s for s in UnitStatus if s is not UnitStatus.LOST)


class Ask(StrEnum):
    """What a command needs from the operator before it can be planned."""

    NOTHING = "nothing"
    ALTITUDE = "altitude"
    MAP_POINT = "map point"
    TYPED_POINT = "typed point"
    MODE = "mode"
    STATUS = "status"
    PLAN = "plan"  # a mission file or a planned patrol (tui/plan_flow.py)


@dataclass(frozen=True, slots=True)
class CommandSpec:
    name: str
    title: str
    key: str
    ask: Ask = Ask.NOTHING
    help: str = ""
    short: str = ""  # the footer's label, when the title is too long for it

    @property
    def label(self) -> str:
        return self.short or self.title


SPECS: tuple[CommandSpec, ...] = (
    CommandSpec("arm", "Arm", "a", help="arm the motors (pre-arm checks apply)"),
    CommandSpec("force_arm", "Force arm", "A", help="arm skipping pre-arm checks (confirmed)"),
    CommandSpec("disarm", "Disarm", "d", help="disarm; confirmed if the aircraft is flying"),
    CommandSpec("force_disarm", "Force disarm", "D",
                help="disarm even in flight: the motors stop (confirmed)"),
    CommandSpec("takeoff", "Take off", "t", Ask.ALTITUDE, "take off to a height you type"),
    CommandSpec("goto", "Go to (pick on map)", "g", Ask.MAP_POINT,
                "go to a point: click the map or press enter at the crosshair", "Goto"),
    CommandSpec("goto_typed", "Go to (type coordinates)", "G", Ask.TYPED_POINT,
                "go to a latitude, longitude you type"),
    CommandSpec("overwatch", "Overwatch (pick on map)", "w", Ask.MAP_POINT,
                f"circle a point ({OVERWATCH_RADIUS_M:g} m) at the current height, nose on it",
                "Overwatch"),
    CommandSpec("overwatch_typed", "Overwatch (type coordinates)", "W", Ask.TYPED_POINT,
                "circle a latitude, longitude[, height] you type"),
    CommandSpec("hold", "Hold position", "H", help="stop and hold where it is"),
    CommandSpec("rtl", "Return to launch", "r", help="return to base (RTL)", short="RTL"),
    CommandSpec("land", "Land", "L", help="land where it is"),
    CommandSpec("mode", "Change mode", "m", Ask.MODE, "set the autopilot mode by name"),
    CommandSpec("patrol", "Start patrol / mission", "p",
                help="drones: start the loaded mission (after a pause: resume it from the "
                     "item it was flying); vehicles and boats: patrol their area"),
    CommandSpec("stop_patrol", "Stop patrol / pause mission", "P",
                help="drones: pause the mission (BRAKE: holds position and height, no "
                     "pilot; p resumes); vehicles and boats: hold"),
    CommandSpec("load_plan", "Load plan", "u", Ask.PLAN,
                "upload a .plan/.waypoints file or a planned patrol to the aircraft, "
                "verified by reading it back"),
    CommandSpec("home_to_base", "Home to base", KEY,
                help="set home (where RTL lands) to the unit's base; confirmed, with the "
                     "distance it moves"),
    CommandSpec("status", "Set status", "s", Ask.STATUS, "set the duty status", "Status"),
)
SPEC_BY_NAME = {s.name: s for s in SPECS}
AIRCRAFT_ONLY = frozenset({"arm", "force_arm", "disarm", "force_disarm", "takeoff", "land",
                           "mode", "overwatch", "overwatch_typed", "home_to_base", "load_plan"})


@dataclass(frozen=True, slots=True)
class Send:
    unit_id: str
    callsign: str
    command: Command


@dataclass(frozen=True, slots=True)
class Plan:
    """Everything one operator command will do. ``status`` is set in the core for the
    ``local`` units (the dispatcher's record) before anything is sent."""

    spec: CommandSpec
    sends: tuple[Send, ...] = ()
    status: UnitStatus | None = None
    local: tuple[tuple[str, str], ...] = ()  # (unit id, callsign)
    skipped: tuple[tuple[str, str], ...] = ()  # (callsign, why)
    dangers: tuple[str, ...] = ()

    @property
    def dangerous(self) -> bool:
        return bool(self.dangers)

    @property
    def empty(self) -> bool:
        return not self.sends and not self.local

    def describe(self) -> list[str]:
        """What will be done, one line per distinct command, in words: ``Arm → Eagle 1
        (air-1), Eagle 2 (air-2)``, ``Patrol 4 points, loop → RP02 Car 1 (rp02-pc1)``."""
        lines = []
        if self.status is not None and self.local:
            who = ", ".join(f"{name} ({u})" for u, name in self.local)
            lines.append(f"set status {self.status.value} in fleet → {who}")
        groups: dict[str, list[Send]] = {}
        for send in self.sends:
            groups.setdefault(command_text(send.command), []).append(send)
        for text, sends in groups.items():
            who = ", ".join(f"{s.callsign} ({s.unit_id})" for s in sends)
            lines.append(f"{text} → {who}")
        return lines


def is_aircraft(snap: UnitSnapshot) -> bool:
    return snap.unit.kind.domain is Domain.AIR


def is_flying(snap: UnitSnapshot) -> bool:
    tel = snap.telemetry
    alt = getattr(tel, "relative_alt_m", None)
    return bool(tel is not None and tel.armed and isinstance(alt, int | float)
                and math.isfinite(alt) and alt > FLYING_ABOVE_M)


def plan(spec: CommandSpec, snaps: Sequence[UnitSnapshot], value: object = None,
         route_for: Callable[[UnitSnapshot], tuple[LatLon, ...] | None] = lambda s: None,
         ) -> Plan:
    """The plan for ``spec`` on ``snaps`` with the operator's ``value`` (an altitude, a
    (lat, lon[, alt]) point, a mode name or a UnitStatus, as the spec asks)."""
    sends: list[Send] = []
    skipped: list[tuple[str, str]] = []
    dangers: list[str] = []
    local: list[tuple[str, str]] = []
    status = value if spec.name == "status" and isinstance(value, UnitStatus) else None
    for snap in snaps:
        name = str(snap.unit.callsign or snap.id)
        if spec.name in AIRCRAFT_ONLY and not is_aircraft(snap):
            skipped.append((name, f"{spec.title.lower()} is for aircraft only"))
            continue
        if status is not None:
            local.append((snap.id, name))
            if not is_aircraft(snap):  # the crew's terminal shows it too
                sends.append(Send(snap.id, name, SetStatus(status)))
            continue
        command = _command_for(spec.name, snap, value, route_for)
        if isinstance(command, str):
            skipped.append((name, command))
            continue
        sends.append(Send(snap.id, name, command))
        if spec.name in ("arm", "force_arm") and (warning := arm_danger(snap, name)):
            dangers.append(warning)
        if isinstance(command, SetHome):
            dangers.append(move_line(snap, name, command))
        if spec.name == "disarm" and is_flying(snap):
            alt = snap.telemetry.relative_alt_m if snap.telemetry else 0.0
            dangers.append(f"{name} is flying ({alt:.0f} m up): disarming stops its motors")
    if spec.name == "force_arm" and sends:
        dangers.append("force arm skips the pre-arm safety checks")
    if spec.name == "force_disarm" and sends:
        dangers.append("force disarm stops the motors even in flight")
    targets = len({s.unit_id for s in sends} | {u for u, _ in local})
    if targets > 1:
        dangers.append(f"this goes to {targets} units")
    return Plan(spec, tuple(sends), status, tuple(local), tuple(skipped), tuple(dangers))


def _command_for(name: str, snap: UnitSnapshot, value: object,
                 route_for: Callable[[UnitSnapshot], tuple[LatLon, ...] | None],
                 ) -> Command | str:
    """The command for one unit, or the reason it gets none."""
    air = is_aircraft(snap)
    simple: dict[str, Command] = {
        "arm": Arm(), "force_arm": Arm(force=True), "disarm": Disarm(),
        "force_disarm": Disarm(force=True), "hold": Hold(), "rtl": ReturnToLaunch(),
        "land": Land(),
    }
    if name in simple:
        return simple[name]
    if name == "takeoff":
        return Takeoff(float(value)) if isinstance(value, int | float) else "no altitude"
    if name in ("goto", "goto_typed"):
        if not isinstance(value, tuple) or len(value) < 2:
            return "no point"
        alt = value[2] if air and len(value) > 2 else None
        return Goto(float(value[0]), float(value[1]), alt)
    if name in ("overwatch", "overwatch_typed"):
        if not isinstance(value, tuple) or len(value) < 2:
            return "no point"
        if not is_flying(snap):
            return "not flying: take off first"
        alt = float(value[2]) if len(value) > 2 else None
        return Orbit(float(value[0]), float(value[1]), OVERWATCH_RADIUS_M, alt)
    if name == "mode":
        return SetMode(str(value)) if value else "no mode"
    if name == "patrol":
        if air:
            return StartMission()
        route = route_for(snap)
        return Patrol(route) if route else "no patrol route known for it"
    if name == "stop_patrol":
        return PauseMission() if air else Hold()
    if name == "home_to_base":
        return home_to_base(snap)
    return f"{name} is not a command"


# -- what the operator types -----------------------------------------------------------
def parse_altitude(text: str) -> float:
    """Metres above home, 1 to 500."""
    try:
        alt = float(text.strip().removesuffix("m").strip())
    except ValueError:
        raise ValueError("type a height in metres, e.g. 30") from None
    if not (FLYING_ABOVE_M <= alt <= MAX_TAKEOFF_M) or not math.isfinite(alt):
        raise ValueError(f"height must be {FLYING_ABOVE_M:g} to {MAX_TAKEOFF_M:g} m")
    return alt


def parse_point(text: str) -> tuple[float, ...]:
    """``lat, lon`` or ``lat, lon, alt`` (degrees, metres above home)."""
    parts = [p for p in re.split(r"[,\s]+", text.strip()) if p]
    try:
        nums = tuple(float(p) for p in parts)
    except ValueError:
        raise ValueError("type latitude, longitude[, altitude], e.g. 26.89, 112.61") from None
    if len(nums) not in (2, 3) or not all(math.isfinite(n) for n in nums):
        raise ValueError("type latitude, longitude[, altitude], e.g. 26.89, 112.61")
    if not (-90 <= nums[0] <= 90 and -180 <= nums[1] <= 180):
        raise ValueError("latitude is -90..90 and longitude -180..180")
    if len(nums) == 3 and not (FLYING_ABOVE_M <= nums[2] <= MAX_TAKEOFF_M):
        raise ValueError(f"altitude must be {FLYING_ABOVE_M:g} to {MAX_TAKEOFF_M:g} m")
    return nums


_MODE = re.compile(r"^[A-Z][A-Z0-9_.]{0,31}$")


def parse_mode(text: str) -> str:
    mode = text.strip().upper()
    if not _MODE.match(mode):
        raise ValueError("a mode name is letters, digits and _ (e.g. BRAKE)")
    return mode
