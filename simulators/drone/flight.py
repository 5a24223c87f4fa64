"""How the copter flies in each ArduCopter mode, one tick at a time (no I/O).

With no RC override the throttle stick sits low (SITL's RC3 = 1000 us), so modes whose altitude
follows the pilot (STABILIZE, ALT_HOLD, LOITER, POSHOLD, CIRCLE) descend and land, as SITL does.
GUIDED (``guided``), RTL (``rtl``) and AUTO (the vehicle's mission ``runner``) fly their own
targets with the shared ``PositionControl``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING

from .auto_yaw import DEFAULT_YAW, AutoYaw
from .guided import ZERO, Guided
from .modes import Mode
from .physics import (
    VERTICAL_ACCEL,
    G,
    step_horizontal,
    step_vertical,
    turn_toward,
    update_attitude,
)
from .position_control import PositionControl
from .rotor import Spool
from .rtl import Rtl
from .state import Nav

if TYPE_CHECKING:
    from .vehicle import Vehicle

UNPOWERED_SINK_M_S = 6.0     # heli SITL's fall with the interlock off (drag-limited)
UNPOWERED_SINK_ACCEL = 3.0   # m/s²


class Flight:
    """The current mode's targets (``nav``), a pause (DO_PAUSE_CONTINUE) and each mode's step;
    its parts ``yaw``, ``control`` and ``guided`` fly the targets."""

    def __init__(self, v: Vehicle) -> None:
        self.v = v
        self.nav = Nav()
        self.paused = False
        self.yaw = AutoYaw(v.body)
        self.control = PositionControl(v, self.yaw)
        self.guided = Guided(self)
        self._mode_run: dict[Mode, Callable[[float], None]] = {
            Mode.STABILIZE: self._run_stabilize,
            Mode.ALT_HOLD: self._run_alt_hold,
            Mode.AUTO: self._run_auto,
            Mode.GUIDED: self.guided.run,
            Mode.LOITER: self._run_loiter,
            Mode.RTL: self._run_rtl,
            Mode.CIRCLE: self._run_circle,
            Mode.LAND: self._run_land,
            Mode.POSHOLD: self._run_loiter,
            Mode.BRAKE: self._run_brake,
        }

    def _here(self) -> tuple[float, float]:
        return (self.v.body.north, self.v.body.east)

    # ----------------------------------------------------------------- what a GCS asks

    def enter_mode(self, mode: Mode) -> None:
        """Mode::init(): speeds back to the parameters, no pause, the new mode's targets."""
        v, nav = self.v, self.nav
        self.control.reset_speeds()
        self.paused = False
        nav.hold = self._here()
        self.yaw.set(DEFAULT_YAW)
        if mode == Mode.GUIDED:
            nav.kind = "vel"        # ModeGuided::init: zero velocity, it brakes and holds
            nav.target = self._here()
            nav.target_up = v.body.up
            nav.velocity = nav.accel = ZERO
            nav.updated_at = v.t
        elif mode == Mode.AUTO:
            v.runner.start_or_resume()
        elif mode == Mode.RTL:
            nav.rtl = Rtl(v, self.control)
        elif mode == Mode.CIRCLE:
            r = v.params["CIRCLE_RADIUS"] / 100
            yaw = math.radians(v.body.yaw_deg)
            nav.circle_center = (v.body.north + r * math.cos(yaw),
                                 v.body.east + r * math.sin(yaw))
            nav.circle_angle = math.atan2(v.body.east - nav.circle_center[1],
                                          v.body.north - nav.circle_center[0])

    def takeoff(self, alt_m: float, must_navigate: bool = True) -> bool:
        """Mode::do_user_takeoff: armed, landed, a takeoff-capable mode, upward, EKF origin set."""
        v = self.v
        if not v.armed or not v.landed:
            return False
        if v.mode not in (Mode.GUIDED, Mode.LOITER, Mode.POSHOLD) and not (
                v.mode == Mode.ALT_HOLD and not must_navigate):
            return False
        if alt_m <= v.rel_alt or not v.origin_set or not v.motor_interlock:
            return False
        self.nav.kind = "takeoff"
        self.nav.hold = self._here()
        self.nav.target_up = v.up_from_alt(alt_m, "rel")
        v.arming.auto_armed = True      # still landed until the throttle ramp lifts it
        return True

    def pause(self) -> bool:
        """DO_PAUSE_CONTINUE 0: AUTO or GUIDED, in the air, holds where it is."""
        if self.v.mode not in (Mode.AUTO, Mode.GUIDED) or self.v.landed:
            return False
        self.paused = True
        self.nav.hold = self._here()
        return True

    def resume(self) -> bool:
        if not self.paused:
            return False
        self.paused = False
        return True

    # ----------------------------------------------------------------- the tick

    def wants_to_leave_ground(self) -> bool:
        v = self.v
        if v.mode == Mode.GUIDED:
            return self.nav.kind == "takeoff"
        if v.mode == Mode.AUTO:
            return v.arming.auto_armed and v.runner.taking_off
        if v.mode in (Mode.LOITER, Mode.POSHOLD) and self.nav.kind == "takeoff":
            return True
        if v.mode in (Mode.STABILIZE, Mode.ALT_HOLD, Mode.LOITER, Mode.POSHOLD):
            return v.pilot_climb_rate() > 0
        return False

    def run(self, dt: float) -> None:
        v = self.v
        b, ground = v.body, v.ground
        if not v.armed:
            self._unpowered(dt)
        elif ground.landed and not (v.lift_available and self.wants_to_leave_ground()):
            ground.reset_takeoff()
            b.stop()
        elif ground.landed and not ground.lifted_off(dt):
            b.stop()
        elif not v.lift_available:
            self._without_lift(dt)
        elif self.paused:
            self.control.hold_position(dt, self.nav.hold, b.up)
        else:
            self._mode_run[v.mode](dt)
        update_attitude(b, *v.wind)

    @property
    def landing(self) -> bool:
        """Modes that let the motors spool down once landed, and then disarm or go on."""
        v = self.v
        return v.mode in (Mode.LAND, Mode.RTL) or (v.mode == Mode.AUTO and v.runner.landing)

    def finish_landing(self) -> None:
        """Landed in LAND or RTL with the motors idle: disarm; in AUTO the landing completes."""
        v = self.v
        if not (v.armed and v.landed and self.landing) or v.spool != Spool.GROUND_IDLE:
            return
        if v.mode in (Mode.LAND, Mode.RTL):
            v.disarm(from_gcs=False)
        elif v.mode == Mode.AUTO:
            v.runner.on_landed()

    def _unpowered(self, dt: float) -> None:
        """Disarmed: on the ground nothing moves; aloft it falls."""
        b = self.v.body
        if b.up <= 0:
            b.stop()
            return
        b.vu = max(-40.0, b.vu - G * dt)
        b.up += b.vu * dt
        b.north += b.vn * dt
        b.east += b.ve * dt

    def _without_lift(self, dt: float) -> None:
        """Armed aloft with the rotor throttle cut (a heli's interlock off): whatever the mode,
        it sinks, reaching ~6 m/s within ~2 s as SITL's heli does, and drifts with the wind."""
        step_horizontal(self.v.body, dt, 1.0, velocity=self.v.wind)
        step_vertical(self.v.body, dt, UNPOWERED_SINK_ACCEL, rate=-UNPOWERED_SINK_M_S,
                      descent=UNPOWERED_SINK_M_S)

    # ----------------------------------------------------------------- the modes

    def _pilot_vertical(self, dt: float, max_descent: float | None = None) -> None:
        rate = self.v.pilot_climb_rate()
        step_vertical(self.v.body, dt, VERTICAL_ACCEL, rate=rate, climb=abs(rate) + 0.1,
                      descent=max_descent or abs(rate) + 0.1)

    def _run_stabilize(self, dt: float) -> None:
        v = self.v
        step_horizontal(v.body, dt, 1.0, velocity=v.wind)   # drifts with the wind
        rate = v.pilot_climb_rate()
        if v.throttle_zero:
            rate = -3.0                                     # motors at idle: it sinks
        step_vertical(v.body, dt, VERTICAL_ACCEL, rate=rate, climb=abs(rate) + 0.1,
                      descent=abs(rate) + 0.1)

    def _run_alt_hold(self, dt: float) -> None:
        step_horizontal(self.v.body, dt, 1.0, velocity=self.v.wind)
        self._pilot_vertical(dt)

    def _run_loiter(self, dt: float) -> None:
        v, nav, control = self.v, self.nav, self.control
        if nav.kind == "takeoff":               # a user takeoff climbs before the pilot has it
            self.guided.run(dt)
            if nav.kind != "takeoff":
                nav.kind = "idle"
            return
        if v.position_ok:
            step_horizontal(v.body, dt, control.accel, target=nav.hold, speed=control.wp_speed)
        else:
            step_horizontal(v.body, dt, control.accel)
        self._pilot_vertical(dt)

    def _run_circle(self, dt: float) -> None:
        """AC_Circle: fly to the edge, then orbit at CIRCLE_RATE (capped by WPNAV_SPEED), nose
        in."""
        v, nav, control = self.v, self.nav, self.control
        b, accel, speed = v.body, control.accel, control.wp_speed
        r = v.params["CIRCLE_RADIUS"] / 100
        rate = math.radians(v.params["CIRCLE_RATE"])
        cn, ce = nav.circle_center
        if r > 0:
            max_rate = speed / r
            rate = max(-max_rate, min(max_rate, rate))
            dn, de = b.north - cn, b.east - ce
            d = math.hypot(dn, de)
            if d < 0.5 or abs(d - r) > 2.0:
                ang = math.atan2(de, dn) if d >= 0.5 else nav.circle_angle
                edge = (cn + r * math.cos(ang), ce + r * math.sin(ang))
                step_horizontal(b, dt, accel, target=edge, speed=speed)
            else:
                ang = math.atan2(de, dn)
                tangential = rate * r
                radial = (r - d) * 1.0                    # steer back onto the circle
                vel = (-math.sin(ang) * tangential + math.cos(ang) * radial,
                       math.cos(ang) * tangential + math.sin(ang) * radial)
                centripetal = tangential * tangential / r
                step_horizontal(b, dt, max(accel, 1.5 * centripetal), velocity=vel)
            nav.circle_angle = math.atan2(b.east - ce, b.north - cn)
            self.yaw.target = math.degrees(math.atan2(ce - b.east, cn - b.north)) % 360
            turn_toward(b, self.yaw.target, dt)
        else:
            step_horizontal(b, dt, accel, target=nav.circle_center, speed=speed)
            turn_toward(b, b.yaw_deg + math.degrees(rate), dt)
        self._pilot_vertical(dt)

    def _run_brake(self, dt: float) -> None:
        b = self.v.body
        step_horizontal(b, dt, 2 * self.control.accel)
        if b.ground_speed < 0.01:
            self.nav.hold = self._here()
        step_vertical(b, dt, VERTICAL_ACCEL, rate=0.0)

    def _run_land(self, dt: float) -> None:
        self.control.land_step(dt, self.nav.hold)

    def _run_rtl(self, dt: float) -> None:
        if self.nav.rtl is None:
            self.nav.rtl = Rtl(self.v, self.control)
        self.nav.rtl.step(dt)

    def _run_auto(self, dt: float) -> None:
        self.v.runner.update(dt)
