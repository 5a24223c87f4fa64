"""One simulated ArduCopter: its parts, its mode, its motors and its tick, with no I/O.

The MAVLink endpoint calls these methods and drains ``outbox``; ``update(dt)`` advances the
vehicle by ``dt`` sim seconds. Each part keeps its own state: ``arming`` (checks, auto-disarm),
``failsafe`` (what has triggered and the reactions), ``ground`` (land_complete, the takeoff ramp,
the land detector), ``flight`` (each mode's targets and flying) and ``runner`` (AUTO's mission).
Behaviour and texts follow ArduCopter 4.7 (AP_Arming_Copter, Copter::set_mode, GCS_MAVLink).
"""

from __future__ import annotations

import math

from .arming import Arming
from .auto import MissionRunner
from .auto_yaw import DEFAULT_YAW, Yaw
from .battery import flight_current
from .failsafes import Failsafes
from .flight import Flight
from .ground import Ground
from .modes import MODE_INFO, Mode
from .rotor import Motors, Spool
from .state import MOTOR_INTERLOCK, WARNING, Nav
from .vehicle_base import VehicleBase

ARMING_DELAY_S = 2.0         # ARMING_DELAY_SEC: the motors stay stopped this long after arming


class Vehicle(VehicleBase):
    def power_on(self) -> None:
        super().power_on()
        self.mode = Mode.STABILIZE
        self.motors = Motors()
        self.arming = Arming(self)
        self.failsafe = Failsafes(self)
        self.ground = Ground(self)
        self.flight = Flight(self)
        self.runner = MissionRunner(self)
        self.runner.reset()

    # ----------------------------------------------------------------- state others read

    @property
    def landed(self) -> bool:
        return self.ground.landed

    @property
    def flying(self) -> bool:
        return not self.landed

    @property
    def nav(self) -> Nav:
        return self.flight.nav

    @property
    def wp_speed(self) -> float:
        return self.flight.control.wp_speed

    @property
    def in_guided_mode(self) -> bool:
        return self.mode == Mode.GUIDED

    @property
    def in_auto(self) -> bool:
        return self.mode == Mode.AUTO

    @property
    def throttle_pct(self) -> int:
        if not self.armed:
            return 0
        if self.landed:
            return 15
        return int(min(100, 38 * self.battery.current_a / self.profile.hover_current_a))

    # ----------------------------------------------------------------- pilot input

    @property
    def throttle_zero(self) -> bool:
        return self.throttle_pwm <= 1030

    def pilot_climb_rate(self) -> float:
        """Stick to climb rate like ArduCopter: 10 % deadband round mid, PILOT_SPEED_UP/DN."""
        pwm = self.throttle_pwm
        up = self.params["PILOT_SPEED_UP"] / 100
        dn = (self.params["PILOT_SPEED_DN"] or self.params["PILOT_SPEED_UP"]) / 100
        if pwm > 1550:
            return min(1.0, (pwm - 1550) / 450) * up
        if pwm < 1450:
            return -min(1.0, (1450 - pwm) / 450) * dn
        return 0.0

    # ----------------------------------------------------------------- what a GCS asks

    def prearm_failure(self) -> str | None:
        return self.arming.prearm_failure()

    def arm(self, force: bool = False) -> bool:
        return self.arming.arm(force)

    def disarm(self, force: bool = False, *, from_gcs: bool = True) -> bool:
        return self.arming.disarm(force, from_gcs=from_gcs)

    def set_speed(self, speed_type: int, speed: float) -> bool:
        return self.flight.control.set_speed(speed_type, speed)

    def takeoff(self, alt_m: float, must_navigate: bool = True) -> bool:
        return self.flight.takeoff(alt_m, must_navigate)

    def guided_goto(self, north: float, east: float, up: float, yaw: Yaw = DEFAULT_YAW) -> bool:
        return self.flight.guided.set_destination(north, east, up, yaw)

    def guided_velocity(self, vn: float, ve: float, vu: float, yaw: Yaw = DEFAULT_YAW) -> bool:
        return self.flight.guided.set_velocity((vn, ve, vu), yaw)

    def pause(self) -> bool:
        return self.flight.pause()

    def resume(self) -> bool:
        return self.flight.resume()

    # ----------------------------------------------------------------- modes

    def set_mode(self, number: int) -> bool:
        try:
            mode = Mode(number)
        except ValueError:
            self.text(WARNING, f"No such mode {number}")
            return False
        if mode == self.mode:
            return True
        ignore_checks = not self.armed
        refusal = None if ignore_checks else self._mode_refusal(mode)
        if refusal:
            self.text(WARNING, f"Mode change to {mode.name} failed: {refusal}")
            return False
        if not ignore_checks and MODE_INFO[mode].requires_position and not self.position_ok:
            self.text(WARNING, f"Mode change to {mode.name} failed: requires position")
            return False
        if mode == Mode.AUTO and not self.runner.can_start(ignore_checks):
            self.text(WARNING, "Mode change to AUTO failed: init failed")
            return False
        if self.mode == Mode.AUTO:
            self.runner.stop()
        self.mode = mode
        self.flight.enter_mode(mode)
        return True

    def _mode_refusal(self, mode: Mode) -> str | None:
        """A frame's own reason to refuse an armed mode change (a heli's run-up)."""
        return None

    def force_mode(self, mode: Mode) -> bool:
        """A failsafe's mode change: RTL falls back to LAND like set_mode_RTL_or_land_with_pause."""
        if self.set_mode(mode):
            return True
        return mode != Mode.LAND and self.set_mode(Mode.LAND)

    # ----------------------------------------------------------------- motors

    @property
    def motor_interlock(self) -> bool:
        """motors->get_interlock() where a takeoff asks; a quad has no interlock switch."""
        return True

    @property
    def lift_available(self) -> bool:
        """The motors can carry the vehicle: spooled up to unlimited throttle."""
        return self.spool == Spool.THROTTLE_UNLIMITED

    @property
    def spool(self) -> Spool:
        return self.motors.spool

    @property
    def hover_throttle(self) -> float:
        """The throttle a takeoff ramps up to before the vehicle leaves the ground."""
        return self.params["MOT_THST_HOVER"]

    @property
    def auto_disarm_blocked(self) -> bool:
        """Copter::auto_disarm_check restarts the DISARM_DELAY count: spinning, flying or
        throttle up."""
        return self.spool > Spool.GROUND_IDLE or not self.landed or not self.throttle_zero

    def aux_function(self, function: int, position: int) -> bool:
        """MAV_CMD_DO_AUX_FUNCTION: only MOTOR_INTERLOCK is simulated; a quad takes it and,
        with no RCx_OPTION 32, it changes nothing."""
        return function == MOTOR_INTERLOCK

    def _update_motors(self, dt: float) -> None:
        """The motors library's output logic, before the mode runs: landed, the modes ask for
        ground idle unless taking off (make_safe_ground_handling)."""
        interlock = self.armed and self.t - self.arm_time >= ARMING_DELAY_S
        want_flight = not self.landed or self.flight.wants_to_leave_ground()
        self.motors.update(dt, self.params["MOT_SPOOL_TIME"], interlock=interlock,
                           want_flight=want_flight)

    # ----------------------------------------------------------------- the tick

    def update(self, dt: float) -> None:
        self.t += dt
        self._boot_texts()
        self._ekf_update()
        self.failsafe.check()
        self._update_motors(dt)
        self.flight.run(dt)
        self.ground.update()
        self.flight.finish_landing()
        self.arming.auto_disarm()
        self._power(dt)
        self._report_prearm()
        self._update_noise(dt)

    def _power(self, dt: float) -> None:
        b = self.body
        air = math.hypot(b.vn - self.wind[0], b.ve - self.wind[1])
        amps = flight_current(self.profile.hover_current_a, self.profile.idle_current_a,
                              flying=self.flying, armed=self.armed, airspeed=air,
                              cruise=self.profile.cruise_speed_m_s, climb_rate=b.vu)
        self.battery.update(amps, dt)
