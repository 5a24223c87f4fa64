"""Which MAV_CMDs the project puts in missions, fences and rally lists, and how to name them.

The sets are deliberately small: every command here has a builder, a validation rule and
a known ArduPilot storage format. Numbers come from pymavlink's generated dialect.
"""

from __future__ import annotations

from pymavlink.dialects.v20 import ardupilotmega as mavlink2

from fleet.missions.items import MissionType

NAV_WAYPOINT = mavlink2.MAV_CMD_NAV_WAYPOINT
NAV_TAKEOFF = mavlink2.MAV_CMD_NAV_TAKEOFF
NAV_LOITER_TIME = mavlink2.MAV_CMD_NAV_LOITER_TIME
NAV_LOITER_UNLIM = mavlink2.MAV_CMD_NAV_LOITER_UNLIM
NAV_LOITER_TURNS = mavlink2.MAV_CMD_NAV_LOITER_TURNS
NAV_RETURN_TO_LAUNCH = mavlink2.MAV_CMD_NAV_RETURN_TO_LAUNCH
NAV_LAND = mavlink2.MAV_CMD_NAV_LAND
NAV_DELAY = mavlink2.MAV_CMD_NAV_DELAY
DO_CHANGE_SPEED = mavlink2.MAV_CMD_DO_CHANGE_SPEED
DO_JUMP = mavlink2.MAV_CMD_DO_JUMP
DO_SET_ROI = mavlink2.MAV_CMD_DO_SET_ROI
DO_SET_ROI_LOCATION = mavlink2.MAV_CMD_DO_SET_ROI_LOCATION
FENCE_POLYGON_INCLUSION = mavlink2.MAV_CMD_NAV_FENCE_POLYGON_VERTEX_INCLUSION
FENCE_POLYGON_EXCLUSION = mavlink2.MAV_CMD_NAV_FENCE_POLYGON_VERTEX_EXCLUSION
FENCE_CIRCLE_INCLUSION = mavlink2.MAV_CMD_NAV_FENCE_CIRCLE_INCLUSION
FENCE_CIRCLE_EXCLUSION = mavlink2.MAV_CMD_NAV_FENCE_CIRCLE_EXCLUSION
FENCE_RETURN_POINT = mavlink2.MAV_CMD_NAV_FENCE_RETURN_POINT
RALLY_POINT = mavlink2.MAV_CMD_NAV_RALLY_POINT

FENCE_POLYGONS = frozenset({FENCE_POLYGON_INCLUSION, FENCE_POLYGON_EXCLUSION})
FENCE_CIRCLES = frozenset({FENCE_CIRCLE_INCLUSION, FENCE_CIRCLE_EXCLUSION})

SUPPORTED: dict[MissionType, frozenset[int]] = {
    MissionType.MISSION: frozenset({
        NAV_WAYPOINT, NAV_TAKEOFF, NAV_LOITER_TIME, NAV_LOITER_UNLIM, NAV_LOITER_TURNS,
        NAV_RETURN_TO_LAUNCH, NAV_LAND, NAV_DELAY, DO_CHANGE_SPEED, DO_JUMP, DO_SET_ROI,
        DO_SET_ROI_LOCATION,
    }),
    MissionType.FENCE: FENCE_POLYGONS | FENCE_CIRCLES | {FENCE_RETURN_POINT},
    MissionType.RALLY: frozenset({RALLY_POINT}),
}

#: commands whose x/y are a latitude/longitude (ArduPilot stores them as a Location)
POSITIONAL = frozenset({
    NAV_WAYPOINT, NAV_TAKEOFF, NAV_LOITER_TIME, NAV_LOITER_UNLIM, NAV_LOITER_TURNS, NAV_LAND,
    DO_SET_ROI, DO_SET_ROI_LOCATION,
}) | SUPPORTED[MissionType.FENCE] | SUPPORTED[MissionType.RALLY]

#: ArduPilot's AP_Mission::sanity_check_params accepts NaN only in param4 of these
#: ("keep the current yaw behaviour"); any other NaN or any infinity is refused.
NAN_PARAM4_OK = frozenset({NAV_WAYPOINT, NAV_TAKEOFF, NAV_LAND})

#: frames a position may be given in (the *_INT twins are deprecated but still accepted)
GLOBAL_FRAMES = frozenset({
    mavlink2.MAV_FRAME_GLOBAL, mavlink2.MAV_FRAME_GLOBAL_RELATIVE_ALT,
    mavlink2.MAV_FRAME_GLOBAL_TERRAIN_ALT, mavlink2.MAV_FRAME_GLOBAL_INT,
    mavlink2.MAV_FRAME_GLOBAL_RELATIVE_ALT_INT, mavlink2.MAV_FRAME_GLOBAL_TERRAIN_ALT_INT,
})
#: the deprecated *_INT frames and the plain frame each means
INT_FRAME_TWIN = {
    mavlink2.MAV_FRAME_GLOBAL_INT: mavlink2.MAV_FRAME_GLOBAL,
    mavlink2.MAV_FRAME_GLOBAL_RELATIVE_ALT_INT: mavlink2.MAV_FRAME_GLOBAL_RELATIVE_ALT,
    mavlink2.MAV_FRAME_GLOBAL_TERRAIN_ALT_INT: mavlink2.MAV_FRAME_GLOBAL_TERRAIN_ALT,
}
#: ArduPilot refuses rally points in any other frame (MissionItemProtocol_Rally.cpp)
RALLY_FRAMES = frozenset({
    mavlink2.MAV_FRAME_GLOBAL_RELATIVE_ALT, mavlink2.MAV_FRAME_GLOBAL_RELATIVE_ALT_INT,
})


def command_name(command: int) -> str:
    """``NAV_WAYPOINT (16)`` for messages; the number alone when the dialect lacks it."""
    entry = mavlink2.enums["MAV_CMD"].get(command)
    if entry is None or entry.name.endswith("ENUM_END"):
        return f"command {command}"
    return f"{entry.name.removeprefix('MAV_CMD_')} ({command})"


def frame_name(frame: int) -> str:
    entry = mavlink2.enums["MAV_FRAME"].get(frame)
    if entry is None or entry.name.endswith("ENUM_END"):
        return f"frame {frame}"
    return f"{entry.name.removeprefix('MAV_FRAME_')} ({frame})"
