"""What a unit is doing, read from what it reports, not from what it was last called.

A CAD status ("available", "patrolling") is what the centre decided; it goes stale the
moment a pilot takes over, a mission ends or a car stops. The console shows instead what
the unit *does* (airborne and holding, in transit, returning, landed, on patrol), read
from its telemetry (armed, flight mode, height, speed) and its tasking (who told it what,
:mod:`fleet.tasking`), and keeps the CAD status for incidents. Pure: no I/O, no asyncio.

The mode names are ArduPilot's as fleet's MAVLink link reports them (``GUIDED``,
``AUTO``, ``RTL``...); MQTT units report their crew's status in ``mode`` and are read
from speed and tasking.
"""

from __future__ import annotations

import math
from enum import StrEnum

from .commands import (
    Command,
    Goto,
    Hold,
    Land,
    Orbit,
    Patrol,
    PauseMission,
    ReturnToLaunch,
    StartMission,
)
from .events import UnitSnapshot
from .model import Domain, UnitStatus

#: above this height (m above home) an armed aircraft is airborne
AIRBORNE_M = 1.0
#: faster than this (m/s) a unit is going somewhere, not holding or stopped
MOVING_M_S = 1.0


class Activity(StrEnum):
    LANDED = "landed"
    TAKING_OFF = "taking off"
    TRANSIT = "transit"
    HOLDING = "holding"
    OVERWATCH = "overwatch"
    ON_PATROL = "on patrol"
    RETURNING = "returning"
    LANDING = "landing"
    AIRBORNE = "airborne"  # flying in a mode fleet does not command (a pilot's)
    STOPPED = "stopped"
    MOVING = "moving"

    @property
    def flying(self) -> bool:
        return self not in (Activity.LANDED, Activity.STOPPED, Activity.MOVING)


_RETURN_MODES = frozenset({"RTL", "SMART_RTL", "QRTL", "AUTO_RTL"})
_LAND_MODES = frozenset({"LAND", "QLAND"})
_HOLD_MODES = frozenset({"BRAKE", "LOITER", "POSHOLD", "ALT_HOLD", "HOLD", "QLOITER",
                         "QHOVER", "CIRCLE"})


def _num(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
        return None
    return float(value)


def activity(snap: UnitSnapshot) -> Activity | None:
    """What ``snap``'s unit is doing, or None before its first report."""
    tel = snap.telemetry
    if tel is None:
        return None
    speed = _num(tel.ground_speed_m_s) or 0.0
    command = snap.tasking.command if snap.tasking is not None else None
    if snap.unit.domain is Domain.AIR:
        climb_to = snap.tasking.alt_m if snap.tasking is not None else None
        return _aircraft(tel.armed, (tel.mode or "").upper(), _num(tel.relative_alt_m), speed,
                         command, climb_to)
    mode = (tel.mode or "").upper()
    if tel.armed is not None and tel.mode:  # an autopilot-driven boat or rover (ArduRover)
        if mode in _RETURN_MODES:
            return Activity.RETURNING
        if mode == "AUTO":
            return Activity.ON_PATROL
        if mode == "HOLD" or speed < MOVING_M_S:
            return Activity.STOPPED
    elif speed < MOVING_M_S:  # a patrol car at a junction is still on its patrol
        patrolling = (snap.duty_status is UnitStatus.PATROLLING
                      and command in (None, "patrol", "mission"))
        return Activity.ON_PATROL if patrolling else Activity.STOPPED
    if command == "return" or snap.duty_status is UnitStatus.RETURNING:
        return Activity.RETURNING
    if command in ("patrol", "mission") or snap.duty_status is UnitStatus.PATROLLING:
        return Activity.ON_PATROL
    if command == "goto" or snap.duty_status.committed:
        return Activity.TRANSIT
    return Activity.MOVING


def _aircraft(armed: bool | None, mode: str, alt: float | None, speed: float,
              command: str | None, climb_to: float | None = None) -> Activity:
    airborne = alt > AIRBORNE_M if alt is not None else armed is True and speed > MOVING_M_S
    if armed is False or not airborne:
        if armed and command == "takeoff" and mode == "GUIDED":
            return Activity.TAKING_OFF
        return Activity.LANDING if armed and mode in _LAND_MODES else Activity.LANDED
    if mode in _RETURN_MODES:
        return Activity.RETURNING
    if mode in _LAND_MODES:
        return Activity.LANDING
    if mode == "AUTO":
        return Activity.RETURNING if command == "return" else Activity.ON_PATROL
    if mode in _HOLD_MODES:
        return Activity.HOLDING
    if mode == "GUIDED":
        if command == "overwatch":
            return Activity.OVERWATCH
        if command == "takeoff" and speed < MOVING_M_S:  # climbing until 95 % of its height
            top = 0.95 * climb_to if climb_to else 2 * AIRBORNE_M
            return Activity.TAKING_OFF if alt is not None and alt < top else Activity.HOLDING
        return Activity.TRANSIT if speed >= MOVING_M_S else Activity.HOLDING
    return Activity.AIRBORNE


def duty_after(command: Command, status: UnitStatus) -> UnitStatus | None:
    """The CAD status after an operator's ``command`` is accepted by a unit in ``status``,
    or None to keep it. A unit the operator takes off its patrol is no longer patrolling;
    one sent home is returning; one put on a patrol is patrolling. Units on an incident
    keep their incident status: the dispatcher changes that, not a goto."""
    if status.committed or status in (UnitStatus.OUT_OF_SERVICE, UnitStatus.LOST):
        return None
    if isinstance(command, ReturnToLaunch):
        return UnitStatus.RETURNING
    if isinstance(command, Patrol | StartMission):
        return UnitStatus.PATROLLING
    if isinstance(command, Goto | Orbit | Hold | PauseMission | Land) and status in (
            UnitStatus.PATROLLING, UnitStatus.RETURNING):
        return UnitStatus.AVAILABLE
    return None
