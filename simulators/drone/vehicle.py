"""One simulated ArduCopter: readiness, arming, modes and flight state, with no I/O.

The MAVLink endpoint calls these methods and drains ``outbox``; ``update(dt)`` advances the
vehicle by ``dt`` sim seconds (readiness, failsafes, flight, ground contact, battery).
Behaviour and texts follow ArduCopter 4.7 (AP_Arming_Copter, Copter::set_mode, GCS_MAVLink).
"""

from __future__ import annotations

import math
import random

from . import arming, failsafes, flight
from . import mission as m
from .auto import MissionRunner
from .battery import Battery, flight_current
from .config import VehicleConfig
from .fence import FenceGeometry
from .geo import north_east, offset
from .modes import MODE_INFO, Mode
from .params import ParamStore
from .physics import Body
from .state import (
    EKF_BASE,
    EKF_CONST_POS_MODE,
    EKF_POS_HORIZ_ABS,
    EKF_POS_HORIZ_REL,
    EKF_PRED_POS_HORIZ_ABS,
    EKF_PRED_POS_HORIZ_REL,
    INFO,
    WARNING,
    Failsafes,
    Nav,
    Outbox,
)


class Vehicle:
    def __init__(self, cfg: VehicleConfig) -> None:
        self.cfg = cfg
        self.profile = cfg.profile
        self.params = ParamStore({**cfg.profile.params, **cfg.params})
        self.rng = random.Random(cfg.seed)
        self.stores: dict[int, list[m.Item]] = {m.MISSION: [], m.FENCE: [], m.RALLY: []}
        self.fence_geometry = FenceGeometry()
        self.outbox = Outbox()
        self.gps_fault = False
        wind_dir = self.rng.uniform(0, 2 * math.pi)
        self.wind = (cfg.wind_m_s * math.cos(wind_dir), cfg.wind_m_s * math.sin(wind_dir))
        self.power_on()

    # ----------------------------------------------------------------- lifecycle

    def power_on(self) -> None:
        """Boot (again): everything but parameters and stored mission/fence/rally is reset."""
        p = self.params
        self.sysid = int(p["MAV_SYSID"])
        self.t = 0.0
        self.body = Body(yaw_deg=self.cfg.home.yaw_deg)
        self.battery = Battery(self.profile.cells, p["BATT_CAPACITY"],
                               self.profile.cell_resistance_ohm)
        self.mode = Mode.STABILIZE
        self.armed = False
        self.landed = True
        self.auto_armed = False
        self.arm_time = 0.0
        self.touchdown_at: float | None = None
        self.disarm_timer_from = 0.0
        self.home: tuple[float, float, float] | None = None
        self.origin_set = False
        self.ekf_abs = False
        self.ekf_pred = False
        self.gps_changed_at = 0.0
        self.failsafe = Failsafes()
        self.gcs_last_seen: float | None = None
        self.rc_override: tuple[int, float] | None = None    # (throttle pwm, time received)
        self.nav = Nav()
        self.runner = MissionRunner(self)
        self.speed_xy: float | None = None      # DO_CHANGE_SPEED overrides (m/s)
        self.speed_up: float | None = None
        self.speed_dn: float | None = None
        self.paused = False
        self.noise = (0.0, 0.0)
        self._stage = 0
        self._next_prearm_report = 30.0
        self.runner.reset()

    def reboot(self) -> None:
        self.power_on()

    def text(self, severity: int, text: str) -> None:
        self.outbox.texts.append((severity, text[:50]))

    # ----------------------------------------------------------------- position

    @property
    def lat_lon(self) -> tuple[float, float]:
        h = self.cfg.home
        return offset(h.lat, h.lon, self.body.north, self.body.east)

    @property
    def reported_lat_lon(self) -> tuple[float, float]:
        h = self.cfg.home
        return offset(h.lat, h.lon, self.body.north + self.noise[0], self.body.east + self.noise[1])

    @property
    def alt_amsl(self) -> float:
        return self.cfg.home.alt_m + self.body.up

    @property
    def home_alt(self) -> float:
        return self.home[2] if self.home else self.cfg.home.alt_m

    @property
    def rel_alt(self) -> float:
        return self.alt_amsl - self.home_alt

    @property
    def flying(self) -> bool:
        return not self.landed

    def local_from_global(self, lat: float, lon: float) -> tuple[float, float]:
        h = self.cfg.home
        return north_east(h.lat, h.lon, lat, lon)

    def up_from_alt(self, alt: float, frame: str) -> float:
        """Body ``up`` for an altitude in ``frame``: 'abs' (AMSL), 'rel' (home), 'terrain'."""
        if frame == "abs":
            return alt - self.cfg.home.alt_m
        if frame == "terrain":
            return alt
        return alt + self.home_alt - self.cfg.home.alt_m

    def home_local(self) -> tuple[float, float]:
        if self.home is None:
            return (0.0, 0.0)
        return self.local_from_global(self.home[0], self.home[1])

    def set_home(self, lat: float, lon: float, alt_amsl: float) -> None:
        self.home = (lat, lon, alt_amsl)
        self.outbox.home_changed = True

    def set_home_here(self) -> None:
        lat, lon = self.lat_lon
        self.set_home(lat, lon, self.alt_amsl)

    # ----------------------------------------------------------------- sensors / EKF

    @property
    def initialised(self) -> bool:
        return self.t >= self.cfg.boot.initialised_s

    @property
    def gps_fix_type(self) -> int:
        if self.gps_fault or self.t < self.cfg.boot.gps_fix_s:
            return 1 if self.t >= self.cfg.boot.initialised_s else 0
        return self.cfg.gps_fix_type

    @property
    def gps_ok(self) -> bool:
        return self.gps_fix_type >= 3

    @property
    def ekf_flags(self) -> int:
        if not self.initialised:
            return 0
        if self.ekf_abs:
            return (EKF_BASE | EKF_POS_HORIZ_REL | EKF_POS_HORIZ_ABS | EKF_PRED_POS_HORIZ_REL
                    | EKF_PRED_POS_HORIZ_ABS)
        flags = EKF_BASE | EKF_CONST_POS_MODE
        return flags | EKF_PRED_POS_HORIZ_ABS if self.ekf_pred else flags

    @property
    def position_ok(self) -> bool:
        """Copter::position_ok(): absolute position (predicted is enough while disarmed)."""
        if self.failsafe.ekf:
            return False
        return self.ekf_abs or (not self.armed and self.ekf_pred)

    def _ekf_update(self) -> None:
        boot = self.cfg.boot
        gps_ok = self.gps_ok
        since = self.t - self.gps_changed_at
        self.ekf_pred = self.t >= boot.prearm_ok_s and gps_ok
        if self.t < boot.ekf_gps_s:
            return
        if self.ekf_abs and not gps_ok and since >= 1.0:
            self.ekf_abs = False       # dead reckoning ran out: no absolute position
        elif not self.ekf_abs and gps_ok and (since >= 2.0 or not self.origin_set):
            self.ekf_abs = True
            if not self.origin_set:
                self.origin_set = True
                self.text(INFO, "EKF3 IMU0 origin set")
                self.text(INFO, "EKF3 IMU0 is using GPS")
                self.set_home_here()

    def _boot_texts(self) -> None:
        boot = self.cfg.boot
        stages = ((boot.initialised_s, ("ArduCopter V4.7.0-dev (sim)", self.profile.frame)),
                  (boot.gps_fix_s, ("GPS 1: detected u-blox",)),
                  (boot.prearm_ok_s, ("EKF3 IMU0 tilt alignment complete",
                                      "EKF3 IMU0 yaw alignment complete")))
        while self._stage < len(stages) and self.t >= stages[self._stage][0]:
            for line in stages[self._stage][1]:
                self.text(INFO, line)
            self._stage += 1

    def lose_gps(self) -> None:
        if not self.gps_fault:
            self.gps_fault = True
            self.gps_changed_at = self.t

    def restore_gps(self) -> None:
        if self.gps_fault:
            self.gps_fault = False
            self.gps_changed_at = self.t

    # ----------------------------------------------------------------- pilot input

    @property
    def throttle_pwm(self) -> int:
        timeout = self.params["RC_OVERRIDE_TIME"]
        if self.rc_override is not None:
            pwm, at = self.rc_override
            if timeout < 0 or self.t - at <= timeout:
                return pwm
        return self.cfg.pilot_throttle_pwm

    def set_rc_throttle(self, pwm: int) -> None:
        self.rc_override = (pwm, self.t) if pwm > 0 else None

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

    @property
    def prearm_ok(self) -> bool:
        return self.armed or arming.prearm_failure(self) is None

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

    def force_mode(self, mode: Mode) -> bool:
        """A failsafe's mode change: RTL falls back to LAND like set_mode_RTL_or_land_with_pause."""
        if self.set_mode(mode):
            return True
        return mode != Mode.LAND and self.set_mode(Mode.LAND)

    # ----------------------------------------------------------------- guided

    def takeoff(self, alt_m: float, must_navigate: bool = True) -> bool:
        """Mode::do_user_takeoff: armed, landed, a takeoff-capable mode, upward, EKF origin set."""
        if not self.armed or not self.landed:
            return False
        if self.mode not in (Mode.GUIDED, Mode.LOITER, Mode.POSHOLD) and not (
                self.mode == Mode.ALT_HOLD and not must_navigate):
            return False
        if alt_m <= self.rel_alt or not self.origin_set:
            return False
        self.nav.kind = "takeoff"
        self.nav.hold = (self.body.north, self.body.east)
        self.nav.target_up = self.up_from_alt(alt_m, "rel")
        self.auto_armed = True
        self.landed = False
        return True

    def guided_goto(self, north: float, east: float, up: float) -> bool:
        if self.mode != Mode.GUIDED or not self.origin_set:
            return False
        self.nav.kind = "pos"
        self.nav.target = (north, east)
        self.nav.target_up = up
        return True

    def guided_velocity(self, vn: float, ve: float, vu: float) -> bool:
        if self.mode != Mode.GUIDED:
            return False
        self.nav.kind = "vel"
        self.nav.velocity = (vn, ve, vu)
        self.nav.velocity_until = self.t + 3.0    # GUID_TIMEOUT: stop if not refreshed
        return True

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

    def gcs_heartbeat(self) -> None:
        self.gcs_last_seen = self.t

    # ----------------------------------------------------------------- the tick

    def update(self, dt: float) -> None:
        self.t += dt
        self._boot_texts()
        self._ekf_update()
        failsafes.check(self)
        flight.run(self, dt)
        self._ground_contact()
        self._auto_disarm()
        self._power(dt)
        arming.report_prearm(self)
        if self.cfg.position_noise_m > 0:
            a = math.exp(-dt / 5.0)
            s = self.cfg.position_noise_m * math.sqrt(1 - a * a)
            self.noise = (a * self.noise[0] + s * self.rng.gauss(0, 1),
                          a * self.noise[1] + s * self.rng.gauss(0, 1))

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
            b.vn = b.ve = 0.0
        if self.landed or b.vu > 0:
            return
        if self.touchdown_at is None:
            self.touchdown_at = self.t
        elif self.t - self.touchdown_at >= 1.0:      # the land detector's trigger time
            self.landed = True
            self.touchdown_at = None
            self.disarm_timer_from = self.t
            if self.mode in (Mode.LAND, Mode.RTL):
                self.disarm(from_gcs=False)
            elif self.mode == Mode.AUTO:
                self.runner.on_landed()

    def _auto_disarm(self) -> None:
        delay = self.params["DISARM_DELAY"]
        if not self.armed or delay <= 0:
            return
        if not self.landed or not self.throttle_zero:
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
