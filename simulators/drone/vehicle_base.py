"""What every simulated ArduPilot vehicle shares: boot and EKF readiness, position, home, RC.

ArduCopter (``vehicle.Vehicle``) and ArduRover (``rover.Rover``) run the same AP_AHRS/EKF3,
AP_GPS and GCS libraries, so a GCS sees the same readiness stages from both; they differ in
modes, arming checks, failsafes and how they move, which the subclasses add.
"""

from __future__ import annotations

import math
import random
from typing import TYPE_CHECKING

from . import mission_items as m
from .battery import Battery
from .config import VehicleConfig
from .fence import FenceGeometry
from .geo import north_east, offset
from .params import ParamStore
from .physics import Body
from .state import (
    CRITICAL,
    EKF_BASE,
    EKF_CONST_POS_MODE,
    EKF_POS_HORIZ_ABS,
    EKF_POS_HORIZ_REL,
    EKF_PRED_POS_HORIZ_ABS,
    EKF_PRED_POS_HORIZ_REL,
    INFO,
    Outbox,
)

if TYPE_CHECKING:
    from .failsafes import FailsafeState

PREARM_REPORT_S = 30.0      # ArduPilot repeats the first pre-arm failure this often


class VehicleBase:
    firmware = "ArduCopter"     # the banner's name
    default_throttle_pwm = 1000   # SITL's RC3 without RC: copter stick low (AP_RCProtocol_UDP)
    failsafe: FailsafeState       # each firmware's, set by its power_on

    def __init__(self, cfg: VehicleConfig) -> None:
        self.cfg = cfg
        self.profile = cfg.profile
        self.params = ParamStore({**cfg.profile.params, **cfg.params}, cfg.profile.specs)
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
        self.armed = False
        self.arm_time = 0.0
        self.home: tuple[float, float, float] | None = None
        self.home_locked = False     # AP_AHRS::_home_locked: a GCS set it; arming keeps it
        self.origin_set = False
        self.ekf_abs = False
        self.ekf_pred = False
        self.gps_changed_at = 0.0
        self.gcs_last_seen: float | None = None
        self.rc_override: tuple[int, float] | None = None    # (throttle pwm, time received)
        self.noise = (0.0, 0.0)
        self._stage = 0
        self._next_prearm_report = PREARM_REPORT_S

    def reboot(self) -> None:
        self.power_on()

    def text(self, severity: int, text: str) -> None:
        self.outbox.texts.append((severity, text[:256]))   # statustext_printf_buffer

    @property
    def mav_type(self) -> int:
        return self.profile.mav_type

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

    def set_home(self, lat: float, lon: float, alt_amsl: float, lock: bool = False) -> None:
        """AP_AHRS::set_home (HOME_POSITION goes out at once), then lock_home if asked:
        nothing unlocks it but a reboot."""
        self.home = (lat, lon, alt_amsl)
        self.home_locked = self.home_locked or lock
        self.outbox.home_changed = True

    def set_home_here(self, lock: bool = False) -> None:
        lat, lon = self.lat_lon
        self.set_home(lat, lon, self.alt_amsl, lock)

    def gcs_set_home(self, lat: float | None, lon: float | None, alt_amsl: float | None) -> bool:
        """Copter::set_home(loc, lock=true) for MAV_CMD_DO_SET_HOME (None: here): refused
        until the EKF has an origin; the home is locked, so arming no longer moves it."""
        if not self.origin_set:
            return False
        if lat is None or lon is None or alt_amsl is None:
            self.set_home_here(lock=True)
        else:
            self.set_home(lat, lon, alt_amsl, lock=True)
        return True

    def rtl_destination(self) -> tuple[float, float]:
        """Where RTL goes: home, or the nearest rally point if closer (RALLY_INCL_HOME=1)."""
        b = self.body
        best = self.home_local()
        best_d = math.hypot(best[0] - b.north, best[1] - b.east)
        rally = self.stores[m.RALLY]
        if self.params["RALLY_INCL_HOME"] == 0 and rally:
            best_d = math.inf
        for item in rally:
            n, e = self.local_from_global(item.x * 1e-7, item.y * 1e-7)
            d = math.hypot(n - b.north, e - b.east)
            if d < best_d:
                best, best_d = (n, e), d
        return best

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
        """Copter::position_ok / Rover::ekf_position_ok: predicted is enough while disarmed."""
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
        stages = ((boot.initialised_s, (f"{self.firmware} V4.7.0-dev (sim)", self.profile.frame)),
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

    def _update_noise(self, dt: float) -> None:
        """Seeded Gauss-Markov error on the reported position."""
        if self.cfg.position_noise_m > 0:
            a = math.exp(-dt / 5.0)
            s = self.cfg.position_noise_m * math.sqrt(1 - a * a)
            self.noise = (a * self.noise[0] + s * self.rng.gauss(0, 1),
                          a * self.noise[1] + s * self.rng.gauss(0, 1))

    # ----------------------------------------------------------------- pilot and GCS

    @property
    def throttle_pwm(self) -> int:
        timeout = self.params["RC_OVERRIDE_TIME"]
        if self.rc_override is not None:
            pwm, at = self.rc_override
            if timeout < 0 or self.t - at <= timeout:
                return pwm
        return self.cfg.pilot_throttle_pwm or self.default_throttle_pwm

    def set_rc_throttle(self, pwm: int) -> None:
        self.rc_override = (pwm, self.t) if pwm > 0 else None

    def gcs_heartbeat(self) -> None:
        self.gcs_last_seen = self.t

    # ----------------------------------------------------------------- what subclasses say

    def prearm_failure(self) -> str | None:
        """The first failing pre-arm check (without the "PreArm: " prefix)."""
        raise NotImplementedError

    @property
    def prearm_ok(self) -> bool:
        return self.armed or self.prearm_failure() is None

    def _report_prearm(self) -> None:
        """While disarmed ArduPilot repeats the first pre-arm failure every 30 s."""
        if self.armed or self.t < self._next_prearm_report:
            return
        self._next_prearm_report = self.t + PREARM_REPORT_S
        reason = self.prearm_failure()
        if reason:
            self.text(CRITICAL, f"PreArm: {reason}")

    @property
    def in_guided_mode(self) -> bool:
        """Mode::in_guided_mode(): takes SET_POSITION_TARGET and guided mission items."""
        raise NotImplementedError

    @property
    def in_auto(self) -> bool:
        raise NotImplementedError

    def aux_function(self, function: int, position: int) -> bool:
        """MAV_CMD_DO_AUX_FUNCTION (switch position 0 low, 1 middle, 2 high); False: FAILED.
        No auxiliary function is simulated here."""
        return False
