"""Overwatch: an ArduPilot copter circling a scene at a held altitude, flown by the core.

ArduCopter's CIRCLE (like LOITER and ALT_HOLD) takes its climb rate from the pilot's
throttle stick: with no pilot, or the stick low, the aircraft comes down on the scene.
So fleet flies the circle itself in GUIDED, the mode that takes its targets from the
ground station and holds altitude on its own: about four times a second it sends
SET_POSITION_TARGET_GLOBAL_INT with a point on the circle, the velocity along it (feed
forward, so the track is smooth) and the yaw that points the nose (and camera) at the
centre. If the targets stop (link lost, core gone), ArduCopter keeps the last position,
drops the velocity after GUID_TIMEOUT (3 s) and hovers there at altitude until its GCS
failsafe acts (see docs/flight-safety.md).

Pure: no I/O and no clock; the link's guidance loop calls :meth:`Overwatch.step`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from ...geo import bearing_rad, displace, distance_m
from .dialect import mavlink2 as m

#: targets per second; ArduCopter's position controller runs at 400 Hz and interpolates
GUIDANCE_HZ = 4.0
MAX_GUIDANCE_HZ = 50.0  # with a simulator or SITL sped up (``[mavlink] heartbeat_hz``)
DEFAULT_SPEED_M_S = 4.0
#: the target runs at most this far (seconds of travel) ahead of the aircraft's own phase,
#: so an aircraft held back by wind is led, not chased around the circle
MAX_LEAD_S = 2.0
#: a late tick (busy loop, link stall) advances the target by at most this much time
MAX_STEP_S = 1.0
#: position and velocity used, acceleration and yaw rate ignored, yaw used
TYPE_MASK = (m.POSITION_TARGET_TYPEMASK_AX_IGNORE | m.POSITION_TARGET_TYPEMASK_AY_IGNORE
             | m.POSITION_TARGET_TYPEMASK_AZ_IGNORE
             | m.POSITION_TARGET_TYPEMASK_YAW_RATE_IGNORE)


@dataclass(frozen=True, slots=True)
class OrbitTarget:
    lat: float
    lon: float
    alt_m: float       # above home
    v_north: float
    v_east: float
    yaw_rad: float     # clockwise from north, at the centre


@dataclass(frozen=True, slots=True)
class OrbitPath:
    """A horizontal circle flown clockwise (seen from above) at ``speed_m_s``; ``phase``
    is the bearing of a point from the centre, radians."""

    lat: float
    lon: float
    radius_m: float
    alt_m: float
    speed_m_s: float = DEFAULT_SPEED_M_S

    @property
    def rate_rad_s(self) -> float:
        return self.speed_m_s / self.radius_m

    def phase_of(self, lat: float, lon: float) -> float:
        return bearing_rad(self.lat, self.lon, lat, lon)

    def entry(self, lat: float, lon: float) -> tuple[float, float]:
        """The point of the circle nearest (lat, lon): where to join it."""
        if math.isnan(lat) or distance_m(self.lat, self.lon, lat, lon) < 1e-3:
            return displace(self.lat, self.lon, 0.0, -self.radius_m)  # from the south
        return self.point(self.phase_of(lat, lon))

    def point(self, phase: float) -> tuple[float, float]:
        r = self.radius_m
        return displace(self.lat, self.lon, r * math.sin(phase), r * math.cos(phase))

    def target(self, phase: float) -> OrbitTarget:
        lat, lon = self.point(phase)
        v = self.speed_m_s  # d/dphase of (r sin, r cos) is (r cos, -r sin), times the rate
        return OrbitTarget(lat, lon, self.alt_m, -v * math.sin(phase), v * math.cos(phase),
                           (phase + math.pi) % math.tau)

    def radial_error_m(self, lat: float, lon: float) -> float:
        """How far (lat, lon) is off the circle, inwards or outwards."""
        return abs(distance_m(self.lat, self.lon, lat, lon) - self.radius_m)


class Phase(StrEnum):
    JOINING = "joining"      # flying (GUIDED reposition) to the entry point
    CIRCLING = "circling"


@dataclass(frozen=True, slots=True)
class Ended:
    """The overwatch stopped by itself; ``expected`` is False when something else took
    the aircraft (a failsafe, a pilot, another ground station)."""

    reason: str
    expected: bool = False


class Overwatch:
    """One aircraft's overwatch: join the circle, then stream its targets."""

    def __init__(self, path: OrbitPath, entry: tuple[float, float], started: float) -> None:
        self.path = path
        self.entry = entry
        self.phase = Phase.JOINING
        self.angle = path.phase_of(*entry)
        self._last = started
        self.join_tolerance_m = max(3.0, 0.15 * path.radius_m)

    def set_speed(self, speed_m_s: float) -> None:
        if speed_m_s > 0:
            self.path = replace(self.path, speed_m_s=speed_m_s)

    def step(self, now: float, lat: float, lon: float, mode: str | None,
             armed: bool | None) -> OrbitTarget | Ended | None:
        """The target to send now, None (nothing to send yet), or why it has ended."""
        dt = min(max(now - self._last, 0.0), MAX_STEP_S)
        self._last = now
        if armed is False:
            return Ended("disarmed")
        if mode != "GUIDED":
            return Ended(f"the aircraft left GUIDED for {mode}")
        if self.phase is Phase.JOINING:
            if distance_m(lat, lon, *self.entry) > self.join_tolerance_m:
                return None
            self.phase = Phase.CIRCLING
            self.angle = self.path.phase_of(lat, lon)
            return self.path.target(self.angle)
        own = self.path.phase_of(lat, lon)
        ahead = (self.angle + self.path.rate_rad_s * dt - own) % math.tau
        lead = min(ahead, self.path.rate_rad_s * MAX_LEAD_S)
        if ahead > math.pi:  # the aircraft is ahead of the target: start from it
            lead = 0.0
        self.angle = (own + lead) % math.tau
        return self.path.target(self.angle)


def position_target(sysid: int, compid: int, t: OrbitTarget) -> Any:
    """SET_POSITION_TARGET_GLOBAL_INT for ``t`` (altitude relative to home)."""
    return m.MAVLink_set_position_target_global_int_message(
        0, sysid, compid, m.MAV_FRAME_GLOBAL_RELATIVE_ALT_INT, TYPE_MASK,
        round(t.lat * 1e7), round(t.lon * 1e7), float(t.alt_m),
        float(t.v_north), float(t.v_east), 0.0, 0.0, 0.0, 0.0, float(t.yaw_rad), 0.0)
