"""COMMAND_LONG / COMMAND_INT handling with ArduCopter's MAV_RESULT for each case.

``COMMON_HANDLERS`` are GCS_Common's (every vehicle), ``HANDLERS`` ArduCopter's table; ArduRover's
is in ``rover_mavlink``.

Duplicates (``confirmation`` > 0) are executed again, as ArduPilot does: an ARM resent after a
lost ACK is ACCEPTED again, a NAV_TAKEOFF resent once airborne is FAILED. Commands ArduCopter
does not implement (MAV_CMD_DO_ORBIT among them) are UNSUPPORTED.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pymavlink.dialects.v20 import ardupilotmega as mavlink2

from .geo import valid_lat_e7, valid_lon_e7
from .modes import Mode
from .state import FORCE_ARM_MAGIC

if TYPE_CHECKING:
    from .endpoint import Endpoint

M = mavlink2
ACCEPTED, TEMPORARILY_REJECTED, DENIED = M.MAV_RESULT_ACCEPTED, M.MAV_RESULT_TEMPORARILY_REJECTED, \
    M.MAV_RESULT_DENIED
UNSUPPORTED, FAILED = M.MAV_RESULT_UNSUPPORTED, M.MAV_RESULT_FAILED
FORCE_DISARM_MAGIC = 21196
#: command_long_stores_location: COMMAND_LONG's param5/6 are degrees (x 1e7 as COMMAND_INT)
_LOCATION_COMMANDS = {M.MAV_CMD_DO_REPOSITION, M.MAV_CMD_DO_SET_HOME, M.MAV_CMD_DO_SET_ROI,
                      M.MAV_CMD_DO_SET_ROI_LOCATION}
#: mav_frame_for_command_long: the frame a COMMAND_LONG location is read in; a location
#: command without one (DO_REPOSITION) is UNSUPPORTED as COMMAND_LONG
_LONG_FRAMES = {M.MAV_CMD_DO_SET_HOME: M.MAV_FRAME_GLOBAL,
                M.MAV_CMD_DO_SET_ROI: M.MAV_FRAME_GLOBAL_RELATIVE_ALT,
                M.MAV_CMD_DO_SET_ROI_LOCATION: M.MAV_FRAME_GLOBAL_RELATIVE_ALT}
#: LOCATION_ALT_MAX_M: the largest altitude a Location holds
LOCATION_ALT_MAX_M = 83000
_REL_FRAMES = {M.MAV_FRAME_GLOBAL_RELATIVE_ALT, M.MAV_FRAME_GLOBAL_RELATIVE_ALT_INT}
_ABS_FRAMES = {M.MAV_FRAME_GLOBAL, M.MAV_FRAME_GLOBAL_INT}
_TERRAIN_FRAMES = {M.MAV_FRAME_GLOBAL_TERRAIN_ALT, M.MAV_FRAME_GLOBAL_TERRAIN_ALT_INT}


@dataclass(frozen=True)
class Command:
    """A COMMAND_LONG converted to COMMAND_INT's shape, as ArduPilot converts it."""

    command: int
    p1: float
    p2: float
    p3: float
    p4: float
    x: int          # lat 1e7 for location commands, else param5 truncated
    y: int
    z: float
    frame: int
    confirmation: int
    src: tuple[int, int]
    long: bool = False   # came as COMMAND_LONG

    @classmethod
    def from_message(cls, msg: Any) -> Command:
        src = (msg.get_srcSystem(), msg.get_srcComponent())
        if msg.get_type() == "COMMAND_INT":
            return cls(msg.command, msg.param1, msg.param2, msg.param3, msg.param4, msg.x, msg.y,
                       msg.z, msg.frame, 0, src)
        scale = 1e7 if msg.command in _LOCATION_COMMANDS else 1.0
        x, y = (0 if math.isnan(p) else int(_f32(p * scale)) for p in (msg.param5, msg.param6))
        frame = _LONG_FRAMES.get(msg.command, M.MAV_FRAME_GLOBAL_RELATIVE_ALT)
        return cls(msg.command, msg.param1, msg.param2, msg.param3, msg.param4, x, y,
                   msg.param7, frame, msg.confirmation, src, long=True)

    @property
    def long_without_frame(self) -> bool:
        """try_command_long_as_command_int: a COMMAND_LONG carrying a location ArduPilot
        has no frame for (DO_REPOSITION) is UNSUPPORTED."""
        return self.long and self.command in _LOCATION_COMMANDS and self.command not in _LONG_FRAMES


Handler = Callable[["Endpoint", Command], int]


def _f32(value: float) -> float:
    """``value`` as a C float: ArduPilot builds with -fsingle-precision-constant, so
    convert_COMMAND_LONG_loc_param's ``param * 1e7`` is a float product (to 32 at 35 S,
    128 at 149 E), then truncated to int32."""
    return float(struct.unpack("<f", struct.pack("<f", value))[0])


def _arm_disarm(ep: Endpoint, c: Command) -> int:
    v = ep.v
    if c.p1 == 1:
        return ACCEPTED if v.arm(force=round(c.p2) == FORCE_ARM_MAGIC) else FAILED
    if c.p1 == 0:
        return ACCEPTED if v.disarm(force=round(c.p2) == FORCE_DISARM_MAGIC) else FAILED
    return UNSUPPORTED


def _set_mode(ep: Endpoint, c: Command) -> int:
    return set_mode_common(ep, int(c.p1), int(c.p2))


def set_mode_common(ep: Endpoint, base_mode: int, custom_mode: int) -> int:
    """GCS_MAVLINK::_set_mode_common: only custom modes; unknown or refused modes FAIL."""
    if base_mode & M.MAV_MODE_FLAG_CUSTOM_MODE_ENABLED:
        return ACCEPTED if ep.v.set_mode(custom_mode) else FAILED
    return DENIED


def _takeoff(ep: Endpoint, c: Command) -> int:
    if c.frame not in _REL_FRAMES:
        return DENIED
    return ACCEPTED if ep.v.takeoff(c.z, must_navigate=c.p3 == 0) else FAILED


def _reposition(ep: Endpoint, c: Command) -> int:
    """handle_command_int_do_reposition: a location Location::sanitize would change (lat/lon 0,
    relative altitude 0) is DENIED; the destination is checked before the mode changes."""
    v = ep.v
    change_mode = int(c.p2) & M.MAV_DO_REPOSITION_FLAGS_CHANGE_MODE
    if v.mode != Mode.GUIDED and not change_mode:
        return DENIED
    if not (valid_lat_e7(c.x) and valid_lon_e7(c.y)) or not math.isfinite(c.z):
        return DENIED
    if (c.x == 0 and c.y == 0) or (c.z == 0 and c.frame in _REL_FRAMES):
        return DENIED
    n, e = v.local_from_global(c.x * 1e-7, c.y * 1e-7)
    if c.frame in _ABS_FRAMES:
        up = v.up_from_alt(c.z, "abs")
    elif c.frame in _REL_FRAMES:
        up = v.up_from_alt(c.z, "rel")
    elif c.frame in _TERRAIN_FRAMES:
        up = v.up_from_alt(c.z, "terrain")
    else:
        return DENIED
    if not v.origin_set or not v.flight.guided.within_fence(n, e, up):
        return FAILED
    if v.mode != Mode.GUIDED and not v.set_mode(Mode.GUIDED):
        return FAILED
    return ACCEPTED if v.guided_goto(n, e, up) else FAILED


def _change_speed(ep: Endpoint, c: Command) -> int:
    if not c.p2 > 0:
        return DENIED
    if int(c.p1) not in (0, 1, 2, 3):
        return DENIED
    return ACCEPTED if ep.v.set_speed(int(c.p1), c.p2) else FAILED


def _mode_command(mode: Mode) -> Handler:
    def handler(ep: Endpoint, c: Command) -> int:
        return ACCEPTED if ep.v.set_mode(mode) else FAILED
    return handler


def _mission_start(ep: Endpoint, c: Command) -> int:
    v = ep.v
    if c.p1 != 0 or c.p2 != 0:
        return DENIED
    if not v.set_mode(Mode.AUTO):
        return FAILED
    v.arming.auto_armed = True
    if not v.runner.running:
        v.runner.start_or_resume()
    return ACCEPTED


def _pause_continue(ep: Endpoint, c: Command) -> int:
    if int(c.p1) == 0:
        if ep.v.pause():
            return ACCEPTED
        ep.v.text(6, "Failed to pause")
        return FAILED
    if int(c.p1) == 1:
        if ep.v.resume():
            return ACCEPTED
        ep.v.text(6, "Failed to resume")
        return FAILED
    return DENIED


def _condition_yaw(ep: Endpoint, c: Command) -> int:
    if 0 <= c.p1 <= 360 and c.p4 in (0, 1):
        v = ep.v
        v.flight.yaw.target = (v.body.yaw_deg + c.p1 * (c.p3 or 1)) % 360 if c.p4 else c.p1
        return ACCEPTED
    return FAILED


def _set_message_interval(ep: Endpoint, c: Command) -> int:
    if not ep.streams.set_interval(int(c.p1), c.p2):
        ep.v.text(6, f"No ap_message for mavlink id ({int(c.p1)})")
        return DENIED
    return ACCEPTED


def _get_message_interval(ep: Endpoint, c: Command) -> int:
    iv = ep.streams.interval(int(c.p1))
    ep.send(ep.mav.message_interval_encode(int(c.p1), -1 if iv is None else int(iv * 1e6)))
    return ACCEPTED


def _request_message(ep: Endpoint, c: Command) -> int:
    return ACCEPTED if ep.queue_message(int(c.p1)) else FAILED


def _request_capabilities(ep: Endpoint, c: Command) -> int:
    ep.queue_message(M.MAVLINK_MSG_ID_AUTOPILOT_VERSION)
    return ACCEPTED


def _set_home(ep: Endpoint, c: Command) -> int:
    """handle_command_do_set_home: param1 1, or lat and lon both 0, is "here"; another
    param1 than 0 FAILS; a location that cannot be read (NaN or huge altitude, unknown
    frame) is DENIED; the vehicle's set_home FAILS without an EKF origin (Copter) or for
    a bad latitude/longitude (AP_AHRS::set_home). COMMAND_LONG's frame is GLOBAL (AMSL).
    A home set this way is locked: arming no longer moves it."""
    v = ep.v
    if c.p1 == 1 or (c.x == 0 and c.y == 0):
        return ACCEPTED if v.gcs_set_home(None, None, None) else FAILED
    if c.p1 != 0:
        return FAILED
    if math.isnan(c.z) or abs(c.z) > LOCATION_ALT_MAX_M:
        return DENIED
    if c.frame in _ABS_FRAMES:
        alt = c.z
    elif c.frame in _REL_FRAMES:
        if v.home is None:
            return FAILED    # change_alt_frame(ABSOLUTE) from above-home needs a home
        alt = v.home_alt + c.z
    elif c.frame in _TERRAIN_FRAMES:
        return FAILED        # change_alt_frame(ABSOLUTE) needs terrain data: none simulated
    else:
        return DENIED
    if not (valid_lat_e7(c.x) and valid_lon_e7(c.y)):
        return FAILED
    return ACCEPTED if v.gcs_set_home(c.x * 1e-7, c.y * 1e-7, alt) else FAILED


def _fence_enable(ep: Endpoint, c: Command) -> int:
    if "FENCE_ENABLE" not in ep.v.params:
        return UNSUPPORTED                  # no geofence simulated for this vehicle
    if int(c.p1) not in (0, 1, 2):
        return FAILED
    ep.v.params.force("FENCE_ENABLE", 1 if int(c.p1) == 1 else 0)
    return ACCEPTED


def _set_mission_current(ep: Endpoint, c: Command) -> int:
    return ACCEPTED if ep.v.runner.set_current(int(c.p1)) else DENIED


def _calibration(ep: Endpoint, c: Command) -> int:
    if ep.v.armed:
        return TEMPORARILY_REJECTED       # "*preflight*, remember?"
    if c.p3 == 1:
        ep.v.text(6, "Updating barometer calibration")
        ep.v.text(6, "Barometer calibration complete")
        return ACCEPTED
    if c.p1 == 1:                     # gyro calibration
        return ACCEPTED
    return UNSUPPORTED


def _reboot(ep: Endpoint, c: Command) -> int:
    if ep.v.armed:
        return FAILED
    if int(c.p1) in (1, 3):
        ep.reboot_pending = True
        return ACCEPTED
    return UNSUPPORTED


def _terminate(ep: Endpoint, c: Command) -> int:
    if c.p1 > 0.5:
        ep.v.disarm(force=True, from_gcs=False)
        return ACCEPTED
    return FAILED


def _aux_function(ep: Endpoint, c: Command) -> int:
    """handle_command_do_aux_function: a switch position above HIGH (2) is DENIED."""
    if c.p2 > 2:
        return DENIED
    return ACCEPTED if ep.v.aux_function(int(c.p1), int(c.p2)) else FAILED


# GCS_MAVLINK::handle_command_int_packet: what every ArduPilot vehicle answers the same way
COMMON_HANDLERS: dict[int, Handler] = {
    M.MAV_CMD_COMPONENT_ARM_DISARM: _arm_disarm,
    M.MAV_CMD_DO_SET_MODE: _set_mode,
    M.MAV_CMD_SET_MESSAGE_INTERVAL: _set_message_interval,
    M.MAV_CMD_GET_MESSAGE_INTERVAL: _get_message_interval,
    M.MAV_CMD_REQUEST_MESSAGE: _request_message,
    M.MAV_CMD_REQUEST_AUTOPILOT_CAPABILITIES: _request_capabilities,
    M.MAV_CMD_DO_SET_HOME: _set_home,
    M.MAV_CMD_DO_FENCE_ENABLE: _fence_enable,
    M.MAV_CMD_DO_SET_MISSION_CURRENT: _set_mission_current,
    M.MAV_CMD_PREFLIGHT_CALIBRATION: _calibration,
    M.MAV_CMD_PREFLIGHT_REBOOT_SHUTDOWN: _reboot,
    M.MAV_CMD_DO_FLIGHTTERMINATION: _terminate,
    M.MAV_CMD_DO_AUX_FUNCTION: _aux_function,
}

# GCS_MAVLINK_Copter::handle_command_int_packet on top
HANDLERS: dict[int, Handler] = {
    **COMMON_HANDLERS,
    M.MAV_CMD_NAV_TAKEOFF: _takeoff,
    M.MAV_CMD_DO_REPOSITION: _reposition,
    M.MAV_CMD_DO_CHANGE_SPEED: _change_speed,
    M.MAV_CMD_NAV_RETURN_TO_LAUNCH: _mode_command(Mode.RTL),
    M.MAV_CMD_NAV_LAND: _mode_command(Mode.LAND),
    M.MAV_CMD_NAV_LOITER_UNLIM: _mode_command(Mode.LOITER),
    M.MAV_CMD_MISSION_START: _mission_start,
    M.MAV_CMD_DO_PAUSE_CONTINUE: _pause_continue,
    M.MAV_CMD_CONDITION_YAW: _condition_yaw,
}


def execute(ep: Endpoint, c: Command) -> int:
    handler = ep.kind.commands.get(c.command)
    return UNSUPPORTED if handler is None or c.long_without_frame else handler(ep, c)
