"""A realistic subset of ArduCopter parameters: names, defaults, storage types and ranges.

Values are kept in ArduPilot units (cm, cm/s, ms...). PARAM_VALUE carries them as float with the
storage type in ``param_type`` the way ArduPilot does (the value cast, not the bytes).
"""

from __future__ import annotations

import math
import struct
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

INT8, INT16, INT32, REAL32 = 2, 4, 6, 9  # MAV_PARAM_TYPE


@dataclass(frozen=True)
class ParamSpec:
    name: str
    default: float
    type: int
    lo: float
    hi: float


def param(name: str, default: float, ptype: int, lo: float, hi: float) -> ParamSpec:
    return ParamSpec(name, float(default), ptype, float(lo), float(hi))


_STREAMS = ("RAW_SENS", "EXT_STAT", "RC_CHAN", "RAW_CTRL", "POSITION", "EXTRA1", "EXTRA2",
            "EXTRA3", "PARAMS", "ADSB")

SPECS: tuple[ParamSpec, ...] = (
    param("ANGLE_MAX", 3000, INT16, 1000, 8000),
    param("ARMING_CHECK", 1, INT32, 0, 0x7FFFFFFF),
    param("BATT_CAPACITY", 3300, INT32, 0, 1_000_000),
    param("BATT_CRT_MAH", 0, REAL32, 0, 1_000_000),
    param("BATT_CRT_VOLT", 0, REAL32, 0, 120),
    param("BATT_FS_CRT_ACT", 0, INT8, 0, 6),
    param("BATT_FS_LOW_ACT", 0, INT8, 0, 6),
    param("BATT_LOW_MAH", 0, REAL32, 0, 1_000_000),
    param("BATT_LOW_TIMER", 10, INT8, 0, 120),
    param("BATT_LOW_VOLT", 10.5, REAL32, 0, 120),
    param("BATT_MONITOR", 4, INT8, 0, 30),
    param("CIRCLE_RADIUS", 1000, REAL32, 0, 200_000),
    param("CIRCLE_RATE", 20, REAL32, -90, 90),
    param("DISARM_DELAY", 10, INT8, 0, 127),
    param("FENCE_ACTION", 1, INT8, 0, 5),
    param("FENCE_ALT_MAX", 100, REAL32, 10, 1000),
    param("FENCE_ALT_MIN", -10, REAL32, -100, 100),
    param("FENCE_ENABLE", 0, INT8, 0, 1),
    param("FENCE_MARGIN", 2, REAL32, 1, 10),
    param("FENCE_RADIUS", 300, REAL32, 30, 10_000),
    param("FENCE_TYPE", 7, INT8, 0, 15),
    param("FS_EKF_ACTION", 1, INT8, 1, 3),
    param("FS_GCS_ENABLE", 0, INT8, 0, 7),
    param("FS_GCS_TIMEOUT", 5, REAL32, 2, 120),
    param("FS_OPTIONS", 0, INT32, 0, 127),
    param("GUID_TIMEOUT", 3, REAL32, 0.1, 5),
    param("LAND_ALT_LOW", 1000, INT16, 100, 10_000),
    param("LAND_SPEED", 50, INT16, 30, 200),
    param("LAND_SPEED_HIGH", 0, INT16, 0, 500),
    param("MAV_GCS_SYSID", 255, INT16, 1, 255),
    param("MAV_SYSID", 1, INT16, 1, 255),
    param("MOT_SPOOL_TIME", 0.5, REAL32, 0.05, 2),
    param("MOT_THST_HOVER", 0.35, REAL32, 0.125, 0.6875),
    param("PILOT_SPEED_DN", 0, INT16, 0, 500),
    param("PILOT_SPEED_UP", 250, INT16, 50, 500),
    param("PSC_JERK_Z", 5, REAL32, 5, 50),
    param("RALLY_INCL_HOME", 1, INT8, 0, 1),
    param("RALLY_TOTAL", 0, INT8, 0, 20),
    param("RC_OVERRIDE_TIME", 3, REAL32, -1, 120),
    param("RTL_ALT", 1500, INT32, 30, 300_000),
    param("RTL_ALT_FINAL", 0, INT16, 0, 1000),
    param("RTL_LOIT_TIME", 5000, INT32, 0, 60_000),
    param("RTL_SPEED", 0, INT16, 0, 2000),
    *(param(f"SR0_{s}", 0, INT16, 0, 50) for s in _STREAMS),
    param("TKOFF_SLEW_TIME", 2, REAL32, 0.25, 5),
    param("WPNAV_ACCEL", 250, REAL32, 50, 500),
    param("WPNAV_ACCEL_Z", 100, REAL32, 50, 500),
    param("WPNAV_RADIUS", 200, REAL32, 5, 1000),
    param("WPNAV_SPEED", 1000, REAL32, 20, 2000),
    param("WPNAV_SPEED_DN", 150, REAL32, 10, 500),
    param("WPNAV_SPEED_UP", 250, REAL32, 10, 1000),
)

# arducopter-heli has its rotor speed control (AP_MotorsHeli_RSC, H_RSC_MODE 2 setpoint as in
# SITL's copter-heli.parm; only the run-up timing is simulated) instead of the multicopter motors
HELI_SPECS: tuple[ParamSpec, ...] = tuple(sorted((
    *(s for s in SPECS if not s.name.startswith("MOT_")),
    param("H_RSC_CRITICAL", 50, INT16, 0, 100),
    param("H_RSC_RAMP_TIME", 1, INT8, 0, 60),
    param("H_RSC_RUNUP_TIME", 10, INT8, 0, 60),
), key=lambda s: s.name))

SPEC_BY_NAME: dict[str, ParamSpec] = {s.name: s for s in SPECS}


class ParamStore:
    """Named values with ArduPilot's index order (sorted like its table, stable for the session)."""

    def __init__(self, overrides: Mapping[str, float] | None = None,
                 specs: tuple[ParamSpec, ...] = SPECS) -> None:
        self.specs = specs
        self._spec = {s.name: s for s in specs}
        self._values: dict[str, float] = {s.name: s.default for s in specs}
        self._index = {s.name: i for i, s in enumerate(specs)}
        for name, value in (overrides or {}).items():
            if name not in self._values:
                raise KeyError(f"unknown parameter {name!r}")
            self._values[name] = self._stored(self._spec[name], float(value))

    def __getitem__(self, name: str) -> float:
        return self._values[name]

    def __contains__(self, name: object) -> bool:
        return name in self._values

    def __len__(self) -> int:
        return len(self.specs)

    def names(self) -> Iterable[str]:
        return (s.name for s in self.specs)

    def index_of(self, name: str) -> int:
        return self._index[name]

    def by_index(self, index: int) -> ParamSpec | None:
        return self.specs[index] if 0 <= index < len(self.specs) else None

    def spec(self, name: str) -> ParamSpec | None:
        return self._spec.get(name)

    def set(self, name: str, value: float) -> bool:
        """Store ``value`` if it is a number in the documented range; False leaves it unchanged.

        ArduPilot ignores NaN/inf and clamps integers to their storage type; it does not enforce
        the documented range. This store refuses anything outside the range instead, which is
        stricter: a client that works here sends values a real vehicle takes as meant.
        """
        spec = self._spec.get(name)
        if spec is None or not math.isfinite(value) or not spec.lo <= value <= spec.hi:
            return False
        self._values[name] = self._stored(spec, value)
        return True

    def force(self, name: str, value: float) -> None:
        """Set without range checks (the firmware's own writes, e.g. SRn_ from stream requests)."""
        self._values[name] = self._stored(self._spec[name], value)

    @staticmethod
    def _stored(spec: ParamSpec, value: float) -> float:
        if spec.type == REAL32:
            return struct.unpack("<f", struct.pack("<f", value))[0]
        # ArduPilot adds 0.01 before truncating so 4.9999 becomes 5
        return float(int(value + (0.01 if value >= 0 else -0.01)))
