"""One simulated ArduRover rover or boat (FRAME_CLASS 1 or 2): modes, arming, targets, no I/O.

Behaviour and texts follow ArduRover 4.7: Rover::set_mode and Mode::enter (mode.cpp,
system.cpp), AP_Arming_Rover, ModeGuided / ModeRTL / ModeAuto, Rover::update_home. It boots in
INITIALISING and switches to INITIAL_MODE (MANUAL) once initialised; it has no altitude.
"""

from __future__ import annotations

import math

from . import drive
from .rover_auto import RoverMissionRunner
from .rover_failsafes import RoverFailsafes
from .rover_modes import MODE_INFO, RoverMode
from .state import CRITICAL, INFO, WARNING
from .vehicle_base import VehicleBase

SPEED_MIN = 0.05          # m/s, AR_WPNAV_SPEED_MIN: slower DO_CHANGE_SPEED requests fail
HOME_MIN_CHANGE_M = 0.5   # DISTANCE_HOME_MINCHANGE: home follows a disarmed rover


class Rover(VehicleBase):
    firmware = "ArduRover"
    default_throttle_pwm = 1500   # SITL's RC3 for Rover: centred, no throttle

    def power_on(self) -> None:
        super().power_on()
        self.mode = RoverMode.INITIALISING
        self._booting = True
        self.speed = 0.0                  # forward speed, m/s (negative: reversing)
        self.nav: drive.Drive = drive.Drive()     # Rover's navigation state, not Copter's Nav
        self.speed_max = self.params["WP_SPEED"]   # AR_WPNav's current speed limit
        self.failsafe = RoverFailsafes(self)
        self.runner = RoverMissionRunner(self)
        self.runner.reset()

    # ----------------------------------------------------------------- identity and state

    @property
    def is_boat(self) -> bool:
        return int(self.params["FRAME_CLASS"]) == 2

    @property
    def mav_type(self) -> int:
        return 11 if self.is_boat else 10       # MAV_TYPE_SURFACE_BOAT / GROUND_ROVER

    @property
    def in_guided_mode(self) -> bool:
        return self.mode == RoverMode.GUIDED

    @property
    def in_auto(self) -> bool:
        return self.mode == RoverMode.AUTO

    @property
    def full_throttle_speed(self) -> float:
        """calc_speed_max: CRUISE_SPEED scaled from CRUISE_THROTTLE to full throttle."""
        p = self.params
        speed = p["CRUISE_SPEED"] / max(p["CRUISE_THROTTLE"] / 100, 0.01)
        return min(speed, self.profile.max_speed_m_s)

    @property
    def throttle_pct(self) -> int:
        if not self.armed:
            return 0
        return int(min(100, 100 * abs(self.speed) / self.full_throttle_speed))

    # ----------------------------------------------------------------- arming

    def prearm_failure(self) -> str | None:
        """AP_Arming_Rover::pre_arm_checks: position checks only in modes that need them."""
        if not self.initialised:
            return "System not initialised"
        if self.params["ARMING_CHECK"] == 0:
            return None
        info = MODE_INFO[self.mode]
        if info.requires_position or info.requires_velocity:
            if not self.gps_ok:
                return "GPS 1: Bad fix"
            if self.t < self.cfg.boot.prearm_ok_s:
                return "AHRS: not using configured AHRS type"
            if self.failsafe.ekf:
                return "EKF failsafe"
            if not self.position_ok:
                return "Need Position Estimate"
        if self.failsafe.battery:
            return "Battery 1 low voltage failsafe"
        if self.params["WP_SPEED"] <= 0:
            return "WP_SPEED too low"
        if not info.allows_arming:
            return "Mode not armable"
        return None

    def arm(self, force: bool = False) -> bool:
        if self.armed:
            return True
        reason = None if force else self.prearm_failure()
        if reason:
            self.text(CRITICAL, f"Arm: {reason}")
            return False
        self.armed = True
        self.arm_time = self.t
        self.text(INFO, "Throttle armed")
        return True

    def disarm(self, force: bool = False, *, from_gcs: bool = True) -> bool:
        """A rover may be disarmed while moving; the mission resets unless in AUTO."""
        if not self.armed:
            return True
        self.armed = False
        if self.mode != RoverMode.AUTO:
            self.runner.reset()
        self.text(INFO, "Throttle disarmed")
        return True

    # ----------------------------------------------------------------- modes

    def set_mode(self, number: int) -> bool:
        try:
            mode = RoverMode(number)
        except ValueError:
            self.text(WARNING, f"No such mode {number}")
            return False
        if mode == self.mode:
            return True
        if not self._enter(mode):
            self.text(WARNING, "Flight mode change failed")
            return False
        if self.mode == RoverMode.AUTO:
            self.runner.stop()
        self.mode = mode
        return True

    def _enter(self, mode: RoverMode) -> bool:
        """Mode::enter: position checks only when armed, then the mode's own _enter."""
        info = MODE_INFO[mode]
        if self.armed and not self.position_ok and (
                info.requires_position or (info.requires_velocity and not self.initialised)):
            return False                     # (the EKF has a velocity once initialised)
        if not info.simulated:
            return False
        d = self.nav
        if mode == RoverMode.LOITER:
            if not self.origin_set:
                return False
            drive.start_loiter(self)
        elif mode == RoverMode.RTL:
            if not self.start_rtl():
                return False
        elif mode == RoverMode.AUTO:
            if len(self.runner.items) < 2:
                self.text(5, "No Mission. Can't set AUTO.")
                return False
            self._guided_start()
            self.runner.waiting = True
        elif mode == RoverMode.GUIDED:
            self._guided_start()
        else:
            d.submode = "stop"
        return True

    def _guided_start(self) -> None:
        """ModeGuided/ModeAuto::_enter: boats loiter, rovers stop; speed back to WP_SPEED."""
        self.speed_max = self.speed_limit(self.params["WP_SPEED"])
        if self.is_boat and self.origin_set:
            drive.start_loiter(self)
        else:
            self.nav.submode = "stop"

    def speed_limit(self, speed: float) -> float:
        return min(max(SPEED_MIN, speed), self.profile.max_speed_m_s)

    def start_rtl(self) -> bool:
        """ModeRTL::_enter: home needed; RTL_SPEED (or WP_SPEED) to the nearest rally or home."""
        if self.home is None:
            return False
        self.speed_max = self.speed_limit(self.params["RTL_SPEED"] or self.params["WP_SPEED"])
        drive.set_destination(self, self.rtl_destination())
        self.nav.origin = (self.body.north, self.body.east)
        return True

    # ----------------------------------------------------------------- targets

    def set_speed(self, speed: float) -> bool:
        """Mode::set_desired_speed: AR_WPNav's limit, where the mode navigates by it."""
        sub = self.nav.submode
        ok = (self.mode == RoverMode.RTL
              or (self.mode == RoverMode.AUTO and sub != "loiter")
              or (self.mode == RoverMode.GUIDED and sub == "wp"))
        if not ok or speed < SPEED_MIN:
            return False
        self.speed_max = self.speed_limit(speed)
        return True

    def guided_goto(self, north: float, east: float, up: float = 0.0, *_: object) -> bool:
        """ModeGuided::set_desired_location (altitude is meaningless on the ground)."""
        if self.mode != RoverMode.GUIDED or not self.origin_set:
            return False
        drive.set_destination(self, (north, east))
        return True

    def guided_heading(self, heading_deg: float, speed: float) -> bool:
        return self._guided_attitude("heading", speed, heading=heading_deg)

    def guided_turn_rate(self, rate_deg_s: float, speed: float) -> bool:
        return self._guided_attitude("turn_rate", speed, turn_rate=rate_deg_s)

    def _guided_attitude(self, submode: str, speed: float, heading: float = 0.0,
                         turn_rate: float = 0.0) -> bool:
        if self.mode != RoverMode.GUIDED:
            return False
        d = self.nav
        d.submode, d.speed, d.heading, d.turn_rate = submode, speed, heading, turn_rate
        d.updated_at = self.t
        return True

    # ----------------------------------------------------------------- the tick

    def update(self, dt: float) -> None:
        self.t += dt
        self._boot_texts()
        self._ekf_update()
        if self._booting and self.initialised:
            self._booting = False           # init_ardupilot's last step: INITIAL_MODE
            initial = int(self.params["INITIAL_MODE"])
            if initial in {int(m) for m in RoverMode}:
                self.set_mode(initial)       # an unknown or refused one stays INITIALISING
        self.failsafe.check()
        drive.run(self, dt)
        self._update_home()
        self._power(dt)
        self._report_prearm()
        self._update_noise(dt)

    def gcs_set_home(self, lat: float | None, lon: float | None, alt_amsl: float | None) -> bool:
        """Rover::set_home(loc, lock=true) for MAV_CMD_DO_SET_HOME (None: here, which needs
        a position), with its "Set HOME to" text; unlike Copter no EKF origin is needed."""
        if lat is None or lon is None or alt_amsl is None:
            if not self.origin_set:
                return False
            (lat, lon), alt_amsl = self.lat_lon, self.alt_amsl
        self.set_home(lat, lon, alt_amsl, lock=True)
        self.text(INFO, f"Set HOME to {lat:.6f} {lon:.6f} at {alt_amsl:.2f}m")
        return True

    def _update_home(self) -> None:
        """Rover::update_home: while disarmed home follows the vehicle (0.5 m steps),
        unless a GCS set (locked) it."""
        if self.armed or self.home is None or not self.ekf_abs or self.home_locked:
            return
        hn, he = self.home_local()
        if math.hypot(self.body.north - hn, self.body.east - he) >= HOME_MIN_CHANGE_M:
            self.set_home_here()

    def _power(self, dt: float) -> None:
        """Idle draw armed, plus propulsion growing with the square of speed over cruise."""
        if not self.armed:
            amps = 0.3
        else:
            x = abs(self.speed) / max(self.profile.cruise_speed_m_s, 0.1)
            amps = self.profile.idle_current_a + self.profile.hover_current_a * x * x
        self.battery.update(amps, dt)
