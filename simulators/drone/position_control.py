"""What ArduCopter's autopilot modes fly with: AC_WPNav's speeds and AC_PosControl's approach.

The speeds are WPNAV_SPEED, WPNAV_SPEED_UP and WPNAV_SPEED_DN until a DO_CHANGE_SPEED (in GUIDED
or AUTO) overrides one; a mode change restores them. The vertical path is jerk-limited
(WPNAV_ACCEL_Z, PSC_JERK_Z); horizontally the vehicle approaches at WPNAV_ACCEL.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import physics
from .modes import Mode
from .physics import shape_vertical, step_horizontal

if TYPE_CHECKING:
    from .auto_yaw import AutoYaw
    from .vehicle import Vehicle

POS_P = 1.0             # AC_PosControl's default position gains (1/s), horizontal and vertical


def sqrt_controller(error: float, accel: float) -> float:
    """AC's sqrt_controller: POS_P x error close in, the speed it can brake from further out."""
    return physics.sqrt_controller(error, POS_P, accel)


class PositionControl:
    """The speed limits in force, and the approach, climb, hold and landing steps that obey them;
    ``yaw`` is the heading the approach steers to."""

    def __init__(self, v: Vehicle, yaw: AutoYaw) -> None:
        self.v = v
        self.yaw = yaw
        self.speed_xy: float | None = None      # DO_CHANGE_SPEED overrides (m/s)
        self.speed_up: float | None = None
        self.speed_dn: float | None = None

    # ----------------------------------------------------------------- speeds

    @property
    def accel(self) -> float:
        """WPNAV_ACCEL, m/s²."""
        return self.v.params["WPNAV_ACCEL"] / 100

    @property
    def wp_speed(self) -> float:
        v = self.v
        s = self.speed_xy if self.speed_xy is not None else v.params["WPNAV_SPEED"] / 100
        return min(s, v.profile.max_speed_m_s)

    @property
    def climb_speed(self) -> float:
        return self.speed_up if self.speed_up is not None else self.v.params["WPNAV_SPEED_UP"] / 100

    @property
    def descent_speed(self) -> float:
        return self.speed_dn if self.speed_dn is not None else self.v.params["WPNAV_SPEED_DN"] / 100

    def set_speed(self, speed_type: int, speed: float) -> bool:
        """DO_CHANGE_SPEED: only GUIDED and AUTO take it (Mode::set_speed_xy_cms)."""
        if self.v.mode not in (Mode.GUIDED, Mode.AUTO):
            return False
        if speed_type in (0, 1):
            self.speed_xy = speed
        elif speed_type == 2:
            self.speed_up = speed
        elif speed_type == 3:
            self.speed_dn = speed
        else:
            return False
        return True

    def reset_speeds(self) -> None:
        """A mode change: back to the WPNAV_* parameters."""
        self.speed_xy = self.speed_up = self.speed_dn = None

    # ----------------------------------------------------------------- steps

    def vertical_limits(self) -> tuple[float, float]:
        """The autopilot modes' vertical acceleration and jerk: WPNAV_ACCEL_Z and PSC_JERK_Z."""
        return self.v.params["WPNAV_ACCEL_Z"] / 100, self.v.params["PSC_JERK_Z"]

    def climb_to(self, dt: float, up: float) -> float:
        """input_pos_vel_accel_U toward ``up`` within WPNAV_SPEED_UP/DN; the height error left."""
        accel, jerk = self.vertical_limits()
        return shape_vertical(self.v.body, dt, accel, jerk, target_up=up,
                              climb=self.climb_speed, descent=self.descent_speed)

    def takeoff_complete(self, up: float) -> bool:
        """_AutoTakeoff::run: within the stopping distance from a tenth of the climb speed, and
        climbing slower than that."""
        accel, _ = self.vertical_limits()
        slow = 0.1 * self.climb_speed
        b = self.v.body
        return b.up >= up - 0.5 * slow * slow / accel and b.vu < slow

    def fly_to(self, dt: float, target: tuple[float, float], target_up: float,
               speed: float | None = None) -> float:
        """Horizontal and vertical approach; returns the horizontal distance left."""
        dist = step_horizontal(self.v.body, dt, self.accel, target=target,
                               speed=self.wp_speed if speed is None else speed)
        self.climb_to(dt, target_up)
        self.yaw.steer(dt)
        return dist

    def hold_position(self, dt: float, hold: tuple[float, float] | None, up: float) -> None:
        if hold is None:
            step_horizontal(self.v.body, dt, self.accel)
        else:
            step_horizontal(self.v.body, dt, self.accel, target=hold, speed=self.wp_speed)
        self.climb_to(dt, up)

    def land_step(self, dt: float, hold: tuple[float, float] | None) -> None:
        """Mode::land_run_vertical_control: a sqrt controller (PSC_POSZ_P 1, WPNAV_ACCEL_Z)
        toward LAND_ALT_LOW sets the descent rate, between LAND_SPEED_HIGH (or WPNAV_SPEED_DN)
        and LAND_SPEED, so it slows to LAND_SPEED just above LAND_ALT_LOW and holds it to the
        ground."""
        v = self.v
        p, b = v.params, v.body
        accel, jerk = self.vertical_limits()
        slow = p["LAND_SPEED"] / 100
        fast = max(slow, (p["LAND_SPEED_HIGH"] or p["WPNAV_SPEED_DN"]) / 100)
        low = max(p["LAND_ALT_LOW"], 100) / 100
        rate = max(-fast, min(-slow, physics.sqrt_controller(low - b.up, POS_P, accel, dt)))
        if hold is not None and v.position_ok:
            step_horizontal(b, dt, self.accel, target=hold, speed=self.wp_speed)
        else:
            step_horizontal(b, dt, 0.5, velocity=v.wind)
        shape_vertical(b, dt, accel, jerk, rate=rate, descent=fast)
