"""Configuration: readiness timings, airframe profiles, fleet layout and endpoints."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Literal

from .faults import FaultConfig
from .geo import offset
from .params import HELI_SPECS, SPECS, ParamSpec
from .rover_params import ROVER_SPECS


@dataclass(frozen=True)
class BootTimes:
    """Sim seconds after power-on at which each readiness stage of ArduCopter SITL is reached."""

    initialised_s: float = 2.0   # before: "Arm: System not initialised"
    gps_fix_s: float = 8.0       # GPS_RAW_INT.fix_type >= 3
    prearm_ok_s: float = 23.0    # prearm checks pass, arming accepted (EKF predicts abs position)
    ekf_gps_s: float = 41.0      # EKF uses GPS: origin and home set, NAV_TAKEOFF accepted

    def scaled(self, k: float) -> BootTimes:
        return BootTimes(self.initialised_s * k, self.gps_fix_s * k, self.prearm_ok_s * k,
                         self.ekf_gps_s * k)


SITL_BOOT = BootTimes()
FAST_BOOT = BootTimes(0.2, 0.5, 1.0, 1.5)


@dataclass(frozen=True)
class Profile:
    """An airframe: what the heartbeat says, how it moves, what its battery holds."""

    name: str
    mav_type: int
    frame: str                        # the banner's frame string
    max_speed_m_s: float              # airframe limit over any WPNAV/DO_CHANGE_SPEED request
    cells: int
    cell_resistance_ohm: float
    hover_current_a: float            # rovers and boats: at cruise speed
    idle_current_a: float             # armed on the ground
    cruise_speed_m_s: float           # most efficient forward speed
    params: dict[str, float] = field(default_factory=dict)  # the airframe's .parm
    kind: Literal["copter", "heli", "rover"] = "copter"   # firmware: arducopter(-heli), ardurover
    specs: tuple[ParamSpec, ...] = SPECS          # the firmware's parameter table


QUAD = Profile(
    name="quad", mav_type=2, frame="QUAD/X", max_speed_m_s=20.0, cells=4,
    cell_resistance_ohm=0.008, hover_current_a=16.0, idle_current_a=1.5, cruise_speed_m_s=10.0,
    params={"BATT_CAPACITY": 5000, "BATT_LOW_VOLT": 14.4, "BATT_CRT_VOLT": 14.0,
            "BATT_FS_LOW_ACT": 2, "BATT_FS_CRT_ACT": 1, "MOT_THST_HOVER": 0.39},
)
HELICOPTER = Profile(
    name="helicopter", mav_type=4, frame="HELI", max_speed_m_s=30.0, cells=12,
    cell_resistance_ohm=0.006, hover_current_a=30.0, idle_current_a=4.0, cruise_speed_m_s=15.0,
    params={"BATT_CAPACITY": 16000, "BATT_LOW_VOLT": 43.2, "BATT_CRT_VOLT": 42.0,
            "BATT_FS_LOW_ACT": 2, "BATT_FS_CRT_ACT": 1, "WPNAV_SPEED": 1500,
            "WPNAV_SPEED_UP": 300, "WPNAV_SPEED_DN": 200, "WPNAV_ACCEL": 200},
    kind="heli", specs=HELI_SPECS,
)
# ArduRover with SITL's rover.parm (CRUISE_SPEED 5, WP_SPEED 5, WP_RADIUS 3); the boat adds
# motorboat.parm's FRAME_CLASS 2, and MIS_DONE_BEHAVE 1 that Rover::init_ardupilot sets for boats
_ROVER_PARM = {"CRUISE_SPEED": 5, "CRUISE_THROTTLE": 30, "WP_SPEED": 5, "WP_RADIUS": 3,
               "BATT_LOW_VOLT": 14.4, "BATT_CRT_VOLT": 14.0, "BATT_FS_LOW_ACT": 1,
               "BATT_FS_CRT_ACT": 2}
MOTORBOAT = Profile(
    name="motorboat", mav_type=11, frame="BOAT", max_speed_m_s=10.0, cells=4,
    cell_resistance_ohm=0.008, hover_current_a=20.0, idle_current_a=1.0, cruise_speed_m_s=5.0,
    params={**_ROVER_PARM, "BATT_CAPACITY": 10000, "FRAME_CLASS": 2, "MIS_DONE_BEHAVE": 1},
    kind="rover", specs=ROVER_SPECS,
)
ROVER = Profile(
    name="rover", mav_type=10, frame="ROVER", max_speed_m_s=10.0, cells=4,
    cell_resistance_ohm=0.008, hover_current_a=10.0, idle_current_a=0.5, cruise_speed_m_s=5.0,
    params={**_ROVER_PARM, "BATT_CAPACITY": 5000, "FRAME_CLASS": 1},
    kind="rover", specs=ROVER_SPECS,
)
PROFILES: dict[str, Profile] = {p.name: p for p in (QUAD, HELICOPTER, MOTORBOAT, ROVER)}


@dataclass(frozen=True)
class Home:
    lat: float
    lon: float
    alt_m: float = 0.0     # AMSL
    yaw_deg: float = 0.0

    @classmethod
    def parse(cls, text: str) -> Home:
        """``LAT,LON[,ALT[,YAW]]`` as SITL's ``--home``."""
        parts = [float(p) for p in text.split(",")]
        if not 2 <= len(parts) <= 4:
            raise ValueError("home is LAT,LON[,ALT[,YAW]]")
        if not (-90 <= parts[0] <= 90 and -180 <= parts[1] <= 180):
            raise ValueError("home latitude/longitude out of range")
        return cls(*parts)


@dataclass(frozen=True)
class VehicleConfig:
    sysid: int = 1
    home: Home = Home(-35.363261, 149.165230, 584.0, 353.0)  # SITL's CMAC default
    profile: Profile = QUAD
    boot: BootTimes = SITL_BOOT
    params: dict[str, float] = field(default_factory=dict)
    seed: int = 0
    wind_m_s: float = 0.0
    position_noise_m: float = 0.0
    gps_fix_type: int = 3
    gps_satellites: int = 10
    pilot_throttle_pwm: int | None = None  # RC3 without override; None: SITL's (1000, rover 1500)


Endpoint = tuple[Literal["tcp", "udpout"], str, int]


@dataclass
class FleetConfig:
    """Everything ``python -m simulators drone`` takes, usable directly from tests."""

    count: int = 1
    sysid_base: int = 1
    home: Home = VehicleConfig.home
    spacing_m: float = 5.0            # instances stand on a grid around home
    speedup: float = 1.0
    profile: str = "quad"
    boot: BootTimes = SITL_BOOT
    params: dict[str, float] = field(default_factory=dict)
    seed: int = 0
    wind_m_s: float = 0.0
    position_noise_m: float = 0.0
    pilot_throttle_pwm: int | None = None
    tcp_base: int | None = None       # port of instance 0; 0 = OS-chosen per instance
    tcp_host: str = "127.0.0.1"
    udpout: tuple[str, int] | None = None        # every instance sends here
    udpout_base: tuple[str, int] | None = None   # instance i sends to port + i
    faults: FaultConfig = field(default_factory=FaultConfig)
    fault_instances: tuple[int, ...] | None = None   # None: all instances
    sysid_collision: bool = False     # the last instance claims instance 0's sysid
    signing_key: bytes | None = None
    allow_unsigned: bool = False
    physics_hz: float = 20.0          # sim-time tick rate (ticks grow at high speedup)

    def __post_init__(self) -> None:
        if self.count < 1:
            raise ValueError("count must be >= 1")
        if not 1 <= self.sysid_base <= 255 or self.sysid_base + self.count - 1 > 255:
            raise ValueError("sysids must stay within 1..255")
        if self.profile not in PROFILES:
            raise ValueError(f"unknown profile {self.profile!r} (have {', '.join(PROFILES)})")
        names = {s.name for s in PROFILES[self.profile].specs}
        for name in self.params:
            if name not in names:
                raise ValueError(f"parameter {name} is not one of the {self.profile}'s")
        if sum(x is not None for x in (self.tcp_base, self.udpout, self.udpout_base)) > 1:
            raise ValueError("choose one of tcp_base, udpout, udpout_base")

    def vehicle_config(self, i: int) -> VehicleConfig:
        cols = max(1, math.ceil(math.sqrt(self.count)))
        north, east = -(i // cols) * self.spacing_m, (i % cols) * self.spacing_m
        lat, lon = offset(self.home.lat, self.home.lon, north, east)
        sysid = self.sysid_base + i
        if self.sysid_collision and self.count > 1 and i == self.count - 1:
            sysid = self.sysid_base
        return VehicleConfig(
            sysid=sysid, home=replace(self.home, lat=lat, lon=lon),
            profile=PROFILES[self.profile], boot=self.boot,
            params={**self.params, "MAV_SYSID": sysid}, seed=self.seed * 1000 + i,
            wind_m_s=self.wind_m_s, position_noise_m=self.position_noise_m,
            pilot_throttle_pwm=self.pilot_throttle_pwm)

    def endpoint(self, i: int) -> Endpoint | None:
        if self.tcp_base is not None:
            return ("tcp", self.tcp_host, self.tcp_base + 10 * i if self.tcp_base else 0)
        if self.udpout is not None:
            return ("udpout", *self.udpout)
        if self.udpout_base is not None:
            return ("udpout", self.udpout_base[0], self.udpout_base[1] + i)
        return None

    def faults_for(self, i: int) -> FaultConfig:
        if self.fault_instances is None or i in self.fault_instances:
            return self.faults
        return FaultConfig()
