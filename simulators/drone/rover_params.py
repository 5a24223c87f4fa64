"""ArduRover's parameter subset: Rover/Parameters.cpp, AR_WPNav and AR_AttitudeControl defaults.

The GCS-side parameters (MAV_*, SR0_*, BATT_*, RALLY_*, RC_OVERRIDE_TIME, ARMING_CHECK) are the
ones ArduCopter has too and are shared with its table; the rest are Rover's own names and
meanings (FS_ACTION, FS_TIMEOUT, WP_SPEED in m/s, ...).
"""

from __future__ import annotations

from .params import INT8, INT32, REAL32, SPECS, ParamSpec, param

_SHARED = ("ARMING_CHECK", "BATT_CAPACITY", "BATT_CRT_MAH", "BATT_CRT_VOLT", "BATT_FS_CRT_ACT",
           "BATT_FS_LOW_ACT", "BATT_LOW_MAH", "BATT_LOW_TIMER", "BATT_LOW_VOLT", "BATT_MONITOR",
           "MAV_GCS_SYSID", "MAV_SYSID", "RALLY_INCL_HOME", "RALLY_TOTAL", "RC_OVERRIDE_TIME")

_ROVER: tuple[ParamSpec, ...] = (
    param("ATC_ACCEL_MAX", 1.0, REAL32, 0, 10),        # m/s/s, speed controller
    param("ATC_DECEL_MAX", 0, REAL32, 0, 10),          # 0: ATC_ACCEL_MAX
    param("ATC_STR_RAT_MAX", 120, REAL32, 0, 1000),    # deg/s, 0: no limit
    param("ATC_TURN_MAX_G", 0.6, REAL32, 0.1, 10),     # lateral acceleration limit, g
    param("CRUISE_SPEED", 2, REAL32, 0, 100),          # m/s at CRUISE_THROTTLE
    param("CRUISE_THROTTLE", 50, INT8, 0, 100),
    param("FRAME_CLASS", 1, INT8, 0, 3),               # 1 rover, 2 boat
    param("FS_ACTION", 2, INT8, 0, 6),                 # 2 Hold
    param("FS_EKF_ACTION", 1, INT8, 0, 2),
    param("FS_GCS_ENABLE", 0, INT8, 0, 2),
    param("FS_GCS_TIMEOUT", 5, REAL32, 2, 120),
    param("FS_OPTIONS", 0, INT32, 0, 1),               # bit 0: failsafe active in HOLD
    param("FS_THR_ENABLE", 1, INT8, 0, 2),             # the radio failsafe (SITL's RC is fine)
    param("FS_TIMEOUT", 1.5, REAL32, 1, 100),
    param("INITIAL_MODE", 0, INT8, 0, 16),
    param("LOIT_RADIUS", 2, REAL32, 0, 20),
    param("LOIT_SPEED_GAIN", 0.5, REAL32, 0, 5),
    param("MIS_DONE_BEHAVE", 0, INT8, 0, 3),           # 0 hold in AUTO, 1 loiter in AUTO
    param("RTL_SPEED", 0, REAL32, 0, 100),             # 0: WP_SPEED
    param("WP_RADIUS", 2, REAL32, 0, 100),
    param("WP_SPEED", 2, REAL32, 0, 100),
)

ROVER_SPECS: tuple[ParamSpec, ...] = tuple(sorted(
    (*(s for s in SPECS if s.name in _SHARED or s.name.startswith("SR0_")), *_ROVER),
    key=lambda s: s.name))
