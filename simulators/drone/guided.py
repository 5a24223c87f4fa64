"""ArduCopter GUIDED: the targets a GCS sets and how they are flown (ModeGuided, mode_guided.cpp).

- A position target (submode Pos) is held until replaced: it never times out.
- Position + velocity (PosVelAccel) moves the target on at the given velocity between updates,
  as AC_PosControl::input_pos_vel_accel does, and the vehicle tracks it with the velocity as
  feed-forward plus a correction (sqrt controller, P 1 /s, WPNAV_ACCEL) limited to WPNAV_SPEED:
  a target streamed along a circle is flown as that circle.
- Velocity and acceleration targets, and the velocity of a position + velocity target, are
  zeroed GUID_TIMEOUT (3 s) after the last update: the vehicle brakes and holds.
- Yaw follows set_yaw_state_rad (``auto_yaw``); a rate stops at the timeout.
- Invalid input (``stop``, ModeGuided::init(true)) brakes to a hold and resets the yaw.
- A user takeoff (NAV_TAKEOFF, also from LOITER and POSHOLD) climbs here before anything else.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from .auto_yaw import DEFAULT_YAW, Yaw
from .fence import TYPE_ALT_MAX, TYPE_CIRCLE, TYPE_POLYGON
from .modes import Mode
from .physics import VERTICAL_ACCEL, step_horizontal, step_vertical
from .position_control import sqrt_controller

if TYPE_CHECKING:
    from .flight import Flight

ZERO = (0.0, 0.0, 0.0)
Vec3 = tuple[float, float, float]


def _clamp_xy(n: float, e: float, limit: float) -> tuple[float, float]:
    size = math.hypot(n, e)
    return (n, e) if size <= limit else (n / size * limit, e / size * limit)


class Guided:
    """GUIDED's side of the flight: it sets and flies the targets in ``flight.nav``."""

    def __init__(self, flight: Flight) -> None:
        self.flight = flight
        self.v = flight.v

    def _start(self, kind: str, yaw: Yaw) -> bool:
        v = self.v
        if v.mode != Mode.GUIDED:
            return False
        nav = self.flight.nav
        nav.kind = kind
        nav.updated_at = v.t
        self.flight.yaw.set(yaw)
        return True

    def within_fence(self, north: float, east: float, up: float) -> bool:
        """AC_Fence::check_destination_within_fence: GUIDED refuses destinations outside."""
        v = self.v
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

    # ----------------------------------------------------------------- targets

    def set_destination(self, north: float, east: float, up: float,
                        yaw: Yaw = DEFAULT_YAW) -> bool:
        """set_destination: needs an EKF origin and a destination inside the fence."""
        v = self.v
        if v.mode != Mode.GUIDED or not v.origin_set or not self.within_fence(north, east, up):
            return False
        self._start("pos", yaw)
        nav = self.flight.nav
        nav.target, nav.target_up = (north, east), up
        nav.velocity = nav.accel = ZERO
        return True

    def set_posvel(self, pos: Vec3, vel: Vec3, yaw: Yaw = DEFAULT_YAW) -> bool:
        if self.v.mode != Mode.GUIDED or not self.within_fence(*pos):
            return False
        self._start("posvel", yaw)
        nav = self.flight.nav
        nav.target, nav.target_up = (pos[0], pos[1]), pos[2]
        nav.velocity, nav.accel = vel, ZERO
        return True

    def set_velocity(self, vel: Vec3, yaw: Yaw = DEFAULT_YAW) -> bool:
        if not self._start("vel", yaw):
            return False
        nav = self.flight.nav
        nav.velocity, nav.accel = vel, ZERO
        return True

    def set_accel(self, accel: Vec3, yaw: Yaw = DEFAULT_YAW) -> bool:
        if not self._start("accel", yaw):
            return False
        self.flight.nav.accel = accel
        return True

    def stop(self) -> None:
        """ModeGuided::init(true): zero velocity, default yaw: the vehicle brakes and holds."""
        if self._start("vel", DEFAULT_YAW):
            nav = self.flight.nav
            nav.velocity = nav.accel = ZERO

    # ----------------------------------------------------------------- flying them

    def _time_out(self) -> None:
        """No update within GUID_TIMEOUT: velocity and acceleration to zero, yaw rate stops."""
        v, nav = self.v, self.flight.nav
        if v.t - nav.updated_at <= max(v.params["GUID_TIMEOUT"], 0.1):
            return
        nav.velocity = nav.accel = ZERO
        self.flight.yaw.time_out()

    def run(self, dt: float) -> None:
        v, flight = self.v, self.flight
        nav, control, b = flight.nav, flight.control, v.body
        if nav.kind == "takeoff":
            step_horizontal(b, dt, control.accel, target=nav.hold, speed=control.wp_speed)
            control.climb_to(dt, nav.target_up)
            if control.takeoff_complete(nav.target_up):
                nav.kind, nav.target, nav.updated_at = "pos", nav.hold, v.t
            return
        self._time_out()
        if nav.kind == "posvel":
            self._run_posvel(dt)
        elif nav.kind in ("vel", "accel"):
            if nav.kind == "accel":
                an, ae, au = nav.accel
                vn, ve = _clamp_xy(nav.velocity[0] + an * dt, nav.velocity[1] + ae * dt,
                                   control.wp_speed)
                vu = max(-control.descent_speed,
                         min(control.climb_speed, nav.velocity[2] + au * dt))
                nav.velocity = (vn, ve, vu)
            vn, ve, vu = nav.velocity
            step_horizontal(b, dt, control.accel,
                            velocity=_clamp_xy(vn, ve, v.profile.max_speed_m_s))
            step_vertical(b, dt, VERTICAL_ACCEL, rate=vu, climb=control.climb_speed,
                          descent=control.descent_speed)
        else:
            target = nav.target or (b.north, b.east)
            step_horizontal(b, dt, control.accel, target=target, speed=control.wp_speed)
            control.climb_to(dt, b.up if nav.target_up is None else nav.target_up)
        flight.yaw.steer(dt)

    def _run_posvel(self, dt: float) -> None:
        """The target moves on at its velocity; fly its velocity plus a correction toward it."""
        v, flight = self.v, self.flight
        nav, control, b = flight.nav, flight.control, v.body
        vn, ve, vu = nav.velocity
        tn, te = nav.target or (b.north, b.east)
        nav.target = (tn + vn * dt, te + ve * dt)
        nav.target_up = (b.up if nav.target_up is None else nav.target_up) + vu * dt
        en, ee = nav.target[0] - b.north, nav.target[1] - b.east
        err = math.hypot(en, ee)
        corr = (min(sqrt_controller(err, control.accel), control.wp_speed) / err
                if err > 1e-9 else 0.0)
        want = _clamp_xy(vn + en * corr, ve + ee * corr, v.profile.max_speed_m_s)
        step_horizontal(b, dt, control.accel, velocity=want)
        dz = nav.target_up - b.up
        climb, descent = control.climb_speed, control.descent_speed
        cu = math.copysign(min(sqrt_controller(abs(dz), VERTICAL_ACCEL),
                               climb if dz > 0 else descent), dz)
        step_vertical(b, dt, VERTICAL_ACCEL, rate=vu + cu, climb=climb + max(0.0, vu),
                      descent=descent + max(0.0, -vu))
