"""Is a vehicle's home still its base? Pure: the state calls it, the console reads it.

ArduPilot moves home to where an aircraft arms unless a ground station set (and so
locked) it (AP_Arming_Copter::arm; ArduRover also lets home follow a disarmed boat). A
drone re-armed on a plaza then returns to the plaza on RTL, a GCS failsafe included,
while the operator still thinks of it as flying from its base. This module says how far
the reported home is from the unit's configured base and words the alert once per change
(edge-triggered): a WARNING when home leaves the base, a NOTICE when it is back.

:data:`AWAY_M` is 50 m: GPS and EKF put a home set on the pad within a few metres of it,
and a base's configured point may be the middle of a roof or a yard rather than the pad
itself, so tens of metres are still "at base"; a plaza, a street or another roof is
further than that. Back at base needs :data:`BACK_M` (40 m) so a home that wanders around
the threshold (a disarmed boat's, 0.5 m at a time) does not flap.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .events import Severity
from .geo import distance_m
from .model import Base, Domain, Position, Unit

AWAY_M = 50.0
BACK_M = 40.0
CODE_AWAY = "unit.home_moved"
CODE_BACK = "unit.home_at_base"


@dataclass(frozen=True, slots=True)
class HomeNews:
    """One alert to raise: severity, code and message (the unit's callsign first)."""

    severity: Severity
    code: str
    message: str


def distance_words(metres: float) -> str:
    """``320 m``, ``1.2 km``, ``15 km``: as an operator reads a distance."""
    if metres < 1000.0:
        return f"{metres:.0f} m"
    if metres < 10000.0:
        return f"{metres / 1000.0:.1f} km"
    return f"{metres / 1000.0:.0f} km"


def from_base_m(base: Base | None, point: Position | None) -> float | None:
    """Metres from ``base`` to ``point``; None when either is unknown (NaN included)."""
    if base is None or point is None:
        return None
    d = distance_m(base.position.lat_deg, base.position.lon_deg, point.lat_deg, point.lon_deg)
    return d if math.isfinite(d) else None


def is_away(metres: float | None, was_away: bool | None = None) -> bool | None:
    """Whether a home ``metres`` from its base is away from it, with hysteresis: once
    away it stays away until within :data:`BACK_M`. None when the distance is unknown."""
    if metres is None:
        return None
    return metres > (BACK_M if was_away else AWAY_M)


def watch(unit: Unit, home: Position | None,
          was_away: bool | None) -> tuple[bool | None, HomeNews | None]:
    """The new away-state of ``unit`` whose vehicle reports ``home``, and the alert to
    raise (None when nothing changed). A home first heard at base says nothing; first
    heard away, it warns. An unknown home or a unit without a base keeps the state."""
    metres = from_base_m(unit.base, home)
    away = is_away(metres, was_away)
    if away is None or metres is None or unit.base is None:
        return was_away, None
    if away == bool(was_away) and was_away is not None:
        return away, None
    if not away:
        if not was_away:
            return away, None  # first heard at base: nothing to say
        return away, HomeNews(Severity.NOTICE, CODE_BACK,
                              f"{unit.callsign}: home is back at its base ({unit.base.name})")
    land = "land" if unit.domain is Domain.AIR else "go"
    return away, HomeNews(
        Severity.WARNING, CODE_AWAY,
        f"{unit.callsign}: home is {distance_words(metres)} from its base "
        f"({unit.base.name}): RTL would {land} there — set home to base")
