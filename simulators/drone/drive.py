"""How an ArduRover rover or boat moves in each mode, one tick at a time (no I/O).

Kinematic, like the copter: forward speed changes within ATC_ACCEL_MAX (ATC_DECEL_MAX), the
heading turns within ATC_STR_RAT_MAX and the lateral-acceleration limit ATC_TURN_MAX_G, and the
vehicle moves along its heading (it can't turn on the spot). Navigation follows AR_WPNav and the
modes' update(): drive toward the destination slowing for the heading error (as ModeLoiter
does), stop at it unless another waypoint follows, and call it reached within WP_RADIUS or past
the line through it square to the leg. Boats loiter where they stop (LOIT_RADIUS), rovers stop.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .physics import G
from .rover_modes import RoverMode

if TYPE_CHECKING:
    from .rover import Rover

ACCEL_NO_LIMIT = 20.0     # m/s/s, AR_WPNAV_ACCEL_MAX when ATC_ACCEL_MAX is 0
MIN_TURN_RADIUS_M = 1.0   # steering geometry: no turning on the spot
TIMEOUT_S = 3.0           # ModeGuided: heading/turn-rate targets stop after 3 s


@dataclass
class Drive:
    """The current mode's navigation state (AR_WPNav and the mode's own targets)."""

    submode: str = "stop"      # stop, loiter, wp, heading, turn_rate
    origin: tuple[float, float] | None = None
    destination: tuple[float, float] | None = None
    stop_at_destination: bool = True
    reached: bool = False
    notify: bool = False       # report the arrival once
    loiter_point: tuple[float, float] | None = None
    heading: float = 0.0       # deg, heading submode
    turn_rate: float = 0.0     # deg/s, turn_rate submode
    speed: float = 0.0         # m/s, heading and turn_rate submodes
    updated_at: float = 0.0

    @property
    def target(self) -> tuple[float, float] | None:
        """Where the vehicle is going, for NAV_CONTROLLER_OUTPUT and guided altitude changes."""
        if self.submode == "wp":
            return self.destination
        return self.loiter_point if self.submode == "loiter" else None


def _accel(v: Rover) -> float:
    return v.params["ATC_ACCEL_MAX"] or ACCEL_NO_LIMIT


def _decel(v: Rover) -> float:
    return v.params["ATC_DECEL_MAX"] or _accel(v)


def _wrap180(deg: float) -> float:
    return (deg + 180.0) % 360.0 - 180.0


def turn_rate_max(v: Rover) -> float:
    """deg/s: ATC_STR_RAT_MAX, the lateral-acceleration limit and the steering geometry."""
    speed = abs(v.speed)
    if speed < 1e-3:
        return 0.0
    limit = v.params["ATC_STR_RAT_MAX"] or 360.0
    lateral = math.degrees(v.params["ATC_TURN_MAX_G"] * G / speed)
    return min(limit, lateral, math.degrees(speed / MIN_TURN_RADIUS_M))


def steer(v: Rover, dt: float, speed: float, *, heading: float | None = None,
          turn_rate: float | None = None) -> None:
    """Approach ``speed`` (m/s, negative reverses) and ``heading`` or ``turn_rate``, then move."""
    b = v.body
    change = speed - v.speed
    limit = (_accel(v) if abs(speed) > abs(v.speed) else _decel(v)) * dt
    v.speed += max(-limit, min(limit, change))
    rate_max = turn_rate_max(v)
    if heading is not None:
        step = max(-rate_max * dt, min(rate_max * dt, _wrap180(heading - b.yaw_deg)))
        b.yaw_deg = (b.yaw_deg + step) % 360
    elif turn_rate is not None:
        rate = max(-rate_max, min(rate_max, turn_rate))
        b.yaw_deg = (b.yaw_deg + rate * dt) % 360
    yaw = math.radians(b.yaw_deg)
    b.vn, b.ve, b.vu = v.speed * math.cos(yaw), v.speed * math.sin(yaw), 0.0
    b.north += b.vn * dt
    b.east += b.ve * dt


def stop(v: Rover, dt: float) -> None:
    """stop_vehicle(): throttle to zero, steering centred."""
    steer(v, dt, 0.0)


def stopping_point(v: Rover) -> tuple[float, float]:
    b = v.body
    dist = v.speed * abs(v.speed) / (2 * _decel(v))
    yaw = math.radians(b.yaw_deg)
    return (b.north + dist * math.cos(yaw), b.east + dist * math.sin(yaw))


# ---------------------------------------------------------------------- AR_WPNav


def set_destination(v: Rover, dest: tuple[float, float], stop_at: bool = True) -> None:
    """AR_WPNav::set_desired_location: a leg from the destination just reached, else from here."""
    d = v.nav
    chained = d.submode == "wp" and d.reached and d.destination is not None
    d.origin = d.destination if chained else (v.body.north, v.body.east)
    d.destination, d.stop_at_destination = dest, stop_at
    d.submode, d.reached, d.notify = "wp", False, True


def navigate(v: Rover, dt: float) -> bool:
    """One step toward the destination; True once reached (stopping there is the caller's)."""
    d, b = v.nav, v.body
    assert d.destination is not None
    dn, de = d.destination[0] - b.north, d.destination[1] - b.east
    dist = math.hypot(dn, de)
    if not d.reached:
        d.reached = dist <= v.params["WP_RADIUS"] or _past_finish_line(v)
    if d.reached and d.stop_at_destination:
        return True                      # the caller stops (rover) or loiters (boat)
    bearing = math.degrees(math.atan2(de, dn))
    speed = v.speed_max
    if d.stop_at_destination:
        speed = min(speed, math.sqrt(2 * _decel(v) * dist))
    speed *= 1.0 - min(abs(_wrap180(bearing - b.yaw_deg)) / 90.0, 1.0) * 0.5
    steer(v, dt, speed, heading=bearing)
    return d.reached


def _past_finish_line(v: Rover) -> bool:
    d, b = v.nav, v.body
    if d.origin is None or d.destination is None:
        return False
    ln, le = d.destination[0] - d.origin[0], d.destination[1] - d.origin[1]
    length = math.hypot(ln, le)
    if length < 1e-6:
        return False
    along = ((b.north - d.origin[0]) * ln + (b.east - d.origin[1]) * le) / length
    return along >= length


# ---------------------------------------------------------------------- modes


def start_loiter(v: Rover) -> None:
    """ModeLoiter::_enter: hold the point where the vehicle can stop."""
    v.nav.submode, v.nav.loiter_point = "loiter", stopping_point(v)


def loiter(v: Rover, dt: float) -> None:
    """ModeLoiter::update: inside LOIT_RADIUS slow to a stop, outside drive back (reversing)."""
    b, p = v.body, v.params
    point = v.nav.loiter_point or (b.north, b.east)
    dn, de = point[0] - b.north, point[1] - b.east
    dist, radius = math.hypot(dn, de), p["LOIT_RADIUS"]
    if dist <= radius:
        steer(v, dt, 0.0)
        return
    speed = min((dist - radius) * p["LOIT_SPEED_GAIN"], p["WP_SPEED"])
    heading = math.degrees(math.atan2(de, dn))
    if abs(_wrap180(heading - b.yaw_deg)) > 90:            # LOIT_TYPE 0: reverse to it
        heading, speed = heading + 180.0, -speed
    speed *= 1.0 - min(abs(_wrap180(heading - b.yaw_deg)) / 90.0, 1.0) * 0.5
    steer(v, dt, speed, heading=heading)


def stop_or_loiter(v: Rover, dt: float) -> None:
    """Where a boat loiters a rover stops (ModeGuided, ModeRTL, ModeAuto on arrival)."""
    if v.is_boat:
        if v.nav.submode != "loiter":
            start_loiter(v)
        loiter(v, dt)
    else:
        v.nav.submode = "stop"
        stop(v, dt)


def _manual(v: Rover, dt: float) -> None:
    """Throttle stick only (RC3, 1500 = stop): speed in proportion up to the full-throttle speed."""
    throttle = max(-1.0, min(1.0, (v.throttle_pwm - 1500) / 500))
    steer(v, dt, throttle * v.full_throttle_speed)


def _guided(v: Rover, dt: float) -> None:
    d = v.nav
    if d.submode == "wp":
        if navigate(v, dt):
            if d.notify:
                d.notify = False
                v.outbox.reached.append(0)              # MISSION_ITEM_REACHED(0)
            stop_or_loiter(v, dt)
    elif d.submode in ("heading", "turn_rate"):
        if v.t - d.updated_at > TIMEOUT_S:
            v.text(4, "target not received last 3secs, stopping")
            stop_or_loiter(v, dt)
        elif d.submode == "heading":
            steer(v, dt, d.speed, heading=d.heading)
        else:
            steer(v, dt, d.speed, turn_rate=d.turn_rate)
    elif d.submode == "loiter":
        loiter(v, dt)
    else:
        stop(v, dt)


def _rtl(v: Rover, dt: float) -> None:
    """ModeRTL::update: drive home; "Reached destination"; rovers stop, boats loiter, in RTL."""
    d = v.nav
    if d.submode == "wp" and not navigate(v, dt):
        return
    if d.notify:
        d.notify = False
        v.text(6, "Reached destination")
    stop_or_loiter(v, dt)


def run(v: Rover, dt: float) -> None:
    if not v.armed:
        stop(v, dt)                      # motors off: it coasts to a stop
        if v.mode == RoverMode.AUTO:
            v.runner.update(0.0)         # a mission started disarmed runs but can't move
        return
    mode = v.mode
    if mode in (RoverMode.MANUAL, RoverMode.ACRO, RoverMode.STEERING, RoverMode.SIMPLE):
        _manual(v, dt)
    elif mode == RoverMode.LOITER:
        loiter(v, dt)
    elif mode == RoverMode.GUIDED:
        _guided(v, dt)
    elif mode == RoverMode.RTL:
        _rtl(v, dt)
    elif mode == RoverMode.AUTO:
        v.runner.update(dt)
    else:                                # HOLD, INITIALISING
        stop(v, dt)
