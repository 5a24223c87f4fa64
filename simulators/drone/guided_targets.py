"""SET_POSITION_TARGET_GLOBAL_INT / LOCAL_NED decoded as GCS_MAVLINK_Copter decodes them.

Outside GUIDED the messages are ignored (no reply either way). A type_mask group counts as
ignored when any of its bits is set (``type_mask & POS_IGNORE``, as ArduPilot tests it). The
accepted combinations are position, position + velocity (acceleration ignored even if given),
velocity, acceleration; anything else, a bad latitude/longitude, an unknown frame, a NaN or
> 1000 m/s velocity, FORCE_SET with acceleration or a terrain-relative position + velocity
makes the vehicle stop (ModeGuided::init(true)).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from pymavlink.dialects.v20 import ardupilotmega as mavlink2

from .auto_yaw import Yaw
from .geo import valid_lat_e7, valid_lon_e7

if TYPE_CHECKING:
    from .vehicle import Vehicle

M = mavlink2
POS_IGNORE = 0b111
VEL_IGNORE = 0b111 << 3
ACC_IGNORE = 0b111 << 6
FORCE_SET = M.POSITION_TARGET_TYPEMASK_FORCE_SET
YAW_IGNORE = M.POSITION_TARGET_TYPEMASK_YAW_IGNORE
YAW_RATE_IGNORE = M.POSITION_TARGET_TYPEMASK_YAW_RATE_IGNORE
GLOBAL_FRAMES = {M.MAV_FRAME_GLOBAL: "abs", M.MAV_FRAME_GLOBAL_INT: "abs",
                 M.MAV_FRAME_GLOBAL_RELATIVE_ALT: "rel",
                 M.MAV_FRAME_GLOBAL_RELATIVE_ALT_INT: "rel",
                 M.MAV_FRAME_GLOBAL_TERRAIN_ALT: "terrain",
                 M.MAV_FRAME_GLOBAL_TERRAIN_ALT_INT: "terrain"}
_BODY = {M.MAV_FRAME_BODY_NED, M.MAV_FRAME_BODY_OFFSET_NED}
_OFFSET = {M.MAV_FRAME_LOCAL_OFFSET_NED, M.MAV_FRAME_BODY_NED, M.MAV_FRAME_BODY_OFFSET_NED}
_LOCAL = {M.MAV_FRAME_LOCAL_NED} | _OFFSET
Vec3 = tuple[float, float, float]


def sane(vec: Vec3) -> bool:
    """sane_vel_or_acc_vector: no NaN, no component beyond 1000."""
    return all(not math.isnan(x) and abs(x) <= 1000 for x in vec)


def _yaw(msg: Any, relative: bool = False) -> Yaw:
    mask = msg.type_mask
    angle = None if mask & YAW_IGNORE or not math.isfinite(msg.yaw) else math.degrees(msg.yaw)
    rate = (None if mask & YAW_RATE_IGNORE or not math.isfinite(msg.yaw_rate)
            else math.degrees(msg.yaw_rate))
    return Yaw(angle, rate, relative and angle is not None)


def _dispatch(v: Vehicle, pos: Vec3 | None, vel: Vec3 | None, accel: Vec3 | None,
              yaw: Yaw) -> None:
    """The branches of handle_message_set_position_target_*: which guided target it is."""
    guided = v.flight.guided
    if pos is not None and vel is not None:
        guided.set_posvel(pos, vel, yaw)
    elif vel is not None:
        guided.set_velocity(vel, yaw)
    elif pos is None and accel is not None:
        guided.set_accel(accel, yaw)
    elif pos is not None and accel is None:
        guided.set_destination(*pos, yaw)      # ignored without an EKF origin
    else:
        guided.stop()


def _accel(msg: Any) -> Vec3 | None:
    return None if msg.type_mask & ACC_IGNORE else (msg.afx, msg.afy, -msg.afz)


def _velocity(msg: Any) -> Vec3 | None:
    """The velocity (north, east, up), None if ignored; raises ValueError if not sane."""
    if msg.type_mask & VEL_IGNORE:
        return None
    vel = (msg.vx, msg.vy, -msg.vz)
    if not sane(vel):
        raise ValueError("velocity")
    return vel


def on_global_int(v: Vehicle, msg: Any) -> None:
    if not v.in_guided_mode:
        return
    mask = msg.type_mask
    if mask & FORCE_SET and not mask & ACC_IGNORE:
        v.flight.guided.stop()
        return
    pos = None
    try:
        if not mask & POS_IGNORE:
            frame = GLOBAL_FRAMES.get(msg.coordinate_frame)
            if (frame is None or not (valid_lat_e7(msg.lat_int) and valid_lon_e7(msg.lon_int))
                    or not math.isfinite(msg.alt)):
                raise ValueError("position")
            if not mask & VEL_IGNORE and (frame == "terrain" or not v.origin_set):
                raise ValueError("position + velocity needs an origin and no terrain frame")
            n, e = v.local_from_global(msg.lat_int * 1e-7, msg.lon_int * 1e-7)
            pos = (n, e, v.up_from_alt(msg.alt, frame))
        vel = _velocity(msg)
    except ValueError:
        v.flight.guided.stop()
        return
    _dispatch(v, pos, vel, _accel(msg), _yaw(msg))


def on_local_ned(v: Vehicle, msg: Any) -> None:
    if not v.in_guided_mode:
        return
    mask = msg.type_mask
    frame = msg.coordinate_frame
    if frame not in _LOCAL or (mask & FORCE_SET and not mask & ACC_IGNORE):
        v.flight.guided.stop()
        return
    c, s = math.cos(math.radians(v.body.yaw_deg)), math.sin(math.radians(v.body.yaw_deg))

    def to_ne(x: float, y: float) -> tuple[float, float]:
        return (x * c - y * s, x * s + y * c) if frame in _BODY else (x, y)

    pos = None
    if not mask & POS_IGNORE:
        if frame in _OFFSET and not v.origin_set:
            v.flight.guided.stop()               # needs a position estimate to offset from
            return
        n, e = to_ne(msg.x, msg.y)
        up = -msg.z
        if frame in _OFFSET:
            n, e, up = n + v.body.north, e + v.body.east, up + v.body.up
        pos = (n, e, up)
    try:
        vel = _velocity(msg)
    except ValueError:
        v.flight.guided.stop()
        return
    if vel is not None:
        vel = (*to_ne(vel[0], vel[1]), vel[2])
    accel = _accel(msg)
    if accel is not None:
        accel = (*to_ne(accel[0], accel[1]), accel[2])
    _dispatch(v, pos, vel, accel, _yaw(msg, relative=frame in _BODY))
