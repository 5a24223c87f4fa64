"""ArduCopter GUIDED: the targets a GCS sets and how they are flown (ModeGuided, mode_guided.cpp).

- A position target (submode Pos) is held until replaced: it never times out.
- Position + velocity (PosVelAccel) moves the target on at the given velocity between updates,
  as AC_PosControl::input_pos_vel_accel does, and the vehicle tracks it with the velocity as
  feed-forward plus a correction (sqrt controller, P 1 /s, WPNAV_ACCEL) limited to WPNAV_SPEED:
  a target streamed along a circle is flown as that circle.
- Velocity and acceleration targets, and the velocity of a position + velocity target, are
  zeroed GUID_TIMEOUT (3 s) after the last update: the vehicle brakes and holds.
- Yaw follows set_yaw_state_rad: an angle (nose to it), an angle moving at a rate, a rate alone
  (AutoYaw RATE), or nothing (WP_YAW_BEHAVIOR 2: nose along the path). A rate stops at the
  timeout (AutoYaw HOLD).
- Invalid input (``stop``, ModeGuided::init(true)) brakes to a hold and resets the yaw.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from . import physics
from .fence import TYPE_ALT_MAX, TYPE_CIRCLE, TYPE_POLYGON
from .modes import Mode
from .physics import (
    VERTICAL_ACCEL,
    shape_vertical,
    step_horizontal,
    step_vertical,
    turn_toward,
)

if TYPE_CHECKING:
    from .vehicle import Vehicle

POS_P = 1.0             # AC_PosControl's default position gains (1/s), horizontal and vertical
YAW_RATE_MAX = 90.0     # deg/s, the simulated airframe's yaw rate limit
ZERO = (0.0, 0.0, 0.0)
Vec3 = tuple[float, float, float]


@dataclass(frozen=True)
class Yaw:
    """What a target says about heading (set_yaw_state_rad's arguments), in degrees."""

    angle: float | None = None     # heading, None: not given
    rate: float | None = None      # deg/s, None: not given
    relative: bool = False         # angle relative to the current heading (body frames)


DEFAULT_YAW = Yaw()


def _accel(v: Vehicle) -> float:
    return v.params["WPNAV_ACCEL"] / 100


def _start(v: Vehicle, kind: str, yaw: Yaw) -> bool:
    if v.mode != Mode.GUIDED:
        return False
    v.nav.kind = kind
    v.nav.updated_at = v.t
    set_yaw(v, yaw)
    return True


def set_yaw(v: Vehicle, yaw: Yaw) -> None:
    nav = v.nav
    nav.yaw_rate = 0.0
    if yaw.angle is not None and yaw.relative:
        nav.yaw_mode, nav.yaw_target = "angle_rate", (v.body.yaw_deg + yaw.angle) % 360
    elif yaw.angle is not None:
        nav.yaw_mode, nav.yaw_target = "angle_rate", yaw.angle % 360
        nav.yaw_rate = yaw.rate or 0.0
    elif yaw.rate is not None:
        nav.yaw_mode, nav.yaw_target, nav.yaw_rate = "rate", None, yaw.rate
    else:
        nav.yaw_mode, nav.yaw_target = "default", None


def within_fence(v: Vehicle, north: float, east: float, up: float) -> bool:
    """AC_Fence::check_destination_within_fence: GUIDED refuses destinations outside."""
    p = v.params
    if not p["FENCE_ENABLE"]:
        return True
    types = int(p["FENCE_TYPE"])
    if types & TYPE_ALT_MAX and up - (v.home_alt - v.cfg.home.alt_m) > p["FENCE_ALT_MAX"]:
        return False
    hn, he = v.home_local()
    if types & TYPE_CIRCLE and math.hypot(north - hn, east - he) > p["FENCE_RADIUS"]:
        return False
    return not (types & TYPE_POLYGON and v.fence_geometry.breached(north, east))


def set_destination(v: Vehicle, north: float, east: float, up: float,
                    yaw: Yaw = DEFAULT_YAW) -> bool:
    """set_destination: needs an EKF origin and a destination inside the fence."""
    if v.mode != Mode.GUIDED or not v.origin_set or not within_fence(v, north, east, up):
        return False
    _start(v, "pos", yaw)
    v.nav.target, v.nav.target_up = (north, east), up
    v.nav.velocity = v.nav.accel = ZERO
    return True


def set_posvel(v: Vehicle, pos: Vec3, vel: Vec3, yaw: Yaw = DEFAULT_YAW) -> bool:
    if v.mode != Mode.GUIDED or not within_fence(v, *pos):
        return False
    _start(v, "posvel", yaw)
    v.nav.target, v.nav.target_up = (pos[0], pos[1]), pos[2]
    v.nav.velocity, v.nav.accel = vel, ZERO
    return True


def set_velocity(v: Vehicle, vel: Vec3, yaw: Yaw = DEFAULT_YAW) -> bool:
    if not _start(v, "vel", yaw):
        return False
    v.nav.velocity, v.nav.accel = vel, ZERO
    return True


def set_accel(v: Vehicle, accel: Vec3, yaw: Yaw = DEFAULT_YAW) -> bool:
    if not _start(v, "accel", yaw):
        return False
    v.nav.accel = accel
    return True


def stop(v: Vehicle) -> None:
    """ModeGuided::init(true): zero velocity, default yaw: the vehicle brakes and holds."""
    if _start(v, "vel", DEFAULT_YAW):
        v.nav.velocity = v.nav.accel = ZERO


# ---------------------------------------------------------------------- flying it


def steer_yaw(v: Vehicle, dt: float) -> None:
    """AutoYaw: the heading each mode asks for, turned at the airframe's yaw rate."""
    nav, b = v.nav, v.body
    if nav.yaw_mode == "hold":
        return
    if nav.yaw_mode == "rate":
        rate = max(-YAW_RATE_MAX, min(YAW_RATE_MAX, nav.yaw_rate))
        b.yaw_deg = (b.yaw_deg + rate * dt) % 360
        return
    if nav.yaw_mode == "angle_rate" and nav.yaw_target is not None:
        nav.yaw_target = (nav.yaw_target + nav.yaw_rate * dt) % 360
    if nav.yaw_target is not None:
        turn_toward(b, nav.yaw_target, dt, YAW_RATE_MAX)
    elif b.ground_speed > 1.0:
        turn_toward(b, math.degrees(math.atan2(b.ve, b.vn)) % 360, dt, YAW_RATE_MAX)


def _time_out(v: Vehicle) -> None:
    """No update within GUID_TIMEOUT: velocity and acceleration to zero, yaw rate stops."""
    nav = v.nav
    if v.t - nav.updated_at <= max(v.params["GUID_TIMEOUT"], 0.1):
        return
    nav.velocity = nav.accel = ZERO
    if nav.yaw_mode == "rate":
        nav.yaw_mode = "hold"
    nav.yaw_rate = 0.0


def sqrt_controller(error: float, accel: float) -> float:
    """AC's sqrt_controller: POS_P x error close in, the speed it can brake from further out."""
    return physics.sqrt_controller(error, POS_P, accel)


def vertical_limits(v: Vehicle) -> tuple[float, float]:
    """The autopilot modes' vertical acceleration and jerk: WPNAV_ACCEL_Z and PSC_JERK_Z."""
    return v.params["WPNAV_ACCEL_Z"] / 100, v.params["PSC_JERK_Z"]


def climb_to(v: Vehicle, dt: float, up: float) -> float:
    """input_pos_vel_accel_U toward ``up`` within WPNAV_SPEED_UP/DN; the height error left."""
    accel, jerk = vertical_limits(v)
    return shape_vertical(v.body, dt, accel, jerk, target_up=up, climb=v.climb_speed,
                          descent=v.descent_speed)


def takeoff_complete(v: Vehicle, up: float) -> bool:
    """_AutoTakeoff::run: within the stopping distance from a tenth of the climb speed, and
    climbing slower than that."""
    accel, _ = vertical_limits(v)
    slow = 0.1 * v.climb_speed
    return v.body.up >= up - 0.5 * slow * slow / accel and v.body.vu < slow


def _clamp_xy(n: float, e: float, limit: float) -> tuple[float, float]:
    size = math.hypot(n, e)
    return (n, e) if size <= limit else (n / size * limit, e / size * limit)


def run(v: Vehicle, dt: float) -> None:
    nav, b = v.nav, v.body
    if nav.kind == "takeoff":
        step_horizontal(b, dt, _accel(v), target=nav.hold, speed=v.wp_speed)
        climb_to(v, dt, nav.target_up)
        if takeoff_complete(v, nav.target_up):
            nav.kind, nav.target, nav.updated_at = "pos", nav.hold, v.t
        return
    _time_out(v)
    if nav.kind == "posvel":
        _run_posvel(v, dt)
    elif nav.kind in ("vel", "accel"):
        if nav.kind == "accel":
            an, ae, au = nav.accel
            vn, ve = _clamp_xy(nav.velocity[0] + an * dt, nav.velocity[1] + ae * dt, v.wp_speed)
            vu = max(-v.descent_speed, min(v.climb_speed, nav.velocity[2] + au * dt))
            nav.velocity = (vn, ve, vu)
        vn, ve, vu = nav.velocity
        step_horizontal(b, dt, _accel(v), velocity=_clamp_xy(vn, ve, v.profile.max_speed_m_s))
        step_vertical(b, dt, VERTICAL_ACCEL, rate=vu, climb=v.climb_speed,
                      descent=v.descent_speed)
    else:
        target = nav.target or (b.north, b.east)
        step_horizontal(b, dt, _accel(v), target=target, speed=v.wp_speed)
        climb_to(v, dt, b.up if nav.target_up is None else nav.target_up)
    steer_yaw(v, dt)


def _run_posvel(v: Vehicle, dt: float) -> None:
    """The target moves on at its velocity; fly its velocity plus a correction toward it."""
    nav, b = v.nav, v.body
    vn, ve, vu = nav.velocity
    tn, te = nav.target or (b.north, b.east)
    nav.target = (tn + vn * dt, te + ve * dt)
    nav.target_up = (b.up if nav.target_up is None else nav.target_up) + vu * dt
    en, ee = nav.target[0] - b.north, nav.target[1] - b.east
    err = math.hypot(en, ee)
    corr = min(sqrt_controller(err, _accel(v)), v.wp_speed) / err if err > 1e-9 else 0.0
    want = _clamp_xy(vn + en * corr, ve + ee * corr, v.profile.max_speed_m_s)
    step_horizontal(b, dt, _accel(v), velocity=want)
    dz = nav.target_up - b.up
    cu = math.copysign(min(sqrt_controller(abs(dz), VERTICAL_ACCEL),
                           v.climb_speed if dz > 0 else v.descent_speed), dz)
    step_vertical(b, dt, VERTICAL_ACCEL, rate=vu + cu, climb=v.climb_speed + max(0.0, vu),
                  descent=v.descent_speed + max(0.0, -vu))
