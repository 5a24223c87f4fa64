"""Kinematic multirotor: velocity and acceleration limited motion toward targets.

Not a dynamics model: the position controller is assumed perfect within its limits (speed,
acceleration, climb and descent rates), which is what a GCS observes of ArduCopter's
WPNav/PosControl. The autopilot's vertical path is its jerk-limited shaping (``shape_vertical``);
SITL's vehicle tracks that path within centimetres. Attitude is derived from acceleration and
drag so ATTITUDE looks plausible.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

G = 9.80665
VERTICAL_ACCEL = 2.5   # m/s² (PSC_ACCZ-like)


@dataclass
class Body:
    """Position relative to the origin (north/east/up metres) and velocity (m/s, up positive)."""

    north: float = 0.0
    east: float = 0.0
    up: float = 0.0
    vn: float = 0.0
    ve: float = 0.0
    vu: float = 0.0
    yaw_deg: float = 0.0
    roll_rad: float = 0.0
    pitch_rad: float = 0.0
    an: float = 0.0   # last horizontal acceleration, for attitude
    ae: float = 0.0
    au: float = 0.0   # vertical acceleration, the state of the jerk-limited shaping

    @property
    def ground_speed(self) -> float:
        return math.hypot(self.vn, self.ve)

    def stop(self) -> None:
        self.vn = self.ve = self.vu = 0.0
        self.an = self.ae = self.au = 0.0


def _approach_speed(dist: float, vmax: float, accel: float, dt: float) -> float:
    """Largest speed that can still brake to rest at the target, and never overshoots in ``dt``."""
    if dist <= 0:
        return 0.0
    v = min(vmax, math.sqrt(2.0 * accel * dist))
    return min(v, dist / dt) if dt > 0 else v


def step_horizontal(b: Body, dt: float, accel: float, *, target: tuple[float, float] | None = None,
                    speed: float = 0.0, velocity: tuple[float, float] | None = None) -> float:
    """Move toward ``target`` (n, e) at up to ``speed``, or follow ``velocity``; None brakes.

    Returns the remaining distance to the target (0 without one).
    """
    dist = 0.0
    if target is not None:
        dn, de = target[0] - b.north, target[1] - b.east
        dist = math.hypot(dn, de)
        v = _approach_speed(dist, speed, accel, dt)
        want_n, want_e = (dn / dist * v, de / dist * v) if dist > 1e-9 else (0.0, 0.0)
    elif velocity is not None:
        want_n, want_e = velocity
    else:
        want_n = want_e = 0.0
    dvn, dve = want_n - b.vn, want_e - b.ve
    dv = math.hypot(dvn, dve)
    max_dv = accel * dt
    if dv > max_dv > 0:
        dvn, dve = dvn / dv * max_dv, dve / dv * max_dv
    b.an, b.ae = (dvn / dt, dve / dt) if dt > 0 else (0.0, 0.0)
    b.vn += dvn
    b.ve += dve
    if target is not None and math.hypot(b.vn, b.ve) * dt >= dist:
        # arrive without overshoot, as the real controller's braking does
        b.north, b.east = target
        b.vn = b.ve = 0.0
        return 0.0
    b.north += b.vn * dt
    b.east += b.ve * dt
    if target is not None:
        return math.hypot(target[0] - b.north, target[1] - b.east)
    return 0.0


def step_vertical(b: Body, dt: float, accel: float, *, target_up: float | None = None,
                  climb: float = 2.5, descent: float = 1.5, rate: float | None = None) -> float:
    """Move toward ``target_up`` within climb/descent rates, or at ``rate`` (m/s, up positive).

    Returns the remaining height error (0 without a target).
    """
    if target_up is not None:
        dz = target_up - b.up
        vmax = climb if dz > 0 else descent
        want = math.copysign(_approach_speed(abs(dz), vmax, accel, dt), dz)
    else:
        want = max(-descent, min(climb, rate or 0.0))
    dv = max(-accel * dt, min(accel * dt, want - b.vu))
    b.au = dv / dt if dt > 0 else 0.0
    b.vu += dv
    new_up = b.up + b.vu * dt
    if target_up is not None and (target_up - b.up) * (target_up - new_up) <= 0:
        b.up = target_up
        b.vu = b.au = 0.0
        return 0.0
    b.up = new_up
    return abs(target_up - b.up) if target_up is not None else 0.0


def sqrt_controller(error: float, p: float, limit: float, dt: float = 0.0) -> float:
    """AP_Math's sqrt_controller: ``p`` x error close in, sqrt(2 limit error) further out, and
    never more than closes the error within ``dt``."""
    if limit <= 0:
        out = p * error
    elif p <= 0:
        out = math.copysign(math.sqrt(2 * limit * abs(error)), error)
    else:
        linear = limit / p ** 2
        if abs(error) > linear:
            out = math.copysign(math.sqrt(2 * limit * (abs(error) - linear / 2)), error)
        else:
            out = p * error
    return max(-abs(error) / dt, min(abs(error) / dt, out)) if dt > 0 else out


def shape_vertical(b: Body, dt: float, accel: float, jerk: float, *,
                   target_up: float | None = None, rate: float = 0.0,
                   climb: float = 2.5, descent: float = 1.5) -> float:
    """AC_PosControl's vertical input shaping (shape_pos_vel_accel, shape_vel_accel): toward
    ``target_up`` (or at ``rate``) with the acceleration limited to ``accel`` and changing at
    most ``jerk``. Toward a target the speed follows a sqrt controller that brakes at half
    ``accel`` with gain jerk / (2 accel), so the approach to a height is slower than the climb.

    Returns the remaining height error (0 without a target).
    """
    vel = rate
    if target_up is not None:
        err = target_up - b.up
        vel += sqrt_controller(err, 0.5 * jerk / accel, 0.5 * accel, dt)
    vel = max(-descent, min(climb, vel))
    want = max(-accel, min(accel, sqrt_controller(vel - b.vu, jerk / accel, jerk, dt)))
    b.au += max(-jerk * dt, min(jerk * dt, want - b.au))
    new_up = b.up + b.vu * dt + 0.5 * b.au * dt * dt
    b.vu += b.au * dt
    if target_up is not None and (target_up - b.up) * (target_up - new_up) <= 0:
        b.up = target_up           # the real one overshoots by a centimetre at most
        b.vu = b.au = 0.0
        return 0.0
    b.up = new_up
    return abs(target_up - b.up) if target_up is not None else 0.0


def turn_toward(b: Body, heading_deg: float, dt: float, rate_deg_s: float = 90.0) -> None:
    err = (heading_deg - b.yaw_deg + 180.0) % 360.0 - 180.0
    limit = rate_deg_s * dt
    b.yaw_deg = (b.yaw_deg + max(-limit, min(limit, err))) % 360.0


def update_attitude(b: Body, wind_n: float = 0.0, wind_e: float = 0.0) -> None:
    """Tilt that would produce the last acceleration plus drag against the airspeed."""
    air_n, air_e = b.vn - wind_n, b.ve - wind_e
    fn = b.an + 0.25 * air_n   # drag: ~1.4 deg of tilt per m/s
    fe = b.ae + 0.25 * air_e
    yaw = math.radians(b.yaw_deg)
    fwd = fn * math.cos(yaw) + fe * math.sin(yaw)
    right = -fn * math.sin(yaw) + fe * math.cos(yaw)
    limit = math.radians(30)
    b.pitch_rad = max(-limit, min(limit, -math.atan2(fwd, G)))
    b.roll_rad = max(-limit, min(limit, math.atan2(right, G)))
