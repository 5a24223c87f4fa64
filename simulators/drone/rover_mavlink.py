"""ArduRover's side of MAVLink: its commands, its SET_POSITION_TARGET_* handling, its heartbeat.

After GCS_MAVLink_Rover.cpp. Commands it doesn't handle (NAV_TAKEOFF, NAV_LAND,
NAV_LOITER_UNLIM, DO_PAUSE_CONTINUE, CONDITION_YAW, DO_ORBIT, ...) are UNSUPPORTED.
DO_REPOSITION refuses lat/lon 0 (DENIED) and, asked for a speed (param1 > 0), fails when the
mode can't take one: a boat entering GUIDED loiters, so a speed with the change-mode flag
switches to GUIDED but answers FAILED without a destination (ModeGuided::set_desired_speed).
SET_POSITION_TARGET_*: a position goes to set_desired_location (velocity and yaw then unused);
without one, velocity becomes a heading and speed (capped at WP_SPEED), yaw a heading, yaw rate
a turn rate; an unignored acceleration is refused with a STATUSTEXT.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from pymavlink.dialects.v20 import ardupilotmega as mavlink2

from .commands import ACCEPTED, COMMON_HANDLERS, DENIED, FAILED, Command, Handler
from .geo import valid_lat_e7, valid_lon_e7
from .guided_targets import ACC_IGNORE, POS_IGNORE, VEL_IGNORE, YAW_IGNORE, YAW_RATE_IGNORE
from .rover_modes import MODE_INFO, RoverMode

if TYPE_CHECKING:
    from .endpoint import Endpoint
    from .rover import Rover

M = mavlink2
_GLOBAL = {M.MAV_FRAME_GLOBAL, M.MAV_FRAME_GLOBAL_INT, M.MAV_FRAME_GLOBAL_RELATIVE_ALT,
           M.MAV_FRAME_GLOBAL_RELATIVE_ALT_INT, M.MAV_FRAME_GLOBAL_TERRAIN_ALT,
           M.MAV_FRAME_GLOBAL_TERRAIN_ALT_INT}
_BODY = {M.MAV_FRAME_BODY_NED, M.MAV_FRAME_BODY_OFFSET_NED}
_LOCAL = {M.MAV_FRAME_LOCAL_NED, M.MAV_FRAME_LOCAL_OFFSET_NED} | _BODY


# ---------------------------------------------------------------------- heartbeat


def base_mode(v: Rover) -> int:
    """GCS_MAVLINK_Rover::base_mode: CUSTOM, +MANUAL_INPUT, +GUIDED (autopilot), +ARMED."""
    info = MODE_INFO[v.mode]
    mode = M.MAV_MODE_FLAG_CUSTOM_MODE_ENABLED
    if info.manual_input:
        mode |= M.MAV_MODE_FLAG_MANUAL_INPUT_ENABLED
    if info.autopilot:
        mode |= M.MAV_MODE_FLAG_GUIDED_ENABLED
    if v.armed and v.mode != RoverMode.INITIALISING:
        mode |= M.MAV_MODE_FLAG_SAFETY_ARMED
    return mode


def system_status(v: Rover) -> int:
    """vehicle_system_status: CRITICAL in failsafe, CALIBRATING initialising, STANDBY in HOLD."""
    if v.failsafe.triggered or v.failsafe.ekf:
        return M.MAV_STATE_CRITICAL
    if v.mode == RoverMode.INITIALISING:
        return M.MAV_STATE_CALIBRATING
    return M.MAV_STATE_STANDBY if v.mode == RoverMode.HOLD else M.MAV_STATE_ACTIVE


def landed_state(v: Rover) -> int:
    return M.MAV_LANDED_STATE_UNDEFINED       # Rover doesn't override GCS_MAVLINK's


# ---------------------------------------------------------------------- commands


def _change_speed(ep: Endpoint, c: Command) -> int:
    if int(c.p1) in (2, 3, 4):                # climb, descent, ENUM_END
        return DENIED
    return ACCEPTED if ep.v.set_speed(c.p2) else FAILED


def _reposition(ep: Endpoint, c: Command) -> int:
    v: Rover = ep.v  # type: ignore[assignment]
    change_mode = int(c.p2) & M.MAV_DO_REPOSITION_FLAGS_CHANGE_MODE
    if not v.in_guided_mode and not change_mode:
        return DENIED
    if not (valid_lat_e7(c.x) and valid_lon_e7(c.y)) or (c.x == 0 and c.y == 0):
        return DENIED
    if c.frame not in _GLOBAL or not math.isfinite(c.z):
        return DENIED
    if not v.in_guided_mode and not v.set_mode(RoverMode.GUIDED):
        return FAILED
    if c.p1 > 0 and not v.set_speed(c.p1):
        return FAILED
    n, e = v.local_from_global(c.x * 1e-7, c.y * 1e-7)
    return ACCEPTED if v.guided_goto(n, e) else FAILED


def _rtl(ep: Endpoint, c: Command) -> int:
    return ACCEPTED if ep.v.set_mode(RoverMode.RTL) else FAILED


def _mission_start(ep: Endpoint, c: Command) -> int:
    if c.p1 != 0 or c.p2 != 0:
        return DENIED
    return ACCEPTED if ep.v.set_mode(RoverMode.AUTO) else FAILED


def _set_reverse(ep: Endpoint, c: Command) -> int:
    return ACCEPTED                           # accepted; driving in reverse isn't simulated


HANDLERS: dict[int, Handler] = {
    **COMMON_HANDLERS,
    M.MAV_CMD_DO_CHANGE_SPEED: _change_speed,
    M.MAV_CMD_DO_REPOSITION: _reposition,
    M.MAV_CMD_DO_SET_REVERSE: _set_reverse,
    M.MAV_CMD_NAV_RETURN_TO_LAUNCH: _rtl,
    M.MAV_CMD_MISSION_START: _mission_start,
}


# ---------------------------------------------------------------------- position targets


def on_global_int(v: Rover, msg: Any) -> None:
    if not v.in_guided_mode or msg.coordinate_frame not in _GLOBAL:
        return
    pos = None
    if not msg.type_mask & POS_IGNORE:
        if not (valid_lat_e7(msg.lat_int) and valid_lon_e7(msg.lon_int)):
            return
        pos = v.local_from_global(msg.lat_int * 1e-7, msg.lon_int * 1e-7)
    _apply(v, msg, "SET_POSITION_TARGET_GLOBAL_INT", pos, 0.0)


def on_local_ned(v: Rover, msg: Any) -> None:
    if not v.in_guided_mode or not v.origin_set or msg.coordinate_frame not in _LOCAL:
        return
    frame, b = msg.coordinate_frame, v.body
    yaw_offset = b.yaw_deg if frame in _BODY else 0.0
    pos = None
    if not msg.type_mask & POS_IGNORE:
        c, s = math.cos(math.radians(yaw_offset)), math.sin(math.radians(yaw_offset))
        n, e = msg.x * c - msg.y * s, msg.x * s + msg.y * c
        pos = (n, e) if frame == M.MAV_FRAME_LOCAL_NED else (b.north + n, b.east + e)
    _apply(v, msg, "SET_POSITION_TARGET_LOCAL_NED", pos, yaw_offset)


def _apply(v: Rover, msg: Any, name: str, pos: tuple[float, float] | None,
           yaw_offset: float) -> None:
    """The shared tail of handle_set_position_target_*: which guided target it becomes."""
    mask = msg.type_mask
    vel, yaw, rate = not mask & VEL_IGNORE, not mask & YAW_IGNORE, not mask & YAW_RATE_IGNORE
    used = (*((msg.vx, msg.vy) if vel else ()), *((msg.yaw,) if yaw else ()),
            *((msg.yaw_rate,) if rate else ()))
    if not all(math.isfinite(x) for x in used):
        return
    speed, heading, turn_rate = 0.0, 0.0, 0.0
    if vel:
        limit = v.params["WP_SPEED"]          # get_speed_default()
        speed = min(math.hypot(msg.vx, msg.vy), limit)
        heading = math.degrees(math.atan2(msg.vy, msg.vx)) + yaw_offset
    if yaw:
        heading = math.degrees(msg.yaw) + yaw_offset
    if rate:
        turn_rate = math.degrees(msg.yaw_rate)
    if vel and (yaw or rate) and msg.vx < 0:
        speed = -speed                        # x velocity backwards: drive in reverse
    if not mask & ACC_IGNORE:
        v.text(6, f"Ignoring {name}; set ACC_IGNORE in mask")
        return
    if pos is not None:
        v.guided_goto(*pos)
    elif (vel and not rate) or (yaw and not rate and not vel):
        v.guided_heading(heading % 360, speed)
    elif rate and not yaw:
        v.guided_turn_rate(turn_rate, speed)
