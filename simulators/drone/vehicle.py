"""One simulated ArduCopter: arming, modes and flight on VehicleBase's readiness, with no I/O.

The MAVLink endpoint calls these methods and drains ``outbox``; ``update(dt)`` advances the
vehicle by ``dt`` sim seconds (readiness, failsafes, flight, ground contact, battery).
Behaviour and texts follow ArduCopter 4.7 (AP_Arming_Copter, Copter::set_mode, GCS_MAVLink).
"""

from __future__ import annotations

import math

from . import arming, failsafes, flight, guided
from .auto import MissionRunner
from .battery import flight_current
from .modes import MODE_INFO, Mode
from .rotor import Motors, Spool
from .state import MOTOR_INTERLOCK, WARNING
from .vehicle_base import VehicleBase

ARMING_DELAY_S = 2.0         # ARMING_DELAY_SEC: the motors stay stopped this long after arming
LAND_DETECT_S = 1.0          # LAND_DETECTOR_TRIGGER_SEC
# After touching down under power the position controller takes this long to bring the
# throttle to its lower limit, which the land detector needs (SITL's LDET: 0.58 s at 0.5 m/s)
THROTTLE_WINDDOWN_S = 0.6


class Vehicle(VehicleBase):
    def power_on(self) -> None:
        super().power_on()
        self.mode = Mode.STABILIZE
        self.landed = True
        self.auto_armed = False
        self.touchdown_at: float | None = None
        self.disarm_timer_from = 0.0
        self.runner = MissionRunner(self)
        self.speed_xy: float | None = None      # DO_CHANGE_SPEED overrides (m/s)
        self.speed_up: float | None = None
        self.speed_dn: float | None = None
        self.paused = False
        self.motors = Motors()
        self.takeoff_throttle = 0.0             # the takeoff's throttle ramp on the ground
        self.runner.reset()

    @property
    def flying(self) -> bool:
        return not self.landed

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

    # ----------------------------------------------------------------- speeds

    @property
    def wp_speed(self) -> float:
        s = self.speed_xy if self.speed_xy is not None else self.params["WPNAV_SPEED"] / 100
        return min(s, self.profile.max_speed_m_s)

    @property
    def climb_speed(self) -> float:
        return self.speed_up if self.speed_up is not None else self.params["WPNAV_SPEED_UP"] / 100

    @property
    def descent_speed(self) -> float:
        return self.speed_dn if self.speed_dn is not None else self.params["WPNAV_SPEED_DN"] / 100

    def set_speed(self, speed_type: int, speed: float) -> bool:
        """DO_CHANGE_SPEED: only GUIDED and AUTO take it (Mode::set_speed_xy_cms)."""
        if self.mode not in (Mode.GUIDED, Mode.AUTO):
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

    # ----------------------------------------------------------------- arming

    def _fence_enabled(self) -> bool:
        return self.params["FENCE_ENABLE"] > 0

    def prearm_failure(self) -> str | None:
        return arming.prearm_failure(self)

    def arm(self, force: bool = False) -> bool:
        return arming.arm(self, force)

    def disarm(self, force: bool = False, *, from_gcs: bool = True) -> bool:
        return arming.disarm(self, force, from_gcs=from_gcs)

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
        self.speed_xy = self.speed_up = self.speed_dn = None
        self.paused = False
        flight.enter_mode(self, mode)
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

    def aux_function(self, function: int, position: int) -> bool:
        """MAV_CMD_DO_AUX_FUNCTION: only MOTOR_INTERLOCK is simulated; a quad takes it and,
        with no RCx_OPTION 32, it changes nothing."""
        return function == MOTOR_INTERLOCK

    def _update_motors(self, dt: float) -> None:
        """The motors library's output logic, before the mode runs: landed, the modes ask for
        ground idle unless taking off (make_safe_ground_handling)."""
        interlock = self.armed and self.t - self.arm_time >= ARMING_DELAY_S
        want_flight = not self.landed or flight.wants_to_leave_ground(self)
        self.motors.update(dt, self.params["MOT_SPOOL_TIME"], interlock=interlock,
                           want_flight=want_flight)

    # ----------------------------------------------------------------- guided

    def takeoff(self, alt_m: float, must_navigate: bool = True) -> bool:
        """Mode::do_user_takeoff: armed, landed, a takeoff-capable mode, upward, EKF origin set."""
        if not self.armed or not self.landed:
            return False
        if self.mode not in (Mode.GUIDED, Mode.LOITER, Mode.POSHOLD) and not (
                self.mode == Mode.ALT_HOLD and not must_navigate):
            return False
        if alt_m <= self.rel_alt or not self.origin_set or not self.motor_interlock:
            return False
        self.nav.kind = "takeoff"
        self.nav.hold = (self.body.north, self.body.east)
        self.nav.target_up = self.up_from_alt(alt_m, "rel")
        self.auto_armed = True          # still landed until the throttle ramp lifts it
        return True

    def guided_goto(self, north: float, east: float, up: float,
                    yaw: guided.Yaw = guided.DEFAULT_YAW) -> bool:
        return guided.set_destination(self, north, east, up, yaw)

    def guided_velocity(self, vn: float, ve: float, vu: float,
                        yaw: guided.Yaw = guided.DEFAULT_YAW) -> bool:
        return guided.set_velocity(self, (vn, ve, vu), yaw)

    def pause(self) -> bool:
        if self.mode not in (Mode.AUTO, Mode.GUIDED) or self.landed:
            return False
        self.paused = True
        self.nav.hold = (self.body.north, self.body.east)
        return True

    def resume(self) -> bool:
        if not self.paused:
            return False
        self.paused = False
        return True

    # ----------------------------------------------------------------- the tick

    def update(self, dt: float) -> None:
        self.t += dt
        self._boot_texts()
        self._ekf_update()
        failsafes.check(self)
        self._update_motors(dt)
        flight.run(self, dt)
        self._ground_contact()
        self._auto_disarm()
        self._power(dt)
        arming.report_prearm(self)
        self._update_noise(dt)

    def _ground_contact(self) -> None:
        b = self.body
        if b.up > 0.05:
            if self.armed:
                self.landed = False
            self.touchdown_at = None
            return
        if b.up <= 0.0:
            b.up = 0.0
            b.vu = max(0.0, b.vu)
            b.au = max(0.0, b.au)
            b.vn = b.ve = 0.0
        if self.landed or b.vu > 0:
            return
        if self.touchdown_at is None:
            self.touchdown_at = self.t
        elif self.t - self.touchdown_at >= LAND_DETECT_S + self._throttle_winddown():
            self.landed = True
            self.touchdown_at = None
            self.disarm_timer_from = self.t

    def _throttle_winddown(self) -> float:
        """Only a descent under the position controller has a throttle to wind down."""
        powered = self.armed and self.lift_available and not MODE_INFO[self.mode].manual_throttle
        return THROTTLE_WINDDOWN_S if powered else 0.0

    def _landing(self) -> bool:
        """Modes that let the motors spool down once landed, and then disarm or go on."""
        return self.mode in (Mode.LAND, Mode.RTL) or (self.mode == Mode.AUTO
                                                        and self.runner.landing)

    def _landing_complete(self) -> None:
        """LAND and RTL disarm, AUTO's landing completes, once landed with the motors idle."""
        if self.spool != Spool.GROUND_IDLE:
            return
        if self.mode in (Mode.LAND, Mode.RTL):
            self.disarm(from_gcs=False)
        elif self.mode == Mode.AUTO:
            self.runner.on_landed()

    def _auto_disarm(self) -> None:
        """Copter::auto_disarm_check, after a landing mode's own disarm."""
        if self.armed and self.landed and self._landing():
            self._landing_complete()
        delay = self.params["DISARM_DELAY"]
        if not self.armed or delay <= 0:
            return
        if self.spool > Spool.GROUND_IDLE or not self.landed or not self.throttle_zero:
            self.disarm_timer_from = self.t
            return
        if self.t - self.disarm_timer_from >= delay:
            self.disarm(from_gcs=False)

    def _power(self, dt: float) -> None:
        b = self.body
        air = math.hypot(b.vn - self.wind[0], b.ve - self.wind[1])
        amps = flight_current(self.profile.hover_current_a, self.profile.idle_current_a,
                              flying=self.flying, armed=self.armed, airspeed=air,
                              cruise=self.profile.cruise_speed_m_s, climb_rate=b.vu)
        self.battery.update(amps, dt)
