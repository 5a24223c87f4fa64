"""Build telemetry messages from vehicle state, field by field as ArduCopter fills them."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pymavlink.dialects.v20 import ardupilotmega as mavlink2

from .fence import BREACH_NONE
from .modes import MODE_INFO, Mode

if TYPE_CHECKING:
    from .endpoint import Endpoint
    from .vehicle import Vehicle
    from .vehicle_base import VehicleBase

M = mavlink2

# SYS_STATUS sensor bits present on a SITL copter
_SENSORS = (M.MAV_SYS_STATUS_SENSOR_3D_GYRO | M.MAV_SYS_STATUS_SENSOR_3D_ACCEL
            | M.MAV_SYS_STATUS_SENSOR_3D_MAG | M.MAV_SYS_STATUS_SENSOR_ABSOLUTE_PRESSURE
            | M.MAV_SYS_STATUS_SENSOR_GPS | M.MAV_SYS_STATUS_SENSOR_ANGULAR_RATE_CONTROL
            | M.MAV_SYS_STATUS_SENSOR_ATTITUDE_STABILIZATION
            | M.MAV_SYS_STATUS_SENSOR_YAW_POSITION
            | M.MAV_SYS_STATUS_SENSOR_Z_ALTITUDE_CONTROL
            | M.MAV_SYS_STATUS_SENSOR_XY_POSITION_CONTROL
            | M.MAV_SYS_STATUS_SENSOR_MOTOR_OUTPUTS | M.MAV_SYS_STATUS_AHRS
            | M.MAV_SYS_STATUS_LOGGING | M.MAV_SYS_STATUS_SENSOR_BATTERY
            | M.MAV_SYS_STATUS_PREARM_CHECK)
_GEOFENCE = M.MAV_SYS_STATUS_GEOFENCE

CAPABILITIES = (M.MAV_PROTOCOL_CAPABILITY_MISSION_FLOAT | M.MAV_PROTOCOL_CAPABILITY_PARAM_FLOAT
                | M.MAV_PROTOCOL_CAPABILITY_MISSION_INT | M.MAV_PROTOCOL_CAPABILITY_COMMAND_INT
                | M.MAV_PROTOCOL_CAPABILITY_SET_POSITION_TARGET_LOCAL_NED
                | M.MAV_PROTOCOL_CAPABILITY_SET_POSITION_TARGET_GLOBAL_INT
                | M.MAV_PROTOCOL_CAPABILITY_FLIGHT_TERMINATION
                | M.MAV_PROTOCOL_CAPABILITY_MAVLINK2 | M.MAV_PROTOCOL_CAPABILITY_MISSION_FENCE
                | M.MAV_PROTOCOL_CAPABILITY_MISSION_RALLY)
FW_VERSION = (4 << 24) | (7 << 16) | (0 << 8) | M.FIRMWARE_VERSION_TYPE_DEV


def boot_ms(v: VehicleBase) -> int:
    return int(v.t * 1000) & 0xFFFFFFFF


def base_mode(v: Vehicle) -> int:
    """GCS_MAVLINK_Copter::base_mode(): STABILIZE|MANUAL_INPUT|CUSTOM, +GUIDED, +ARMED."""
    mode = M.MAV_MODE_FLAG_STABILIZE_ENABLED | M.MAV_MODE_FLAG_MANUAL_INPUT_ENABLED
    mode |= M.MAV_MODE_FLAG_CUSTOM_MODE_ENABLED
    if v.armed:
        mode |= M.MAV_MODE_FLAG_SAFETY_ARMED
        if not v.landed and MODE_INFO[v.mode].position_control:
            mode |= M.MAV_MODE_FLAG_GUIDED_ENABLED
    return mode


def system_status(v: Vehicle) -> int:
    if v.failsafe.any:
        return M.MAV_STATE_CRITICAL
    if v.landed:
        return M.MAV_STATE_STANDBY
    return M.MAV_STATE_ACTIVE


def landed_state(v: Vehicle) -> int:
    """GCS_MAVLINK_Copter::landed_state (EXTENDED_SYS_STATE)."""
    if v.landed:
        return M.MAV_LANDED_STATE_ON_GROUND
    if v.mode == Mode.LAND or (v.runner.landing and v.mode == Mode.AUTO):
        return M.MAV_LANDED_STATE_LANDING
    return M.MAV_LANDED_STATE_IN_AIR


def _fence_enabled(v: VehicleBase) -> bool:
    return "FENCE_ENABLE" in v.params and v.params["FENCE_ENABLE"] > 0


def heartbeat(ep: Endpoint) -> Any:
    v = ep.v
    return ep.mav.heartbeat_encode(v.mav_type, M.MAV_AUTOPILOT_ARDUPILOTMEGA,
                                   ep.kind.base_mode(v), int(v.mode), ep.kind.system_status(v))


def sys_status(ep: Endpoint) -> Any:
    v = ep.v
    present = _SENSORS | (_GEOFENCE if _fence_enabled(v) else 0)
    health = present
    if not v.gps_ok:
        health &= ~M.MAV_SYS_STATUS_SENSOR_GPS
    if not v.ekf_pred and not v.ekf_abs:
        health &= ~M.MAV_SYS_STATUS_AHRS
    if not v.prearm_ok:
        health &= ~M.MAV_SYS_STATUS_PREARM_CHECK
    if v.failsafe.fence_breach != BREACH_NONE:
        health &= ~_GEOFENCE
    if v.failsafe.battery:
        health &= ~M.MAV_SYS_STATUS_SENSOR_BATTERY
    enabled = present if v.armed else present & ~M.MAV_SYS_STATUS_SENSOR_MOTOR_OUTPUTS
    bat = v.battery
    return ep.mav.sys_status_encode(present, enabled, health, 200, int(bat.voltage * 1000),
                                    int(bat.current_a * 100), bat.remaining_pct,
                                    0, 0, 0, 0, 0, 0)


def gps_raw_int(ep: Endpoint) -> Any:
    v, b = ep.v, ep.v.body
    fix = v.gps_fix_type
    lat, lon = v.reported_lat_lon if fix >= 3 else ep.last_fix
    if fix >= 3:
        ep.last_fix = (lat, lon)
    sats = v.cfg.gps_satellites if fix >= 3 else 0
    cog = int(math.degrees(math.atan2(b.ve, b.vn)) % 360 * 100) if b.ground_speed > 0.1 else 0
    return ep.mav.gps_raw_int_encode(
        int(v.t * 1e6), fix, int(lat * 1e7), int(lon * 1e7), int(v.alt_amsl * 1000),
        121 if fix >= 3 else 9999, 200 if fix >= 3 else 9999, int(b.ground_speed * 100), cog,
        sats, int(v.alt_amsl * 1000), 300, 500, 40, 0, 0)


def global_position_int(ep: Endpoint) -> Any:
    v, b = ep.v, ep.v.body
    if v.origin_set:
        lat, lon = v.reported_lat_lon
        lat_i, lon_i = int(lat * 1e7), int(lon * 1e7)
    else:
        lat_i = lon_i = 0          # no EKF origin yet: ArduPilot has no location to report
    return ep.mav.global_position_int_encode(
        boot_ms(v), lat_i, lon_i, int(v.alt_amsl * 1000), int(v.rel_alt * 1000),
        int(b.vn * 100), int(b.ve * 100), int(-b.vu * 100), int(b.yaw_deg * 100) % 36000)


def local_position_ned(ep: Endpoint) -> Any:
    v, b = ep.v, ep.v.body
    if not v.origin_set:
        return None
    return ep.mav.local_position_ned_encode(boot_ms(v), b.north, b.east, -b.up, b.vn, b.ve,
                                            -b.vu)


def attitude(ep: Endpoint) -> Any:
    v, b = ep.v, ep.v.body
    yaw = math.radians((b.yaw_deg + 180) % 360 - 180)
    return ep.mav.attitude_encode(boot_ms(v), b.roll_rad, b.pitch_rad, yaw, 0.0, 0.0, 0.0)


def vfr_hud(ep: Endpoint) -> Any:
    v, b = ep.v, ep.v.body
    air = math.hypot(b.vn - v.wind[0], b.ve - v.wind[1])
    return ep.mav.vfr_hud_encode(air, b.ground_speed, int(b.yaw_deg) % 360, v.throttle_pct,
                                 v.alt_amsl, b.vu)


def system_time(ep: Endpoint) -> Any:
    v = ep.v
    unix_us = int((ep.epoch + ep.now) * 1e6) if v.gps_ok else 0   # no GPS time, no UTC
    return ep.mav.system_time_encode(unix_us, boot_ms(v))


def battery_status(ep: Endpoint) -> Any:
    v = ep.v
    bat = v.battery
    mv = int(bat.voltage * 1000)
    cells = [min(mv, 65534)] + [65535] * 9
    state = (M.MAV_BATTERY_CHARGE_STATE_CRITICAL if v.failsafe.battery == 2 else
             M.MAV_BATTERY_CHARGE_STATE_LOW if v.failsafe.battery == 1 else
             M.MAV_BATTERY_CHARGE_STATE_OK)
    return ep.mav.battery_status_encode(
        0, M.MAV_BATTERY_FUNCTION_UNKNOWN, M.MAV_BATTERY_TYPE_LIPO, 32767, cells,
        int(bat.current_a * 100), int(bat.consumed_mah), -1, bat.remaining_pct, 0, state,
        [0, 0, 0, 0], 0, 0)


def ekf_status_report(ep: Endpoint) -> Any:
    v = ep.v
    good = v.ekf_abs
    pos_var = 0.02 if good else (0.0 if not v.origin_set else 1.2)
    return ep.mav.ekf_status_report_encode(v.ekf_flags, 0.02, pos_var, 0.01, 0.03, 0.0, 0.0)


def mission_current(ep: Endpoint) -> Any:
    v = ep.v
    runner = v.runner
    total = max(0, len(runner.items) - 1)
    return ep.mav.mission_current_encode(runner.current, total, runner.state(), int(v.in_auto))


def nav_controller_output(ep: Endpoint) -> Any:
    v, b = ep.v, ep.v.body
    if not v.initialised:
        return None
    target = v.nav.target or (b.north, b.east)
    dn, de = target[0] - b.north, target[1] - b.east
    bearing = int(math.degrees(math.atan2(de, dn))) % 360
    return ep.mav.nav_controller_output_encode(
        math.degrees(b.roll_rad), math.degrees(b.pitch_rad), int(b.yaw_deg), bearing,
        min(65535, int(math.hypot(dn, de))), 0.0, 0.0, 0.0)


def fence_status(ep: Endpoint) -> Any:
    v = ep.v
    if not _fence_enabled(v):
        return None
    fs = v.failsafe
    return ep.mav.fence_status_encode(int(fs.fence_breach != BREACH_NONE), fs.fence_breach_count,
                                      fs.fence_breach,
                                      int(fs.fence_breach_time * 1000) & 0xFFFFFFFF, 0)


def rc_channels(ep: Endpoint) -> Any:
    # SITL's RC (AP_RCProtocol_UDP): RC5 and RC8 at 1800, the MIDDLE of a 3-position switch
    pwm = [1500, 1500, ep.v.throttle_pwm, 1500, 1800, 1000, 1000, 1800] + [0] * 10
    return ep.mav.rc_channels_encode(boot_ms(ep.v), 8, *pwm, 255)


def home_position(ep: Endpoint) -> Any:
    v = ep.v
    if v.home is None:
        return None
    lat, lon, alt = v.home
    n, e = v.home_local()
    up = alt - v.cfg.home.alt_m
    # a Location holds 1e-7 degrees and centimetres: HOME_POSITION is those, in mm
    return ep.mav.home_position_encode(round(lat * 1e7), round(lon * 1e7), round(alt * 100) * 10,
                                       n, e, -up, [1.0, 0.0, 0.0, 0.0], 0.0, 0.0, 0.0,
                                       int(v.t * 1e6))


def gps_global_origin(ep: Endpoint) -> Any:
    v = ep.v
    if not v.origin_set:
        return None
    h = v.cfg.home
    return ep.mav.gps_global_origin_encode(int(h.lat * 1e7), int(h.lon * 1e7), int(h.alt_m * 1000),
                                           int(v.t * 1e6))


def extended_sys_state(ep: Endpoint) -> Any:
    return ep.mav.extended_sys_state_encode(M.MAV_VTOL_STATE_UNDEFINED,
                                            ep.kind.landed_state(ep.v))


def autopilot_version(ep: Endpoint) -> Any:
    v = ep.v
    return ep.mav.autopilot_version_encode(
        CAPABILITIES, FW_VERSION, 0, 0, 0, list(b"sim00000"), [0] * 8, [0] * 8, 0x1209, 0x5741,
        v.sysid, [0] * 18)


BUILDERS: dict[int, Callable[[Endpoint], Any]] = {
    M.MAVLINK_MSG_ID_HEARTBEAT: heartbeat,
    M.MAVLINK_MSG_ID_SYS_STATUS: sys_status,
    M.MAVLINK_MSG_ID_SYSTEM_TIME: system_time,
    M.MAVLINK_MSG_ID_GPS_RAW_INT: gps_raw_int,
    M.MAVLINK_MSG_ID_ATTITUDE: attitude,
    M.MAVLINK_MSG_ID_LOCAL_POSITION_NED: local_position_ned,
    M.MAVLINK_MSG_ID_GLOBAL_POSITION_INT: global_position_int,
    M.MAVLINK_MSG_ID_MISSION_CURRENT: mission_current,
    M.MAVLINK_MSG_ID_GPS_GLOBAL_ORIGIN: gps_global_origin,
    M.MAVLINK_MSG_ID_NAV_CONTROLLER_OUTPUT: nav_controller_output,
    M.MAVLINK_MSG_ID_RC_CHANNELS: rc_channels,
    M.MAVLINK_MSG_ID_VFR_HUD: vfr_hud,
    M.MAVLINK_MSG_ID_BATTERY_STATUS: battery_status,
    M.MAVLINK_MSG_ID_AUTOPILOT_VERSION: autopilot_version,
    M.MAVLINK_MSG_ID_FENCE_STATUS: fence_status,
    M.MAVLINK_MSG_ID_EKF_STATUS_REPORT: ekf_status_report,
    M.MAVLINK_MSG_ID_HOME_POSITION: home_position,
    M.MAVLINK_MSG_ID_EXTENDED_SYS_STATE: extended_sys_state,
}
