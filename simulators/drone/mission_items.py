"""Mission, fence and rally items as ArduPilot stores them, with its validation results.

Stored values are what a read-back returns: lat/lon as int 1e7, altitudes rounded to ArduPilot's
storage (cm for mission items, whole metres for rally points), frames normalised (an item sent in
GLOBAL_RELATIVE_ALT_INT reads back as GLOBAL_RELATIVE_ALT), unused params zeroed.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, replace
from typing import Any

from pymavlink.dialects.v20 import ardupilotmega as M

from .geo import valid_lat_e7, valid_lon_e7

MISSION, FENCE, RALLY = 0, 1, 2
MISSION_TYPES = (MISSION, FENCE, RALLY)

# MAV_MISSION_RESULT
ACCEPTED, ERROR = M.MAV_MISSION_ACCEPTED, M.MAV_MISSION_ERROR
UNSUPPORTED_FRAME, UNSUPPORTED = M.MAV_MISSION_UNSUPPORTED_FRAME, M.MAV_MISSION_UNSUPPORTED
NO_SPACE, INVALID_PARAM1 = M.MAV_MISSION_NO_SPACE, M.MAV_MISSION_INVALID_PARAM1
INVALID_PARAM5_X, INVALID_PARAM6_Y = M.MAV_MISSION_INVALID_PARAM5_X, M.MAV_MISSION_INVALID_PARAM6_Y
INVALID_PARAM7, INVALID_SEQUENCE = M.MAV_MISSION_INVALID_PARAM7, M.MAV_MISSION_INVALID_SEQUENCE
DENIED, OPERATION_CANCELLED = M.MAV_MISSION_DENIED, M.MAV_MISSION_OPERATION_CANCELLED

# MAV_FRAME
GLOBAL, MISSION_FRAME, GLOBAL_RELATIVE_ALT, GLOBAL_INT, GLOBAL_RELATIVE_ALT_INT = 0, 2, 3, 5, 6
GLOBAL_TERRAIN_ALT, GLOBAL_TERRAIN_ALT_INT = 10, 11
_ABSOLUTE = {GLOBAL, GLOBAL_INT, MISSION_FRAME}
_RELATIVE = {GLOBAL_RELATIVE_ALT, GLOBAL_RELATIVE_ALT_INT}
_TERRAIN = {GLOBAL_TERRAIN_ALT, GLOBAL_TERRAIN_ALT_INT}
_GLOBAL_FRAMES = _ABSOLUTE | _RELATIVE | _TERRAIN

# MAV_CMD
NAV_WAYPOINT, NAV_LOITER_UNLIM, NAV_LOITER_TIME, NAV_RETURN_TO_LAUNCH = 16, 17, 19, 20
NAV_LAND, NAV_TAKEOFF, DO_JUMP, DO_CHANGE_SPEED = 21, 22, 177, 178
FENCE_RETURN_POINT, FENCE_POLYGON_INCLUSION, FENCE_POLYGON_EXCLUSION = 5000, 5001, 5002
FENCE_CIRCLE_INCLUSION, FENCE_CIRCLE_EXCLUSION, RALLY_POINT = 5003, 5004, 5100

NAV_COMMANDS = {NAV_WAYPOINT, NAV_LOITER_UNLIM, NAV_LOITER_TIME, NAV_RETURN_TO_LAUNCH, NAV_LAND,
                NAV_TAKEOFF}
_LOCATION = {NAV_WAYPOINT, NAV_LOITER_UNLIM, NAV_LOITER_TIME, NAV_LAND, NAV_TAKEOFF}
_MISSION_COMMANDS = NAV_COMMANDS | {DO_JUMP, DO_CHANGE_SPEED}
_FENCE_COMMANDS = {FENCE_RETURN_POINT, FENCE_POLYGON_INCLUSION, FENCE_POLYGON_EXCLUSION,
                   FENCE_CIRCLE_INCLUSION, FENCE_CIRCLE_EXCLUSION}

MAX_ITEMS = {MISSION: 700, FENCE: 100, RALLY: 20}

COMMAND_NAMES = {NAV_WAYPOINT: "WP", NAV_LOITER_UNLIM: "LoitUnlim", NAV_LOITER_TIME: "LoitTime",
                 NAV_RETURN_TO_LAUNCH: "RTL", NAV_LAND: "Land", NAV_TAKEOFF: "Takeoff",
                 DO_JUMP: "Jump", DO_CHANGE_SPEED: "ChangeSpeed"}


def f32(x: float) -> float:
    return struct.unpack("<f", struct.pack("<f", x))[0]


@dataclass(frozen=True)
class Item:
    seq: int
    frame: int
    command: int
    param1: float = 0.0
    param2: float = 0.0
    param3: float = 0.0
    param4: float = 0.0
    x: int = 0          # lat 1e7 (or raw for non-global frames)
    y: int = 0          # lon 1e7
    z: float = 0.0
    mission_type: int = MISSION
    current: int = 0
    autocontinue: int = 1

    @property
    def relative_alt(self) -> bool:
        return self.frame in _RELATIVE or self.frame in _TERRAIN

    @classmethod
    def from_message(cls, msg: Any) -> Item:
        """From MISSION_ITEM_INT, or MISSION_ITEM whose global x/y are degrees (float32 math)."""
        x, y = msg.x, msg.y
        if msg.get_type() == "MISSION_ITEM":
            if msg.frame in _GLOBAL_FRAMES:
                x, y = int(f32(f32(msg.x) * 1e7)), int(f32(f32(msg.y) * 1e7))
            else:
                x, y = int(msg.x), int(msg.y)
        return cls(msg.seq, msg.frame, msg.command, msg.param1, msg.param2, msg.param3,
                   msg.param4, int(x), int(y), float(msg.z), getattr(msg, "mission_type", 0),
                   msg.current, msg.autocontinue)


def _location_checks(item: Item) -> int:
    if not valid_lat_e7(item.x):
        return INVALID_PARAM5_X
    if not valid_lon_e7(item.y):
        return INVALID_PARAM6_Y
    return ACCEPTED


def normalise(item: Item, count: int) -> tuple[int, Item | None]:
    """Validate like ArduPilot; return (MAV_MISSION_RESULT, the item as stored)."""
    if item.mission_type == MISSION:
        return _normalise_mission(item, count)
    if item.mission_type == FENCE:
        return _normalise_fence(item)
    if item.mission_type == RALLY:
        return _normalise_rally(item)
    return UNSUPPORTED, None


def _normalise_mission(item: Item, count: int) -> tuple[int, Item | None]:
    cmd = item.command
    if cmd not in _MISSION_COMMANDS:
        return UNSUPPORTED, None
    base = Item(item.seq, GLOBAL, cmd, mission_type=MISSION)
    if cmd in _LOCATION:
        if item.frame not in _GLOBAL_FRAMES:
            return UNSUPPORTED_FRAME, None
        result = _location_checks(item)
        if result != ACCEPTED:
            return result, None
        if abs(item.z) >= 83_000_000:
            return INVALID_PARAM7, None
        frame = (GLOBAL_RELATIVE_ALT if item.frame in _RELATIVE
                 else GLOBAL_TERRAIN_ALT if item.frame in _TERRAIN else GLOBAL)
        base = replace(base, frame=frame, x=item.x, y=item.y, z=f32(round(item.z * 100) / 100))
    if cmd in (NAV_WAYPOINT, NAV_LOITER_TIME, NAV_TAKEOFF, NAV_LAND):
        base = replace(base, param1=float(max(0, min(65535, int(item.param1)))))
    elif cmd == NAV_LOITER_UNLIM:
        base = replace(base, param3=float(int(abs(item.param3))))
    elif cmd == DO_CHANGE_SPEED:
        base = replace(base, param1=float(int(item.param1) & 0xFF), param2=f32(item.param2),
                       param3=f32(item.param3))
    elif cmd == DO_JUMP:
        target = int(item.param1)
        if target == 0 or target >= count:  # count: the upload's MISSION_COUNT
            return ERROR, None
        base = replace(base, param1=float(target), param2=float(int(item.param2)))
    return ACCEPTED, base


def _normalise_fence(item: Item) -> tuple[int, Item | None]:
    if item.command not in _FENCE_COMMANDS:
        return UNSUPPORTED, None
    result = _location_checks(item)
    if result != ACCEPTED:
        return result, None
    p1 = item.param1
    if item.command in (FENCE_POLYGON_INCLUSION, FENCE_POLYGON_EXCLUSION):
        if not 3 <= int(p1) <= 255:
            return INVALID_PARAM1, None
        p1 = float(int(p1))
    elif item.command in (FENCE_CIRCLE_INCLUSION, FENCE_CIRCLE_EXCLUSION):
        if not p1 > 0:
            return INVALID_PARAM1, None
        p1 = f32(p1)
    else:
        p1 = 0.0
    return ACCEPTED, Item(item.seq, GLOBAL, item.command, param1=p1, x=item.x, y=item.y,
                          mission_type=FENCE)


def _normalise_rally(item: Item) -> tuple[int, Item | None]:
    if item.command != RALLY_POINT:
        return UNSUPPORTED, None
    result = _location_checks(item)
    if result != ACCEPTED:
        return result, None
    if not -32768 <= item.z <= 32767:
        return INVALID_PARAM7, None
    return ACCEPTED, Item(item.seq, GLOBAL_RELATIVE_ALT, RALLY_POINT, x=item.x, y=item.y,
                          z=float(int(item.z)), mission_type=RALLY)


def validate_fence(items: list[Item]) -> bool:
    """Polygons must be complete runs of their declared vertex count."""
    i = 0
    while i < len(items):
        it = items[i]
        if it.command in (FENCE_POLYGON_INCLUSION, FENCE_POLYGON_EXCLUSION):
            n = int(it.param1)
            run = items[i:i + n]
            if len(run) < n or any(r.command != it.command or int(r.param1) != n for r in run):
                return False
            i += n
        else:
            i += 1
    return True
